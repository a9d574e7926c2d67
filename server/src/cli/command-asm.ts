// `kboost asm FILE [-o FILE.o] [-I DIR]... [--cpp MODE] [--listing]`: preprocesses and assembles an AT&T i386 source file, prints its
// diagnostics as `file:line:column: error: message`, writes an ELF32 relocatable object with -o,
// and with --listing prints each source line with its address and bytes in the layout of `as -al`.

import { readFileSync, writeFileSync } from 'node:fs';
import { assemble, writeElfObject } from '../asm';
import { formatListing } from '../asm/assembly-listing';
import { parseCommandLine } from './cli-arguments';
import { CliIo, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from './cli-io';

export const ASM_USAGE = `Usage: kboost asm FILE [-o FILE.o] [-I DIR]... [--cpp MODE] [--listing]

Assembles GNU as AT&T syntax for i386, byte for byte as \`as --32\` does, and reports
errors as FILE:LINE:COLUMN: error: MESSAGE. GNU as macros, .rept, .irp, conditionals and
.include are expanded; .S files go through the C preprocessor first.

Options:
  -o, --output FILE.o    write an ELF32 i386 relocatable object
  -I DIR                 search DIR for #include and .include files (repeatable)
  --cpp MODE             C preprocessor: builtin, system (gcc -E) or none
                         (default: builtin for FILE.S, none otherwise)
  --listing              print each source line with its address and bytes (as -al)
  -h, --help             show this help
`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  listing: { type: 'boolean' },
  include: { type: 'string', short: 'I', multiple: true },
  cpp: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function runAsm(args: string[], io: CliIo): number {
  const parsed = parseCommandLine(args, OPTIONS);
  const usage = (m: string): number => {
    io.err(`kboost asm: ${m}\nTry 'kboost asm --help'.\n`);
    return EXIT_USAGE;
  };
  if (typeof parsed === 'string') return usage(parsed);
  if (parsed.values.help === true) {
    io.out(ASM_USAGE);
    return EXIT_OK;
  }
  if (parsed.positionals.length !== 1) return usage('give exactly one source file');
  const file = parsed.positionals[0]!;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`kboost asm: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_BAD_INPUT;
  }
  const cpp = parsed.values.cpp;
  if (cpp !== undefined && cpp !== 'builtin' && cpp !== 'system' && cpp !== 'none') return usage(`--cpp takes builtin, system or none, not '${String(cpp)}'`);
  const includePaths = (parsed.values.include ?? []) as string[];
  const image = assemble(source, { fileName: file, includePaths, ...(cpp !== undefined ? { preprocessor: cpp } : {}) });
  for (const d of image.diagnostics) io.err(`${file}:${d.line + 1}:${d.start + 1}: ${d.severity}: ${d.message}\n`);
  if (parsed.values.listing === true) io.out(formatListing(source, image));
  const failed = image.diagnostics.some((d) => d.severity === 'error');
  const output = parsed.values.output;
  if (typeof output === 'string' && !failed) {
    try {
      writeFileSync(output, writeElfObject(image));
    } catch (e) {
      io.err(`kboost asm: cannot write ${output}: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT_BAD_INPUT;
    }
  }
  return failed ? EXIT_BAD_INPUT : EXIT_OK;
}
