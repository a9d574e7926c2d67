// Parser for System.map and /proc/kallsyms text: one `address type name [module]` per line.
//
// A stripped vmlinux (the one inside a bzImage) has no symbol table; these files supply the
// names. Addresses wider than 32 bits (an x86-64 map, or the placeholder line of Debian's stub
// System.map) are skipped with a message; gzip-compressed files (`kallsyms.txt.gz`) are read too.

import { gunzipSync } from 'node:zlib';
import { BinaryResult, failure, success } from './binary-input-result';
import { readInputFile } from './binary-input-loader';

export interface KernelSymbol {
  address: number;
  /** The nm-style type letter: T/t text, D/d data, R/r read-only, B/b bss, W/w weak, A absolute... */
  type: string;
  name: string;
  /** Module name from `[module]` in /proc/kallsyms, or null for the kernel image. */
  module: string | null;
}

/** True for the letters nm uses for code (text, weak code, and `i` indirect functions). */
export function isTextSymbolType(type: string): boolean {
  return type === 'T' || type === 't' || type === 'W' || type === 'w' || type === 'i';
}

const LINE = /^([0-9a-fA-F]+)\s+(\S)\s+(\S+)(?:\s+\[([^\]]+)\])?\s*$/;

/** Parses the text of a System.map or kallsyms file; symbols come back sorted by address. */
export function parseSystemMap(text: string): BinaryResult<KernelSymbol[]> {
  const symbols: KernelSymbol[] = [];
  const errors: string[] = [];
  let wide = 0;
  let malformed = 0;
  let firstMalformed = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const m = LINE.exec(line);
    if (m === null) {
      if (malformed++ === 0) firstMalformed = i + 1;
      continue;
    }
    const digits = m[1]!.replace(/^0+(?=.)/, '');
    if (digits.length > 8) {
      wide++;
      continue;
    }
    symbols.push({ address: parseInt(digits, 16), type: m[2]!, name: m[3]!, module: m[4] ?? null });
  }
  if (malformed > 0) errors.push(`${malformed} line(s) are not 'address type name' (first at line ${firstMalformed}); skipped`);
  if (wide > 0) errors.push(`${wide} symbol(s) have addresses wider than 32 bits; skipped`);
  if (symbols.length === 0) {
    const why = text.includes('The real System.map is in')
      ? "it is Debian's stub (the real map is in the linux-image-*-dbg package; /proc/kallsyms of the running kernel also works)"
      : 'no `address type name` lines found';
    return failure(`no usable symbols: ${why}`);
  }
  if (symbols.every((s) => s.address === 0)) {
    return failure('all symbol addresses are zero (read /proc/kallsyms as root, or with kernel.kptr_restrict=0)');
  }
  symbols.sort((a, b) => a.address - b.address);
  return success(symbols, errors);
}

/** Reads and parses a System.map or kallsyms file, gzip-compressed or not. */
export async function loadSystemMap(path: string): Promise<BinaryResult<KernelSymbol[]>> {
  const file = await readInputFile(path);
  if (file.value === null) return failure(file.errors.join('; '));
  let bytes = file.value;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      return failure(`corrupt gzip data: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return parseSystemMap(new TextDecoder('utf-8').decode(bytes));
}
