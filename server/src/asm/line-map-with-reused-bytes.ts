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

  // The runs first (a line's adjacent pieces make one entry), as plain numbers: the suffix is
  // matched by counting from the end, so the entry count must be known before entries are made.
  const items = state.items;
  const deferred = state.deferredStart;
  const runLine: number[] = [];
  const runSection: string[] = [];
  const runAddress: number[] = [];
  const runEnd: number[] = [];
  {
    let line = -1;
    let section = '';
    let end = -1;
    let open = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.kind === 'set') continue;
      // `.lcomm` storage sits at an address of .bss, but like `as -al` its line lists no bytes.
      const size = i >= deferred ? 0 : item.kind === 'align' ? paddingSize(item.address, item.alignment, item.max) : itemSize(item, noPadding);
      if (open && line === item.range.line && section === item.section && end === item.address) {
        if (size > 0) runEnd[runEnd.length - 1] = end = item.address + size;
        continue;
      }
      open = true;
      line = item.range.line;
      section = item.section;
      end = item.address + size;
      runLine.push(line);
      runSection.push(section);
      runAddress.push(item.address);
      runEnd.push(end);
    }
  }
  const runs = runLine.length;
  const entryShift = old.length - runs;
  const out: LineCode[] = [];
  const outVersion = new Uint32Array(runs);
  let buf: Uint8Array | null = null;
  let bufSection = '';
  const reuse = old.length > 0;
  for (let k = 0; k < runs; k++) {
    const line = runLine[k]!;
    const section = runSection[k]!;
    const address = runAddress[k]!;
    const size = runEnd[k]! - address;
    if (section !== bufSection) {
      bufSection = section;
      buf = buffers.get(section) ?? null;
    }
    if (buf !== null && reuse) {
      // The same entry in the unchanged prefix: shared as it is.
      const a = old[k];
      if (a !== undefined && a.line === line && a.address === address && a.section === section && oldVersion[k]! + KEPT_VERSIONS > version && sameBytes(a.bytes, buf, address, size)) {
        out.push(a);
        outVersion[k] = oldVersion[k]!;
        continue;
      }
      // The entry of the unchanged suffix, moved: its bytes view is kept.
      const j = k + entryShift;
      const b = old[j];
      if (b !== undefined && b.line + lineShift === line && b.section === section && oldVersion[j]! + KEPT_VERSIONS > version && sameBytes(b.bytes, buf, address, size)) {
        out.push({ line, section, address, bytes: b.bytes });
        outVersion[k] = oldVersion[j]!;
        continue;
      }
    }
    out.push({ line, section, address, bytes: buf ? buf.subarray(address, address + size) : new Uint8Array(size) });
    outVersion[k] = version;
  }
  return { lines: out, next: { lines: out, lineCount, version, bytesVersion: outVersion } };
}

/** Sizes of items other than alignments (whose padding is computed where they sit). */
const noPadding = (): number => 0;
