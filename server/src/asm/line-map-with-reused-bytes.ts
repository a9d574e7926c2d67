// The line map of an assembly (each source line's section, address and bytes), made from the
// laid-out items. Re-assembling an edited document, it reuses the previous version's entries:
// an entry of the unchanged prefix that is equal (same line, place and bytes) is shared as it is
// (Images are never modified), and an entry of the unchanged suffix, moved by the edit, keeps
// its byte view when its bytes are the same. Most of a file's entries are one of the two, and
// making 50,000 objects and views costs more than comparing their few bytes. Reuse is decided by
// comparing, so the result is the one a fresh line map gives.

import type { AssemblyState } from './assembly-state';
import type { LineCode } from './assembled-image';
import { itemSize } from './assembly-items';
import { paddingSize } from './alignment-padding';

/** Views into buffers older than this many versions are made again (so old buffers can be freed). */
const KEPT_VERSIONS = 4;

/** What one version leaves to the next: its line map, line count, and where each entry's bytes come from. */
export interface PreviousLineMap {
  lines: LineCode[];
  lineCount: number;
  version: number;
  /** Per entry: the version whose section buffer its bytes view. */
  bytesVersion: Uint32Array;
}

function sameBytes(view: Uint8Array, buf: Uint8Array, at: number, size: number): boolean {
  if (view.length !== size) return false;
  for (let i = 0; i < size; i++) if (view[i] !== buf[at + i]) return false;
  return true;
}

/**
 * The line map; with `previous` (the last version of the document; `lineCount` lines now),
 * entries and byte views are reused where equal. Also returns what the next version may reuse.
 */
export function lineMapReusing(
  state: AssemblyState, buffers: Map<string, Uint8Array | null>, lineCount: number, previous: PreviousLineMap | null,
): { lines: LineCode[]; next: PreviousLineMap } {
  const old = previous?.lines ?? [];
  const oldVersion = previous?.bytesVersion ?? new Uint32Array(0);
  const version = previous ? previous.version + 1 : KEPT_VERSIONS;
  const lineShift = previous ? lineCount - previous.lineCount : 0;
  const out: LineCode[] = [];
  const outVersion: number[] = [];
  let entryShift = 0;
  let buf: Uint8Array | null = null;
  let bufSection = '';

  /** Adds the entry of one run: shared, with reused bytes, or new. */
  const emit = (line: number, section: string, address: number, size: number): void => {
    if (section !== bufSection) {
      bufSection = section;
      buf = buffers.get(section) ?? null;
    }
    const k = out.length;
    if (buf !== null && old.length > 0) {
      const a = old[k];
      if (a !== undefined && a.line === line && a.section === section && a.address === address && oldVersion[k]! + KEPT_VERSIONS > version && sameBytes(a.bytes, buf, address, size)) {
        out.push(a);
        outVersion.push(oldVersion[k]!);
        return;
      }
      const j = k + entryShift;
      const b = old[j];
      if (b !== undefined && b.line + lineShift === line && b.section === section && oldVersion[j]! + KEPT_VERSIONS > version && sameBytes(b.bytes, buf, address, size)) {
        out.push({ line, section, address, bytes: b.bytes });
        outVersion.push(oldVersion[j]!);
        return;
      }
    }
    out.push({ line, section, address, bytes: buf ? (buf as Uint8Array).subarray(address, address + size) : new Uint8Array(size) });
    outVersion.push(version);
  };

  // The entry count is known only at the end; the suffix is matched by counting from the end,
  // so count runs first (cheap: no objects).
  const items = state.items;
  const deferred = state.deferredStart;
  const padding = (a: { address: number; alignment: number; max: number | null }): number => paddingSize(a.address, a.alignment, a.max);
  const sizeOf = (i: number): number => (i >= deferred ? 0 : itemSize(items[i]!, padding));
  let runs = 0;
  {
    let line = -1;
    let section = '';
    let end = -1;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.kind === 'set') continue;
      if (!(runs > 0 && line === item.range.line && section === item.section && end === item.address)) {
        runs++;
        line = item.range.line;
        section = item.section;
      }
      // `.lcomm` storage sits at an address of .bss, but like `as -al` its line lists no bytes.
      const size = sizeOf(i);
      if (size > 0 || end !== item.address) end = item.address + size;
    }
  }
  entryShift = old.length - runs;
  // A line's adjacent pieces make one entry.
  let line = -1;
  let section = '';
  let address = 0;
  let end = -1;
  let open = false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === 'set') continue;
    const size = sizeOf(i);
    if (open && line === item.range.line && section === item.section && end === item.address) {
      if (size > 0) end = item.address + size;
    } else {
      if (open) emit(line, section, address, end - address);
      open = true;
      line = item.range.line;
      section = item.section;
      address = item.address;
      end = item.address + size;
    }
  }
  if (open) emit(line, section, address, end - address);
  return { lines: out, next: { lines: out, lineCount, version, bytesVersion: Uint32Array.from(outVersion) } };
}
