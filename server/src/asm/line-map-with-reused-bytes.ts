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
import { itemSize, type Item } from './assembly-items';
import { paddingSize } from './alignment-padding';

/** Views into buffers older than this many versions are made again (so old buffers can be freed). */
const KEPT_VERSIONS = 4;

/** Runs up to this size get a copy of their bytes; the version of a copy never expires. */
const COPIED_BYTES = 64;
const OWN_BYTES = 0xffffffff;

/** A line's adjacent pieces of one section, as numbers (entries are made from them): per run, its first item. */
interface Runs {
  count: number;
  line: Int32Array;
  section: Int32Array;
  address: Int32Array;
  end: Int32Array;
  first: Int32Array;
  /** Section names by the index `section` holds. */
  names: string[];
}

/** Runs for `capacity` items: `spare`'s arrays when they are large enough (no one reads them any more). */
function newRuns(capacity: number, spare: Runs | null = null): Runs {
  if (spare !== null && spare.line.length >= capacity) {
    spare.count = 0;
    spare.names.length = 0;
    return spare;
  }
  return { count: 0, line: new Int32Array(capacity), section: new Int32Array(capacity), address: new Int32Array(capacity), end: new Int32Array(capacity), first: new Int32Array(capacity), names: [] };
}

/** Where an edited version's items are the previous one's (relaxation-after-edit.ts), and the alignments after the edit that pad differently. */
export interface ItemsAfterEdit {
  prefix: number;
  end: number;
  oldEnd: number;
  changedAlignments: number[];
}

/** What one version leaves to the next: its line map, line count, and where each entry's bytes come from. */
export interface PreviousLineMap {
  lines: LineCode[];
  lineCount: number;
  version: number;
  /** Per entry: the version whose section buffer its bytes view. */
  bytesVersion: Uint32Array;
  /** The runs the entries were made from (one per entry). */
  runs: Runs;
  /** The version before's runs, which the next version may overwrite. */
  spare: Runs | null;
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
  state: AssemblyState, buffers: Map<string, Uint8Array | null>, lineCount: number, previous: PreviousLineMap | null, edit: ItemsAfterEdit | null = null,
): { lines: LineCode[]; next: PreviousLineMap } {
  const version = previous ? previous.version + 1 : KEPT_VERSIONS;
  const lineShift = previous ? lineCount - previous.lineCount : 0;
  // The runs first (a line's adjacent pieces make one entry), as plain numbers: the suffix is
  // matched by counting from the end, so the entry count must be known before entries are made.
  let runs: Runs;
  let moved = { from: 0, to: 0, previous: 0 };
  if (edit !== null && previous !== null) ({ runs, moved } = runsAfterEdit(state, previous.runs, newRuns(state.items.length + 1, previous.spare), edit, lineShift));
  else collectRuns(state, (runs = newRuns(state.items.length + 1, previous?.spare)), 0);
  const made: MadeEntries = { out: new Array<LineCode>(runs.count), version, outVersion: new Uint32Array(runs.count), previous, lineShift, buffers, runs };
  makeEntries(made, 0, moved.from === moved.to ? runs.count : moved.from);
  if (moved.from < moved.to) {
    movedEntries(made, moved.from, moved.to, moved.previous);
    makeEntries(made, moved.to, runs.count);
  }
  return { lines: made.out, next: { lines: made.out, lineCount, version, bytesVersion: made.outVersion, runs, spare: previous?.runs ?? null } };
}

interface MadeEntries {
  out: LineCode[];
  version: number;
  outVersion: Uint32Array;
  previous: PreviousLineMap | null;
  lineShift: number;
  buffers: Map<string, Uint8Array | null>;
  runs: Runs;
}

/** A new entry for run k, with bytes of its own (a copy, or a view into the section for a long run). */
function newEntry(m: MadeEntries, k: number, buf: Uint8Array | null): void {
  const { runs } = m;
  const address = runs.address[k]!;
  const size = runs.end[k]! - address;
  let bytes: Uint8Array;
  if (buf === null) bytes = new Uint8Array(size);
  else if (size <= COPIED_BYTES) {
    bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = buf[address + i]!;
  } else bytes = buf.subarray(address, address + size);
  m.out[k] = { line: runs.line[k]!, section: runs.names[runs.section[k]!]!, address, bytes };
  m.outVersion[k] = buf !== null && size > COPIED_BYTES ? m.version : OWN_BYTES;
}

