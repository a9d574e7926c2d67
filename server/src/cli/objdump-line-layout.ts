// The column layout of `objdump -d` lines, reproduced byte for byte: the address column with
// objdump's leading-zero trimming, seven instruction bytes per line followed by continuation
// lines for longer instructions, sixteen bytes plus ASCII for data, `...` for skipped zeros,
// and the `<symbol+0x10>` labels.

/** How many bytes of an instruction objdump shows per line on i386. */
export const INSN_BYTES_PER_LINE = 7;
/** How many bytes per line for data (object symbols in a code section). */
export const DATA_BYTES_PER_LINE = 16;

export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** Hex without leading zeros ("0" for zero), as objdump prints offsets and targets. */
export function hexTrimmed(n: number): string {
  return (n >>> 0).toString(16);
}

/**
 * How many leading characters of the 8-digit address objdump drops for a section: the leading
 * zeros of (start + size), in whole groups of four but always keeping one zero, and none when
 * the end wraps to zero in a section not starting at zero.
 */
export function addressSkipChars(sectionStart: number, sectionSize: number): number {
  const end = hex8(sectionStart + sectionSize);
  let zeros = 0;
  while (zeros < end.length && end[zeros] === '0') zeros++;
  if (zeros === end.length && sectionStart !== 0) return 0;
  return zeros === 0 ? 0 : (zeros - 1) & ~3;
}

/** The address column: remaining leading zeros become spaces, the last digit stays. */
export function addressColumn(address: number, skip: number): string {
  const digits = hex8(address).slice(skip);
  let i = 0;
  while (i < digits.length - 1 && digits[i] === '0') i++;
  return ' '.repeat(i) + digits.slice(i);
}

function byteList(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16) + ' ';
  return s;
}

/**
 * One instruction: `addr:\tbytes\ttext`, the bytes column padded to seven bytes, then one
 * continuation line (`addr:\tbytes `) per further seven bytes.
 */
export function instructionLines(address: number, bytes: Uint8Array, text: string, skip: number): string {
  const first = Math.min(bytes.length, INSN_BYTES_PER_LINE);
  let out = `${addressColumn(address, skip)}:\t${byteList(bytes, 0, first)}${'   '.repeat(INSN_BYTES_PER_LINE - first)}\t${text}\n`;
  for (let at = first; at < bytes.length; at += INSN_BYTES_PER_LINE) {
    out += `${addressColumn(address + at, skip)}:\t${byteList(bytes, at, Math.min(bytes.length, at + INSN_BYTES_PER_LINE))}\n`;
  }
  return out;
}

/** A line of data: up to sixteen bytes, padded, four spaces, then printable ASCII or '.'. */
export function dataLine(address: number, bytes: Uint8Array, skip: number): string {
  let ascii = '';
  for (const b of bytes) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return `${addressColumn(address, skip)}:\t${byteList(bytes, 0, bytes.length)}${'   '.repeat(DATA_BYTES_PER_LINE - bytes.length)}    ${ascii}\n`;
}

export const SKIPPED_ZEROS_LINE = '\t...\n';

/** `name`, `name+0x10` or `name-0x4` for an address relative to a symbol's value. */
export function symbolOffsetText(name: string, symbolValue: number, address: number): string {
  const a = address >>> 0;
  const v = symbolValue >>> 0;
  if (a === v) return name;
  return a > v ? `${name}+0x${hexTrimmed(a - v)}` : `${name}-0x${hexTrimmed(v - a)}`;
}
