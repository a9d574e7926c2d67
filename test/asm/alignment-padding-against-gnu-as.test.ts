// Code-section alignment padding: for every gap from 1 to 40 bytes, kboost pads with the same
// no-op bytes (and the same jump over long padding) as `as --32`; data sections pad with zeros.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../server/src/asm';
import { assembleWithGnuAs, gnuAsAvailable, hex } from './gnu-as-oracle';

function paddingSource(): string {
  const parts: string[] = [];
  for (let gap = 1; gap <= 40; gap++) {
    parts.push(`.section .gap${gap},"ax",@progbits`, `.skip ${64 - gap}, 0xcc`, '.p2align 6', 'ret');
    parts.push(`.section .data${gap},"aw",@progbits`, `.skip ${16 - (gap % 16)}, 0xcc`, '.balign 16', '.byte 1');
  }
  parts.push('.text', 'nop', '.p2align 4,,10', 'nop', '.p2align 4,,2', 'ret', '.align 8, 0xcc', 'ret');
  return parts.join('\n') + '\n';
}

test('alignment padding equals as --32 for gaps of 1 to 40 bytes', { skip: !gnuAsAvailable() && 'as not installed' }, () => {
  const source = paddingSource();
  const ours = assemble(source);
  assert.deepEqual(ours.diagnostics, []);
  const theirs = assembleWithGnuAs(source);
  assert.ok(theirs.ok);
  for (const section of ours.sections) {
    if (section.size === 0) continue;
    assert.equal(hex(section.bytes), hex(theirs.sections.get(section.name)!.bytes), section.name);
  }
});
