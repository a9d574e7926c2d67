// How many first and last lines two versions of a document share: what lies between is what an
// edit changed. Caches keyed by line use it to touch only the changed lines; one document's
// caches share one comparison per version.

export interface UnchangedLineEnds {
  /** The version compared with. */
  previous: readonly string[];
  /** Lines equal at the start of both versions. */
  head: number;
  /** Lines equal at the end of both versions (not overlapping `head`). */
  tail: number;
}

/** `known` is used when it was computed against the same previous version (the same array). */
export function unchangedLineEnds(previous: readonly string[], next: readonly string[], known?: UnchangedLineEnds): UnchangedLineEnds {
  if (known !== undefined && known.previous === previous) return known;
  const most = Math.min(previous.length, next.length);
  let head = 0;
  while (head < most && previous[head] === next[head]) head++;
  let tail = 0;
  while (tail < most - head && previous[previous.length - 1 - tail] === next[next.length - 1 - tail]) tail++;
  return { previous, head, tail };
}
