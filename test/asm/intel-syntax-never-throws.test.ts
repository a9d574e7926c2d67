// Robustness of the Intel-syntax operand parser: random lines built from Intel pieces (PTR words,
// brackets, registers, segment colons, OFFSET, numbers) under `.intel_syntax noprefix` must give
// diagnostics, never an exception (which assemble() would report as an internal error).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../server/src/asm';

const PIECES = [
  'mov', 'add', 'jmp', 'call', 'fld', 'movzx', 'lea', 'push', 'ljmp', 'rep', 'stos', 'monitor', 'jmpw',
  'eax', 'ebx', 'esi', 'al', 'ax', 'st', 'st(1)', 'xmm0', 'ymm3', 'eiz', 'es', 'fs', 'cr0', 'DWORD', 'BYTE',
  'FWORD', 'FAR', 'PTR', 'OFFSET', 'FLAT', 'SHORT', '[', ']', '+', '-', '*', ':', ',', '(', ')', '4', '0x10',
  '10h', 'sym', '1b', '1f', '.', '$', '%eax', ';',
];

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state >>> 8;
  };
}

test('random Intel-syntax lines give diagnostics, never an internal error', () => {
  const next = random(4242);
  const lines: string[] = ['.intel_syntax noprefix', '1:'];
  for (let i = 0; i < 3000; i++) {
    const n = 1 + (next() % 9);
    const words: string[] = [];
    for (let k = 0; k < n; k++) words.push(PIECES[next() % PIECES.length]!);
    lines.push(words.join(next() % 2 ? ' ' : ''));
  }
  const image = assemble(lines.join('\n') + '\n');
  const internal = image.diagnostics.filter((d) => d.message.startsWith('internal assembler error'));
  assert.deepEqual(internal, []);
  assert.ok(image.diagnostics.length > 100, 'random lines should mostly be rejected');
});
