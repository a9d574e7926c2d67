// `kboost decode --hex "55 89 e5" [--address A] [-M intel]`: decodes bytes given on the command
// line, one line per instruction in the objdump layout (address, bytes, text).

import { addressSkipChars, instructionLines } from './objdump-line-layout';
import { optionalString, parseAddress, parseCommandLine, parseDisassemblerOptions, stringList } from './cli-arguments';
import { CliIo, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from './cli-io';
import { DECODE_USAGE } from './cli-usage-text';
import { listInstruction } from './instruction-text';

const OPTIONS = {
  hex: { type: 'string', multiple: true },
  address: { type: 'string' },
  'disassembler-options': { type: 'string', short: 'M', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Bytes from hex text: `55 89 e5`, `0x55,0x89`, `\x55\x89`, `5589e5`. Returns a message for
 * anything else.
 */
export function parseHexBytes(text: string): Uint8Array | string {
  const cleaned = text.replace(/\\x/gi, ' ').replace(/0x/gi, ' ').replace(/[,;:]/g, ' ').trim();
  if (cleaned === '') return 'no bytes given';
  const out: number[] = [];
  for (const token of cleaned.split(/\s+/)) {
    if (!/^[0-9a-f]+$/i.test(token)) return `'${token}' is not hex`;
    if (token.length > 2 && token.length % 2 !== 0) return `'${token}' has an odd number of hex digits`;
    for (let i = 0; i < token.length; i += 2) out.push(parseInt(token.slice(i, i + 2), 16));
  }
  return Uint8Array.from(out);
}

export function runDecode(args: string[], io: CliIo): number {
  const parsed = parseCommandLine(args, OPTIONS);
  const usage = (m: string): number => {
    io.err(`kboost decode: ${m}\nTry 'kboost decode --help'.\n`);
    return EXIT_USAGE;
  };
  if (typeof parsed === 'string') return usage(parsed);
  const v = parsed.values;
  if (v.help === true) {
    io.out(DECODE_USAGE);
    return EXIT_OK;
  }
  const hexText = [...stringList(v.hex), ...parsed.positionals].join(' ');
  if (hexText.trim() === '') return usage('no bytes: give them with --hex "55 89 e5" or as arguments');
  const syntax = parseDisassemblerOptions(stringList(v['disassembler-options']));
  if (syntax !== 'att' && syntax !== 'intel') return usage(syntax);
  const addressText = optionalString(v.address);
  const base = addressText === null ? 0 : parseAddress(addressText);
  if (base === null) return usage(`--address: '${addressText}' is not an address (use 0x hex or decimal)`);

  const bytes = parseHexBytes(hexText);
  if (typeof bytes === 'string') {
    io.err(`kboost: --hex: ${bytes}\n`);
    return EXIT_BAD_INPUT;
  }
  const skip = addressSkipChars(base, bytes.length);
  for (let off = 0; off < bytes.length;) {
    const address = (base + off) >>> 0;
    const listed = listInstruction(bytes, off, bytes.length - off, address, syntax, null);
    io.out(instructionLines(address, bytes.subarray(off, off + listed.length), listed.text, skip));
    off += listed.length;
  }
  return EXIT_OK;
}
