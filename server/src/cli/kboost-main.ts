// Entry of the `kboost` command line: picks the subcommand and maps its result to an exit code
// (0 ok, 1 bad input, 2 usage). `runKboost` is the testable core; the bottom lines run it when
// this file is the program (through tsx, or bundled into dist/kboost.js).

import { runAnalyze } from './command-analyze';
import { runAsm } from './command-asm';
import { runCheck } from './command-check';
import { runDecode } from './command-decode';
import { runDisasm } from './command-disasm';
import { runRun } from './command-run';
import { CliIo, EXIT_OK, EXIT_USAGE, processIo } from './cli-io';
import { MAIN_USAGE } from './cli-usage-text';

export async function runKboost(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  let code: number;
  switch (command) {
    case 'disasm':
      code = await runDisasm(rest, io);
      break;
    case 'asm':
      code = await runAsm(rest, io);
      break;
    case 'check':
      code = runCheck(rest, io);
      break;
    case 'analyze':
      code = await runAnalyze(rest, io);
      break;
    case 'decode':
      code = runDecode(rest, io);
      break;
    case 'run':
      code = runRun(rest, io);
      break;
    case '-h':
    case '--help':
    case 'help':
      io.out(MAIN_USAGE);
      code = EXIT_OK;
      break;
    case undefined:
      io.err(MAIN_USAGE);
      code = EXIT_USAGE;
      break;
    default:
      io.err(`kboost: unknown command '${command}'\n${MAIN_USAGE}`);
      code = EXIT_USAGE;
  }
  io.flush();
  return code;
}

if (require.main === module) {
  // `kboost disasm vmlinux | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  runKboost(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`kboost: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
