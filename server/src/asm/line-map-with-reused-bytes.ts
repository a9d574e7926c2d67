// The line map of an assembly (each source line's section, address and bytes), made from the
// laid-out items. Re-assembling an edited document, it reuses the previous version's entries:
// an entry of the unchanged prefix that is equal (same line, place and bytes) is shared as it is
// (Images are never modified), and an entry of the unchanged suffix, moved by the edit, keeps
// its bytes when they are the same. Most of a file's entries are one of the two, and making
// 50,000 objects and views costs more than comparing their few bytes. Reuse is decided by
// comparing, so the result is the one a fresh line map gives. A line's few bytes are a copy of its
// own (small typed arrays live on the heap: cheaper than a view, and they hold no section buffer);
// longer runs are views into the section.

import type { AssemblyState } from './assembly-state';
import type { LineCode } from './assembled-image';
import { itemSize } from './assembly-items';
import { paddingSize } from './alignment-padding';

/** Views into buffers older than this many versions are made again (so old buffers can be freed). */
const KEPT_VERSIONS = 4;

/** Runs up to this size get a copy of their bytes; the version of a copy never expires. */
const COPIED_BYTES = 64;
const OWN_BYTES = 0xffffffff;

/** Scratch arrays for the runs, grown as needed and reused (runs are numbers until entries are made). */
let runLine = new Int32Array(1024);
let runSection = new Int32Array(1024);
let runAddress = new Int32Array(1024);
let runEnd = new Int32Array(1024);

function growRuns(size: number): void {
  const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
    const b = new Int32Array(size);
    b.set(a);
    return b;
  };
  runLine = grow(runLine);
  runSection = grow(runSection);
  runAddress = grow(runAddress);
  runEnd = grow(runEnd);
}

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
  const sectionNames: string[] = [];
  const runs = collectRuns(state, sectionNames);
  const entryShift = old.length - runs;
  const out: LineCode[] = [];
  const outVersion = new Uint32Array(runs);
  let buf: Uint8Array | null = null;
  let bufSection = -1;
  const reuse = old.length > 0;
  for (let k = 0; k < runs; k++) {
    const line = runLine[k]!;
    const sectionIndex = runSection[k]!;
    const section = sectionNames[sectionIndex]!;
    const address = runAddress[k]!;
    const size = runEnd[k]! - address;
    if (sectionIndex !== bufSection) {
      bufSection = sectionIndex;
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
      // The entry of the unchanged suffix, moved: its bytes are kept.
      const j = k + entryShift;
      const b = old[j];
      if (b !== undefined && b.line + lineShift === line && b.section === section && oldVersion[j]! + KEPT_VERSIONS > version && sameBytes(b.bytes, buf, address, size)) {
        out.push({ line, section, address, bytes: b.bytes });
        outVersion[k] = oldVersion[j]!;
        continue;
      }
    }
    let bytes: Uint8Array;
    if (buf === null) bytes = new Uint8Array(size);
    else if (size <= COPIED_BYTES) {
      bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = buf[address + i]!;
    } else bytes = buf.subarray(address, address + size);
    out.push({ line, section, address, bytes });
    outVersion[k] = buf !== null && size > COPIED_BYTES ? version : OWN_BYTES;
  }
  return { lines: out, next: { lines: out, lineCount, version, bytesVersion: outVersion } };
}

/** The runs of the items into the scratch arrays (section by index into `sectionNames`); returns their count. */
function collectRuns(state: AssemblyState, sectionNames: string[]): number {
  const items = state.items;
  const deferred = state.deferredStart;
  if (runLine.length < items.length) growRuns(items.length + 1024);
  let runs = 0;
  let line = -1;
  let section = '';
  let sectionIndex = -1;
  let end = -1;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === 'set') continue;
    // `.lcomm` storage sits at an address of .bss, but like `as -al` its line lists no bytes.
    const size = i >= deferred ? 0 : item.kind === 'align' ? paddingSize(item.address, item.alignment, item.max) : itemSize(item, noPadding);
    if (runs > 0 && line === item.range.line && section === item.section && end === item.address) {
      if (size > 0) runEnd[runs - 1] = end = item.address + size;
      continue;
    }
    line = item.range.line;
    if (section !== item.section) {
      section = item.section;
      sectionIndex = sectionNames.indexOf(section);
      if (sectionIndex < 0) sectionIndex = sectionNames.push(section) - 1;
    }
    end = item.address + size;
    runLine[runs] = line;
    runSection[runs] = sectionIndex;
    runAddress[runs] = item.address;
    runEnd[runs] = end;
    runs++;
  }
  return runs;
}

/** Sizes of items other than alignments (whose padding is computed where they sit). */
const noPadding = (): number => 0;