/** Entries of runs [from, to): the previous version's where equal, else with their bytes kept when equal, else new. */
function makeEntries(m: MadeEntries, from: number, to: number): void {
  const { runs, out, outVersion, version, lineShift } = m;
  const old = m.previous?.lines ?? [];
  const oldVersion = m.previous?.bytesVersion ?? new Uint32Array(0);
  const entryShift = old.length - runs.count;
  let buf: Uint8Array | null = null;
  let bufSection = -1;
  const reuse = old.length > 0;
  for (let k = from; k < to; k++) {
    const line = runs.line[k]!;
    const sectionIndex = runs.section[k]!;
    const section = runs.names[sectionIndex]!;
    const address = runs.address[k]!;
    const size = runs.end[k]! - address;
    if (sectionIndex !== bufSection) {
      bufSection = sectionIndex;
      buf = m.buffers.get(section) ?? null;
    }
    if (buf !== null && reuse) {
      // The same entry in the unchanged prefix: shared as it is.
      const a = old[k];
      if (a !== undefined && a.line === line && a.address === address && a.section === section && oldVersion[k]! + KEPT_VERSIONS > version && sameBytes(a.bytes, buf, address, size)) {
        out[k] = a;
        outVersion[k] = oldVersion[k]!;
        continue;
      }
      // The entry of the unchanged suffix, moved: its bytes are kept.
      const j = k + entryShift;
      const b = old[j];
      if (b !== undefined && b.line + lineShift === line && b.section === section && oldVersion[j]! + KEPT_VERSIONS > version && sameBytes(b.bytes, buf, address, size)) {
        out[k] = { line, section, address, bytes: b.bytes };
        outVersion[k] = oldVersion[j]!;
        continue;
      }
    }
    newEntry(m, k, buf);
  }
}

/**
 * Entries of the runs [from, to), which moved from the previous version's from `previous` on
 * (same line shift, section, size): each keeps its entry's bytes when they are still the section's.
 */
function movedEntries(m: MadeEntries, from: number, to: number, previous: number): void {
  const { runs, out, outVersion, version, lineShift } = m;
  const old = m.previous?.lines ?? [];
  const oldVersion = m.previous?.bytesVersion ?? new Uint32Array(0);
  const entryShift = previous - from;
  let buf: Uint8Array | null = null;
  let bufSection = -1;
  let section = '';
  for (let k = from; k < to; k++) {
    const sectionIndex = runs.section[k]!;
    if (sectionIndex !== bufSection) {
      bufSection = sectionIndex;
      section = runs.names[sectionIndex]!;
      buf = m.buffers.get(section) ?? null;
    }
    const address = runs.address[k]!;
    const j = k + entryShift;
    const b = old[j]!;
    if (buf !== null && oldVersion[j]! + KEPT_VERSIONS > version && sameBytes(b.bytes, buf, address, runs.end[k]! - address)) {
      out[k] = { line: b.line + lineShift, section, address, bytes: b.bytes };
      outVersion[k] = oldVersion[j]!;
    } else newEntry(m, k, buf);
  }
}

/** Size of an item in its line's run (deferred .bss storage lists none, like `as -al`). */
function runSize(item: Item, index: number, deferred: number): number {
  return index >= deferred ? 0 : item.kind === 'align' ? paddingSize(item.address, item.alignment, item.max) : itemSize(item, noPadding);
}

/**
 * Adds the runs of the items from `from` on (a run starts there) to `runs`; with `stop`, ends
 * before a run starting at an item for which it is true. Returns that item (or the item count).
 */
function collectRuns(state: AssemblyState, runs: Runs, from: number, stop: ((item: number) => boolean) | null = null): number {
  const items = state.items;
  const deferred = state.deferredStart;
  const sectionNames = runs.names;
  let count = runs.count;
  let line = -1;
  let section = '';
  let sectionIndex = -1;
  let end = -1;
  for (let i = from; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === 'set') continue;
    const size = runSize(item, i, deferred);
    if (count > runs.count && line === item.range.line && section === item.section && end === item.address) {
      if (size > 0) runs.end[count - 1] = end = item.address + size;
      continue;
    }
    if (stop !== null && stop(i)) {
      runs.count = count;
      return i;
    }
    line = item.range.line;
    if (section !== item.section) {
      section = item.section;
      sectionIndex = sectionNames.indexOf(section);
      if (sectionIndex < 0) sectionIndex = sectionNames.push(section) - 1;
    }
    end = item.address + size;
    runs.line[count] = line;
    runs.section[count] = sectionIndex;
    runs.address[count] = item.address;
    runs.end[count] = end;
    runs.first[count] = i;
    count++;
  }
  runs.count = count;
  return items.length;
}

