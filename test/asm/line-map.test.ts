// The line map: every source line that produced code maps to its section, address and bytes,
// several statements on one line share one entry, and an address maps back to its line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, codeOfLine, lineAtAddress } from '../../server/src/asm';

const SOURCE = [
  '\t.text', //                        0
  'start:\tpush %ebp', //               1
  '\tmov %esp,%ebp; nop', //            2
  '\t/* a comment', //                  3
  '\t   spanning lines */ ret', //      4
  '\t.data', //                         5
  'value:\t.long 7', //                 6
  '\t.text', //                         7
  '\tjmp start', //                     8
].join('\n');

test('each line maps to its section, address and bytes', () => {
  const image = assemble(SOURCE);
  assert.deepEqual(image.diagnostics, []);
  const one = (line: number) => codeOfLine(image, line).map((c) => ({ section: c.section, address: c.address, bytes: [...c.bytes] }));
  assert.deepEqual(one(1), [{ section: '.text', address: 0, bytes: [0x55] }]);
  assert.deepEqual(one(2), [{ section: '.text', address: 1, bytes: [0x89, 0xe5, 0x90] }]);
  assert.deepEqual(one(4), [{ section: '.text', address: 4, bytes: [0xc3] }]);
  assert.deepEqual(one(6), [{ section: '.data', address: 0, bytes: [7, 0, 0, 0] }]);
  assert.deepEqual(one(8), [{ section: '.text', address: 5, bytes: [0xeb, 0xf9] }]);
});

test('an address maps back to the line whose bytes cover it', () => {
  const image = assemble(SOURCE);
  assert.equal(lineAtAddress(image, '.text', 0)?.line, 1);
  assert.equal(lineAtAddress(image, '.text', 2)?.line, 2);
  assert.equal(lineAtAddress(image, '.text', 3)?.line, 2);
  assert.equal(lineAtAddress(image, '.text', 6)?.line, 8);
  assert.equal(lineAtAddress(image, '.data', 3)?.line, 6);
  assert.equal(lineAtAddress(image, '.text', 7), null);
});

test('symbols carry binding, type and size', () => {
  const image = assemble('\t.globl f\n\t.type f, @function\nf:\tret\n\t.size f, .-f\nlocal:\tnop\n\tcall undefined_fn\n');
  const f = image.symbols.find((s) => s.name === 'f');
  assert.deepEqual({ ...f }, { name: 'f', section: '.text', value: 0, binding: 'global', type: 'function', size: 1, defined: true, common: false });
  assert.equal(image.symbols.find((s) => s.name === 'local')?.binding, 'local');
  assert.equal(image.symbols.find((s) => s.name === 'undefined_fn')?.defined, false);
  assert.deepEqual(image.relocations, [{ section: '.text', offset: 3, type: 'R_386_PC32', symbol: 'undefined_fn', addend: -4 }]);
});
