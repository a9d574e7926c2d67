// A JSON array with one entry per instruction (diagnostics, line verdicts), written by copying the
// previous version's bytes wherever an entry is the same. An entry is a function of its
// instruction's line, columns and a number naming the rest (its verdict's wording), so equal keys
// give equal bytes: the instructions before an edit are copied as they are, those after it too,
// with their line numbers written over in place when the edit moved them (same digit count; an
// entry whose line gains a digit is written again). A run of copied entries is one native copy.

import { digitCount, type JsonByteBuilder } from './json-byte-builder';

/** What decides an entry's bytes, by instruction. */
export interface EntryKeys {
  readonly count: number;
  readonly line: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** The rest of the entry, as a number: equal numbers, equal bytes (0: the entry is empty). */
  readonly ids: Int32Array;
  /** Entries with more than the keys say (a contract's diagnostic): always written again. */
  readonly unkeyed: ReadonlyMap<number, unknown>;
  /** The document's line count: lines after an edit moved by the difference. */
  readonly lineCount: number;
}

/**
 * A written array: entry i is `buffer[at[i], at[i + 1])`, each entry ends with a comma, and the
 * array's last comma was written as `]` at `closedAt` (-1 if no entry ended the array). `buffer`
 * is the builder's once the message is finished (it may grow after the array).
 */
export interface WrittenEntries {
  readonly keys: EntryKeys;
  buffer: Buffer;
  readonly at: Int32Array;
  readonly closedAt: number;
  /** Entries copied from the previous version, and of those the ones whose lines were rewritten. */
  readonly copied: number;
  readonly moved: number;
}

/** Writes entry i (its comma included) at `out.position`. */
export type FreshEntry = (i: number) => void;
/** Writes `line` over an entry's line numbers (`was`, as many digits). */
export type LinePatch = (buf: Buffer, entryStart: number, i: number, was: number, line: number) => void;

/**
 * Writes the entries of `keys` into `out` (the array's `[` already written, and any entries before
 * these, each ending with a comma), then closes the array. `previous` must still hold its bytes.
 */
export function writeEntriesReusing(
  out: JsonByteBuilder, arrayStart: number, keys: EntryKeys, previous: WrittenEntries | null, fresh: FreshEntry, patch: LinePatch,
): WrittenEntries {
  const at = new Int32Array(keys.count + 1);
  const { count, line, start, end, ids, unkeyed } = keys;
  const old = previous?.keys;
  const oldCount = old?.count ?? 0;
  // Past the edit, instruction i was instruction i + shift, its line `delta` lines higher up.
  const shift = oldCount - count;
  const delta = keys.lineCount - (old?.lineCount ?? 0);
  // The pending run: new entries [runFrom, runTo) were old entries from runOld on, moved by runDelta.
  let runFrom = 0;
  let runTo = 0;
  let runOld = 0;
  let runDelta = 0;
  let copied = 0;
  let moved = 0;
  const flush = (): void => {
    const n = runTo - runFrom;
    if (n === 0) return;
    const src = previous!;
    const from = src.at[runOld]!;
    const to = src.at[runOld + n]!;
    const buf = out.reserve(to - from);
    const dest = out.position;
    src.buffer.copy(buf, dest, from, to);
    const shifted = dest - from;
    if (src.closedAt >= from && src.closedAt < to) buf[src.closedAt + shifted] = 0x2c; // ,
    for (let m = 0; m < n; m++) at[runFrom + m] = src.at[runOld + m]! + shifted;
    copied += n;
    if (runDelta !== 0) {
      moved += n;
      for (let m = 0; m < n; m++) {
        const i = runFrom + m;
        if (ids[i] !== 0) patch(buf, at[i]!, i, line[i]! - runDelta, line[i]!);
      }
    }
    out.position = dest + (to - from);
    runFrom = runTo;
  };
  /** Old entry j, moved by d lines, has new entry i's bytes. */
  const same = (i: number, j: number, d: number): boolean => {
    const o = old!;
    if (j < 0 || j >= oldCount || o.ids[j] !== ids[i] || o.start[j] !== start[i] || o.end[j] !== end[i]) return false;
    const l = line[i]!;
    if (o.line[j]! + d !== l || (d !== 0 && digitCount(l - d) !== digitCount(l))) return false;
    return o.unkeyed.size === 0 || !o.unkeyed.has(j);
  };
  for (let i = 0; i < count; i++) {
    if (old !== undefined && (unkeyed.size === 0 || !unkeyed.has(i))) {
      // The run goes on (a repetitive text matches both ways: the run is kept, not broken).
      if (runTo === i && runTo > runFrom && same(i, runOld + (i - runFrom), runDelta)) {
        runTo = i + 1;
        continue;
      }
      // Before the edit, the same entry at the same index; after it, the same entry moved.
      const j = same(i, i, 0) ? i : same(i, i + shift, delta) ? i + shift : -1;
      if (j >= 0) {
        flush();
        runFrom = i;
        runTo = i + 1;
        runOld = j;
        runDelta = line[i]! - old.line[j]!;
        continue;
      }
    }
    flush();
    runFrom = runTo = i + 1;
    at[i] = out.position;
    fresh(i);
  }
  flush();
  at[count] = out.position;
  // The last comma becomes the array's end.
  let closedAt = -1;
  const buf = out.reserve(1);
  if (out.position > arrayStart + 1 && buf[out.position - 1] === 0x2c) {
    closedAt = out.position - 1;
    buf[closedAt] = 0x5d; // ]
  } else {
    buf[out.position++] = 0x5d;
  }
  return { keys, buffer: buf, at, closedAt, copied, moved };
}
