// The line map of an assembly (each source line's section, address and bytes), made from the
// laid-out items. Re-assembling an edited document, it takes each entry's byte view from the
// previous version's line map where the same line (in the unchanged prefix, or shifted in the
// unchanged suffix) has the same bytes: a view costs more than comparing a few bytes, and an
// edit changes few lines' bytes. Reuse is decided by comparing the bytes, so it never changes
// the result.

import type { AssemblyState } from './assembly-state';
import type { LineCode } from './assembled-image';
import { itemSize } from './assembly-items';
import { paddingSize } from './alignment-padding';

/** Buffers older than this many versions are not viewed again (so old versions can be freed). */
const KEPT_VERSIONS = 4;

/** What one version leaves to the next: its line map and line count, and recent section buffers. */
export interface PreviousLineMap {
  lines: LineCode[];
  lineCount: number;
  /** Section buffers of the last KEPT_VERSIONS versions, newest last. */
  buffers: ArrayBufferLike[][];
}

function sameBytes(view: Uint8Array, buf: Uint8Array, at: number, size: number): boolean {
  if (view.length !== size) return false;
  for (let i = 0; i < size; i++) if (view[i] !== buf[at + i]) return false;
  return true;
}

/**
 * The line map; with `previous` (the last version of the document, `lineCount` lines now), byte
 * views are reused where equal. Returns what the next version may reuse too.
 */
export function lineMapReusing(
  state: AssemblyState, buffers: Map<string, Uint8Array | null>, lineCount: number, previous: PreviousLineMap | null,
): { lines: LineCode[]; next: PreviousLineMap } {
  // Runs first (a line's adjacent pieces make one entry), views afterwards.
  const runLine: number[] = [];
  const runSection: string[] = [];
  const runAddress: number[] = [];
  const runEnd: number[] = [];
  const items = state.items;
  const deferred = state.deferredStart;
  const padding = (a: { address: number; alignment: number; max: number | null }): number => paddingSize(a.address, a.alignment, a.max);
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === 'set') continue;
    // `.lcomm` storage sits at an address of .bss, but like `as -al` its line lists no bytes.
    const size = i >= deferred ? 0 : itemSize(item, padding);
    const line = item.range.line;
    if (n > 0 && runLine[n - 1] === line && runSection[n - 1] === item.section && runEnd[n - 1] === item.address) {
      if (size > 0) runEnd[n - 1] = item.address + size;
    } else {
      runLine.push(line);
      runSection.push(item.section);
      runAddress.push(item.address);
      runEnd.push(item.address + size);
      n++;
    }
  }
  const allowed = new Set<ArrayBufferLike>();
  if (previous) for (const list of previous.buffers) for (const b of list) allowed.add(b);
  const old = previous?.lines ?? [];
  const lineShift = previous ? lineCount - previous.lineCount : 0;
  const entryShift = old.length - n;
  const out: LineCode[] = new Array(n);
  let sectionNow = '';
  let buf: Uint8Array | null = null;
  for (let k = 0; k < n; k++) {
    const sec = runSection[k]!;
    if (sec !== sectionNow) {
      sectionNow = sec;
      buf = buffers.get(sec) ?? null;
    }
    const line = runLine[k]!;
    const address = runAddress[k]!;
    const size = runEnd[k]! - address;
    let bytes: Uint8Array | null = null;
    if (buf !== null && old.length > 0) {
      // The same entry in an unchanged prefix, or the entry as many places from the end.
      const a = old[k];
      if (a !== undefined && a.line === line && a.section === sec && allowed.has(a.bytes.buffer) && sameBytes(a.bytes, buf, address, size)) bytes = a.bytes;
      else {
        const b = old[k + entryShift];
        if (b !== undefined && b.line + lineShift === line && b.section === sec && allowed.has(b.bytes.buffer) && sameBytes(b.bytes, buf, address, size)) bytes = b.bytes;
      }
    }
    bytes ??= buf ? buf.subarray(address, address + size) : new Uint8Array(size);
    out[k] = { line, section: sec, address, bytes };
  }
  const mine: ArrayBufferLike[] = [];
  for (const b of buffers.values()) if (b !== null) mine.push(b.buffer);
  const kept = previous ? previous.buffers.slice(-(KEPT_VERSIONS - 1)) : [];
  kept.push(mine);
  return { lines: out, next: { lines: out, lineCount, buffers: kept } };
}
