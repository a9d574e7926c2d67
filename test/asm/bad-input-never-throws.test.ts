// Bad input never makes the assembler throw or hang: random bytes, random token soup, a very long
// line. Every diagnostic points inside the text it is about.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type Image } from '../../server/src/asm';
import { readAsmFixtures } from './asm-fixture-files';

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state >>> 8;
  };
}

function checkRanges(source: string, image: Image): void {
  const lines = source.split('\n');
  for (const d of image.diagnostics) {
    assert.ok(d.line >= 0 && d.line < lines.length, `line ${d.line} of ${lines.length}`);
    assert.ok(d.start >= 0 && d.start <= d.end && d.end <= lines[d.line]!.length + 1, `range ${d.start}-${d.end} on a line of ${lines[d.line]!.length}`);
  }
}

const WORDS = [
  'movl', 'add', 'jmp', 'call', 'lock', 'rep', '.long', '.byte', '.section', '.p2align', '.set', '.fill', '1:', '1b', '1f',
  'x:', 'x', '%eax', '%al', '%es', '%cr0', '%st', '$', '*', '(', ')', ',', ':', ';', '#', '/*', '*/', '"', "'", '+', '-',
  '<<', '>>', '%', '/', '0x10', '-1', '999999999999999999999', '.', '=', '.L1', '\\', '@function',
];

test('random token soup assembles without throwing', () => {
  const next = random(7);
  for (let round = 0; round < 300; round++) {
    const lines: string[] = [];
    for (let l = 0; l < 20; l++) {
      const n = next() % 8;
      lines.push(Array.from({ length: n }, () => WORDS[next() % WORDS.length]!).join(next() % 2 ? ' ' : ''));
    }
    const source = lines.join('\n');
    checkRanges(source, assemble(source));
  }
});

test('random bytes assemble without throwing', () => {
  const next = random(11);
  for (let round = 0; round < 200; round++) {
    const bytes = Uint8Array.from({ length: 400 }, () => next() & 0xff);
    const source = Buffer.from(bytes).toString('latin1');
    checkRanges(source, assemble(source));
  }
});

test('a 10 MB line gives an error on that line, not a hang', () => {
  const source = '\tmovl ' + 'a'.repeat(10_000_000) + ' %eax\n';
  const image = assemble(source);
  assert.ok(image.diagnostics.some((d) => d.severity === 'error' && d.line === 0));
  checkRanges(source, image);
});

test('a fixed point is reached even when every branch depends on another', () => {
  const lines = ['top:'];
  for (let i = 0; i < 200; i++) lines.push(`\tjne L${(i * 37) % 200}`, `L${i}:`, '\t.p2align 2');
  lines.push('\tjmp top');
  const image = assemble(lines.join('\n'));
  assert.deepEqual(image.diagnostics.filter((d) => d.severity === 'error'), []);
});

test('mutated fixture lines never reach the internal-error guard', () => {
  const next = random(13);
  const lines = readAsmFixtures().flatMap((f) => f.source.split('\n'));
  for (let round = 0; round < 400; round++) {
    const picked = Array.from({ length: 12 }, () => {
      const line = lines[next() % lines.length]!;
      const cut = next() % (line.length + 1);
      const mode = next() % 3;
      return mode === 0 ? line.slice(0, cut) : mode === 1 ? line.slice(cut) : line.slice(0, cut) + WORDS[next() % WORDS.length] + line.slice(cut);
    });
    const source = picked.join('\n');
    const image = assemble(source);
    checkRanges(source, image);
    assert.ok(!image.diagnostics.some((d) => d.message.startsWith('internal assembler error')), source);
  }
});
