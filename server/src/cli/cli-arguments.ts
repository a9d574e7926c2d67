// Shared pieces of argument handling: parsing with node's util.parseArgs into a value or a
// usage message, addresses in the forms objdump accepts, and the `-M` disassembler options.

import { parseArgs, ParseArgsConfig } from 'node:util';
import type { Syntax } from './instruction-text';

export type ParsedArgs = ReturnType<typeof parseArgs>;

/** util.parseArgs, with its TypeError turned into a usage message. */
export function parseCommandLine(args: string[], options: NonNullable<ParseArgsConfig['options']>): ParsedArgs | string {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // Node appends advice about `--` to unknown options; the first sentence says enough.
    const text = e instanceof Error ? e.message : String(e);
    return text.startsWith('Unknown option') ? text.replace(/\. To specify a positional argument[\s\S]*$/, '') : text;
  }
}

/** `0x` hex, or decimal; a 32-bit address. */
export function parseAddress(text: string): number | null {
  const t = text.trim();
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(t)) value = parseInt(t.slice(2), 16);
  else if (/^[0-9]+$/.test(t)) value = parseInt(t, 10);
  else return null;
  return value <= 0xffffffff ? value : null;
}

/** Reads `-M intel`, `-M att`, `-Mintel,att` (the last one wins, as in objdump). */
export function parseDisassemblerOptions(values: readonly string[]): Syntax | string {
  let syntax: Syntax = 'att';
  for (const v of values) {
    for (const opt of v.split(',')) {
      const o = opt.trim();
      if (o === 'intel' || o === 'intel-mnemonic') syntax = 'intel';
      else if (o === 'att' || o === 'att-mnemonic') syntax = 'att';
      else if (o === 'i386' || o === '') continue;
      else return `unsupported disassembler option '${o}' (kboost knows: att, intel, i386)`;
    }
  }
  return syntax;
}

/** Values of an option that may repeat, as an array. */
export function stringList(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

export function optionalString(value: unknown): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? String(value[value.length - 1]) : String(value);
}
