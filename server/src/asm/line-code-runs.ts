// Code entries of a line map moved onto other lines (the edited file's, or an included file's):
// adjacent code of one line in one section becomes one entry, its bytes joined once per run (a
// .rept of a million lines must not copy its bytes a million times).

import type { LineCode } from './assembled-image';

/** `code` on the lines `lineOf` gives; null leaves an entry out and ends the run before it. */
export function lineCodeRuns(code: readonly LineCode[], lineOf: (c: LineCode) => number | null): LineCode[] {
  const runs: { line: number; section: string; address: number; end: number; parts: Uint8Array[] }[] = [];
  let last: (typeof runs)[number] | undefined;
  for (const c of code) {
    const line = lineOf(c);
    if (line === null) last = undefined;
    else if (last !== undefined && last.line === line && last.section === c.section && last.end === c.address) {
      last.parts.push(c.bytes);
      last.end += c.bytes.length;
    } else runs.push((last = { line, section: c.section, address: c.address, end: c.address + c.bytes.length, parts: [c.bytes] }));
  }
  return runs.map((r) => ({ line: r.line, section: r.section, address: r.address, bytes: r.parts.length === 1 ? r.parts[0]! : joined(r.parts, r.end - r.address) }));
}

function joined(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
