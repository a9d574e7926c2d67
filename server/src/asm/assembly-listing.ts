// A listing of assembled source in the layout of `as -al` (without its page headers): each source
// line with its number, the address and up to four bytes of the code it produced, and
// continuation lines for longer code.

import type { Image } from './assembled-image';

const BYTES_PER_ROW = 4;

function hexBytes(bytes: Uint8Array, from: number): string {
  let out = '';
  for (let i = from; i < Math.min(bytes.length, from + BYTES_PER_ROW); i++) out += bytes[i]!.toString(16).toUpperCase().padStart(2, '0');
  return out;
}

/** Renders the listing of `source` as assembled into `image`. */
export function formatListing(source: string, image: Image): string {
  const byLine = new Map<number, Array<{ address: number; bytes: Uint8Array }>>();
  // Like as -al, .bss space is listed as zeros.
  for (const code of image.lines) {
    const list = byLine.get(code.line) ?? [];
    list.push({ address: code.address, bytes: code.bytes });
    byLine.set(code.line, list);
  }
  const out: string[] = [];
  source.split('\n').forEach((text, line) => {
    const number = String(line + 1).padStart(4);
    const codes = (byLine.get(line) ?? []).filter((c) => c.bytes.length > 0);
    if (codes.length === 0) {
      out.push(`${number}              \t${text}`);
      return;
    }
    codes.forEach((code, k) => {
      const address = code.address.toString(16).padStart(4, '0');
      out.push(`${number} ${address} ${hexBytes(code.bytes, 0).padEnd(8)} ${k === 0 ? `\t${text}` : ''}`.trimEnd());
      for (let i = BYTES_PER_ROW; i < code.bytes.length; i += BYTES_PER_ROW) {
        const row = hexBytes(code.bytes, i);
        out.push(`${number}      ${row}${row.length === 2 * BYTES_PER_ROW ? ' ' : ''}`);
      }
    });
  });
  return out.join('\n') + '\n';
}
