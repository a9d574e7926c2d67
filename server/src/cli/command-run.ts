// `kboost run [--stats] [--limit N] PROGRAM [ARGS...]`: runs a static ELF32 i386 executable on the
// emulator. The program's stdout/stderr pass through and its exit status becomes ours; a fault or
// an instruction that is not emulated stops it with a message naming the instruction and address
// (exit status 1, as for an unusable file). --stats prints instructions and emulated MIPS on stderr.

import { readFileSync } from 'node:fs';
import { decode, formatAtt } from '../isa';
import { hex, loadStaticElf, type CpuException, type Machine } from '../cpu';
import { CliIo, EXIT_BAD_INPUT, EXIT_USAGE } from './cli-io';
import { RUN_USAGE } from './cli-usage-text';
import { isProbedRun, RUN_PROBES_USAGE, runProbedRun } from './command-run-probes';

/** Where the program's output bytes go; by default they are decoded as UTF-8 into the CliIo. */
export interface ProgramOutput {
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
}

const CHUNK = 1_000_000;

export function runRun(args: string[], io: CliIo, output?: ProgramOutput): number {
  if (isProbedRun(args)) return runProbedRun(args, io);
  let stats = false;
  let limit = Infinity;
  let k = 0;
  for (; k < args.length; k++) {
    const a = args[k]!;
    if (a === '--stats') stats = true;
    else if (a === '--limit') {
      const n = Number(args[++k]);
      if (!Number.isInteger(n) || n <= 0) return usage(io, `--limit needs a positive instruction count`);
      limit = n;
    } else if (a === '-h' || a === '--help') {
      // One command, two modes: both usages (the probed one is what most users look for).
      io.out(`${RUN_USAGE}\n${RUN_PROBES_USAGE}`);
      return 0;
    } else if (a === '--') {
      k++;
      break;
    } else if (a.startsWith('-')) return usage(io, `unknown option '${a}'`);
    else break;
  }
  const program = args[k];
  if (program === undefined) return usage(io, 'no PROGRAM given');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(program);
  } catch (e) {
    io.err(`kboost run: cannot read ${program}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_BAD_INPUT;
  }
  const decoder = new TextDecoder();
  const sink: ProgramOutput = output ?? {
    stdout: (b) => io.out(decoder.decode(b)),
    stderr: (b) => io.err(decoder.decode(b)),
  };
  const loaded = loadStaticElf(bytes, args.slice(k), ['PATH=/usr/bin:/bin', 'LANG=C'], {
    stdout: sink.stdout,
    stderr: sink.stderr,
    onUnknownSyscall: (n) => io.err(`kboost run: system call ${n} is not emulated (returns -ENOSYS)\n`),
  });
  if ('error' in loaded) {
    io.err(`kboost run: ${program}: ${loaded.error}\n`);
    return EXIT_BAD_INPUT;
  }
  const { machine, linux } = loaded;
  const started = process.hrtime.bigint();
  let status: number | null = null;
  let executed = 0;
  while (status === null) {
    const budget = Math.min(CHUNK, limit - executed);
    if (budget <= 0) {
      io.err(`kboost run: stopped after ${executed} instructions (--limit) at 0x${hex(machine.eip)}\n`);
      status = EXIT_BAD_INPUT;
      break;
    }
    const result = machine.run(budget);
    executed += result.executed;
    const stop = result.stop;
    if (stop.kind === 'limit') continue;
    if (stop.kind === 'exception' && linux.exitStatus !== null) status = linux.exitStatus;
    else if (stop.kind === 'exception') {
      io.err(`kboost run: ${describeException(machine, stop.exception)}\n`);
      status = EXIT_BAD_INPUT;
    } else {
      io.err(`kboost run: stopped (${stop.kind}) at 0x${hex(machine.eip)}\n`);
      status = EXIT_BAD_INPUT;
    }
  }
  if (stats) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const mips = seconds > 0 ? machine.instructionCount / seconds / 1e6 : 0;
    io.err(`kboost run: ${machine.instructionCount} instructions in ${seconds.toFixed(3)} s: ${mips.toFixed(1)} MIPS\n`);
  }
  return status;
}

function usage(io: CliIo, message: string): number {
  io.err(`kboost run: ${message}\n${RUN_USAGE}`);
  return EXIT_USAGE;
}

/** "#UD not emulated: movaps at 0x0804a123 (movaps %xmm0,(%eax))". */
export function describeException(machine: Machine, exception: CpuException): string {
  const at = exception.instructionAddress;
  const bytes = machine.memory.readBytes(at, 15);
  let text = '';
  if (bytes instanceof Uint8Array) {
    const d = decode(bytes, 0, at);
    if (d.valid) text = ` (${formatAtt(d).replace(/\s+/g, ' ')})`;
  }
  return `${exception.name} ${exception.message}${text}`;
}
