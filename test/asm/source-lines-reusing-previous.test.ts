// splitReusing against a fresh `split('\n')` of each version, over chains of seeded random edits
// of a text (chars and newlines inserted, deleted and replaced, at the ends too, and an empty text).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitReusing, type SplitSource } from '../../server/src/asm/source-lines-reusing-previous';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function startsOf(lines: string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const l of lines) {
    out.push(at);
    at += l.length + 1;
  }
  return out;
}

/** One random edit: a few chars (newlines among them) inserted, deleted or replaced anywhere. */
function edit(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const length = Math.floor(random() * 6);
  const pieces = ['\n', 'a', 'movl %eax, %ebx', '\n\n', ' ', '1:'];
  const inserted = random() < 0.7 ? pieces[Math.floor(random() * pieces.length)]! : '';
  const cut = random() < 0.5 ? length : 0;
  return text.slice(0, at) + inserted + text.slice(Math.min(text.length, at + cut));
}

test('splitReusing equals split() and its line starts after random edits', () => {
  for (const seed of [1, 2, 3, 4]) {
    const random = seeded(seed);
    // Blocks of equal lines make the unchanged prefix and suffix cross the comparison blocks.
    let text = Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? '' : `\tline ${i % 5}`)).join('\n');
    let split: SplitSource | null = null;
    for (let i = 0; i < 300; i++) {
      const next = splitReusing(text, split);
      const fresh = text.split('\n');
      assert.deepEqual(next.lines, fresh, `seed ${seed}, version ${i}`);
      assert.deepEqual([...next.starts], startsOf(fresh), `seed ${seed}, version ${i}: line starts`);
      // The unchanged ends it reports are lines both versions really share, without overlap.
      const before = split as SplitSource | null;
      const old: readonly string[] = before?.lines ?? [];
      assert.equal(next.previousLines, before?.lines ?? null);
      assert.ok(next.head + next.tail <= Math.min(old.length, fresh.length), `seed ${seed}, version ${i}: ends overlap`);
      assert.deepEqual(fresh.slice(0, next.head), old.slice(0, next.head), `seed ${seed}, version ${i}: head`);
      assert.deepEqual(fresh.slice(fresh.length - next.tail), old.slice(old.length - next.tail), `seed ${seed}, version ${i}: tail`);
      split = next;
      text = i % 50 === 49 ? '' : edit(text, random);
    }
  }
});