/** The runs after an edit, and which of them moved from the previous version's (from `previous` on). */
interface RunsAfterEdit {
  runs: Runs;
  moved: { from: number; to: number; previous: number };
}

/**
 * The runs after an edit: the previous version's before the edit, the edit's collected again, and
 * from the first run after it that starts where one of the previous version did, the previous
 * version's moved (lines by the line shift, addresses where their first item now sits).
 */
function runsAfterEdit(state: AssemblyState, before: Runs, runs: Runs, edit: ItemsAfterEdit, lineShift: number): RunsAfterEdit {
  const items = state.items;
  // The previous runs wholly before the run that holds the edit's first item's predecessor.
  let kept = 0;
  while (kept < before.count && before.first[kept]! < edit.prefix) kept++;
  if (kept > 0) kept--;
  runs.line.set(before.line.subarray(0, kept));
  runs.section.set(before.section.subarray(0, kept));
  runs.address.set(before.address.subarray(0, kept));
  runs.end.set(before.end.subarray(0, kept));
  runs.first.set(before.first.subarray(0, kept));
  runs.count = kept;
  // Section indexes are only names: the previous ones stay (the edit's new sections are added).
  for (const name of before.names) runs.names.push(name);
  const itemShift = edit.end - edit.oldEnd;
  let next = kept;
  const stoppedAt = collectRuns(state, runs, kept < before.count ? before.first[kept]! : 0, (i) => {
    if (i < edit.end) return false;
    while (next < before.count && before.first[next]! + itemShift < i) next++;
    return next < before.count && before.first[next]! + itemShift === i;
  });
  const deferred = state.deferredStart;
  const changed = edit.changedAlignments;
  let c = 0;
  // Per section, how far its runs moved: the same up to an alignment that pads differently (reading items costs more).
  const shiftOf = new Int32Array(runs.names.length);
  const known = new Uint8Array(runs.names.length);
  if (stoppedAt === items.length) return { runs, moved: { from: runs.count, to: runs.count, previous: 0 } };
  // Deferred .bss storage: some of it comes from lines above the edit (not moved), so the runs
  // that reach into it are collected again.
  const lastItem = (r: number): number => (r + 1 < before.count ? before.first[r + 1]! + itemShift : items.length);
  let stop = before.count;
  while (stop > next && lastItem(stop - 1) > deferred) stop--;
  const from = runs.count;
  const to = from + stop - next;
  // The moved runs in bulk, then their lines, items and places adjusted.
  runs.line.set(before.line.subarray(next, stop), from);
  runs.section.set(before.section.subarray(next, stop), from);
  runs.address.set(before.address.subarray(next, stop), from);
  runs.end.set(before.end.subarray(next, stop), from);
  runs.first.set(before.first.subarray(next, stop), from);
  for (let k = from; k < to; k++) {
    runs.line[k] += lineShift;
    runs.first[k] += itemShift;
  }
  for (let k = from; k < to; k++) {
    const first = runs.first[k]!;
    const section = runs.section[k]!;
    while (c < changed.length && changed[c]! < first) known[runs.names.indexOf(items[changed[c++]!]!.section)] = 0;
    if (known[section] === 0) {
      shiftOf[section] = items[first]!.address - runs.address[k]!;
      known[section] = 1;
    }
    const shift = shiftOf[section]!;
    const address = (runs.address[k] += shift);
    const last = k + 1 < to ? runs.first[k + 1]! : lastItem(stop - 1);
    if (c < changed.length && changed[c]! < last) {
      known[section] = 0;
      // An alignment in the run pads differently: its items are measured again.
      let end = address;
      for (let i = first; i < last; i++) if (items[i]!.kind !== 'set') end = items[i]!.address + runSize(items[i]!, i, deferred);
      runs.end[k] = end;
    } else runs.end[k] += shift;
  }
  runs.count = to;
  if (stop < before.count) collectRuns(state, runs, before.first[stop]! + itemShift);
  return { runs, moved: { from, to, previous: next } };
}

/** Sizes of items other than alignments (whose padding is computed where they sit). */
const noPadding = (): number => 0;
