// Splitting an edited document into lines, reusing the previous version's line strings: only the
// lines the edit touched are split again. The result equals `source.split('\n')`, and the line
// strings that did not change are the previous version's own objects, so later comparisons of
// the two versions' lines are mostly identity checks.

/** A text, its lines, and where each line starts in it. */
export interface SplitSource {
  source: string;
  lines: string[];
  starts: Int32Array;
  /**
   * The split this one was made from (null for the first), and how many of its first and last
   * lines this version shares (not overlapping): what lies between is what the edit changed.
   */
  previousLines: readonly string[] | null;
  head: number;
  tail: number;
}

/** Compared in blocks first: a native string comparison is much faster than a loop over chars. */
const BLOCK = 1024;

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + BLOCK <= n && a.substring(i, i + BLOCK) === b.substring(i, i + BLOCK)) i += BLOCK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Chars equal at the ends of both, at most `limit`. */
function commonSuffix(a: string, b: string, limit: number): number {
  let i = 0;
  while (i + BLOCK <= limit && a.substring(a.length - i - BLOCK, a.length - i) === b.substring(b.length - i - BLOCK, b.length - i)) i += BLOCK;
  while (i < limit && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

function startsOf(lines: readonly string[], from: number, at: number, out: Int32Array, index: number): void {
  let start = at;
  for (let i = from; i < lines.length; i++) {
    out[index++] = start;
    start += lines[i]!.length + 1;
  }
}

/** The last line starting at or before `offset`. */
function lineAt(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function splitReusing(source: string, previous: SplitSource | null): SplitSource {
  if (previous === null || previous.source === source) {
    if (previous !== null) return { ...previous, previousLines: previous.lines, head: previous.lines.length, tail: 0 };
    const lines = source.split('\n');
    const starts = new Int32Array(lines.length);
    startsOf(lines, 0, 0, starts, 0);
    return { source, lines, starts, previousLines: null, head: 0, tail: 0 };
  }
  const old = previous.source;
  const prefix = commonPrefix(old, source);
  const suffix = commonSuffix(old, source, Math.min(old.length, source.length) - prefix);
  const delta = source.length - old.length;
  // Lines before `first` end before the first changed char; lines from `last` on start after a
  // newline inside the unchanged end, so they are the same text in both versions.
  const first = lineAt(previous.starts, prefix);
  const unchangedEnd = old.length - suffix;
  // The first line after `first` starting past the unchanged end's first char (starts increase).
  let lo = first + 1;
  let hi = previous.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (previous.starts[mid]! - 1 >= unchangedEnd) hi = mid;
    else lo = mid + 1;
  }
  const last = lo;
  const middleStart = previous.starts[first]!;
  const middleEnd = last < previous.starts.length ? previous.starts[last]! - 1 + delta : source.length;
  const middle = source.substring(middleStart, middleEnd).split('\n');
  const lines = previous.lines.slice(0, first).concat(middle, previous.lines.slice(last));
  const starts = new Int32Array(lines.length);
  starts.set(previous.starts.subarray(0, first));
  startsOf(middle, 0, middleStart, starts, first);
  const moved = first + middle.length;
  for (let i = last; i < previous.starts.length; i++) starts[moved + i - last] = previous.starts[i]! + delta;
  return { source, lines, starts, previousLines: previous.lines, head: first, tail: previous.starts.length - last };
}
