// Lines that differ only in their constants (`movl 8(%ebp),%eax`, `movl 300(%ebp),%eax`) share
// their parse and their encoding in kboost (cached-lines-by-number-shape.ts,
// instruction-encodings-by-shape.ts). Every value on both sides of each size boundary the encoder
// tests, in seeded orders (so any value may be the one parsed and encoded first), must give as's
// bytes: a value of another class taking a kept encoding would change the length or the opcode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../server/src/asm';
import { assembleWithGnuAs, gnuAsAvailable } from './gnu-as-oracle';

const BYTE = [-128, -127, -2, -1, 0, 1, 2, 3, 4, 126, 127, 128, 129, 254, 255];
const WORD = [...BYTE, -129, -32768, 256, 1000, 32767, 32768, 65535];
const LONG = [...WORD, -32769, 65536, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, -0x80000000];
/** Displacements wrap to 32 bits: beyond them, values whose low bits are zero or a byte. */
const DISP = [...LONG, 0x100000000, -0x100000000, 0x1000000ff, -0xffffffff];

/** Instruction forms with V standing for a constant, and the values each accepts. */
const FORMS: Array<[string, number[]]> = [
  ['addl $V, %eax', LONG], ['addl $V, %ecx', LONG], ['addw $V, %dx', WORD], ['addb $V, %bl', BYTE],
  ['andl $V, 8(%ebx)', LONG], ['cmpl $-V, %esi', LONG], ['testl $V, %eax', LONG], ['pushl $V', LONG],
  ['imull $V, %ecx, %edx', LONG], ['imul $V, %eax', LONG], ['movl $V, %eax', LONG], ['movw $V, 2(%esp)', WORD],
  ['shll $V, %eax', [0, 1, 2, 3, 7, 31]], ['rorw $V, %ax', [0, 1, 2, 15]], ['int $V', [0, 1, 3, 4, 127, 128, 255]],
  ['movl V(%ebp), %eax', DISP], ['movl V(%eax), %eax', DISP], ['movl -V(%esp), %edi', DISP],
  ['leal V(%esi,%edi,4), %edx', DISP], ['movl V(,%ecx,2), %eax', LONG], ['movl %eax, V', LONG],
  ['movl V+4(%ebx), %eax', LONG], ['movb V(%bp,%si), %al', WORD], ['movw V(%bp), %ax', WORD],
  ['enter $V, $V', WORD.filter((v) => v >= 0 && v <= 255)], ['ret $V', WORD.filter((v) => v >= 0)],
];

/** The same in Intel syntax (parsed each time, encodings shared by shape). */
const INTEL_FORMS: Array<[string, number[]]> = [
  ['add eax, V', LONG], ['add dx, V', WORD], ['cmp BYTE PTR [ebx], V', BYTE], ['imul ecx, edx, V', LONG],
  ['mov eax, DWORD PTR [ebp+V]', LONG], ['lea edx, [esi+edi*4+V]', LONG], ['mov ax, WORD PTR [bp+V]', WORD], ['shl eax, V', [0, 1, 2, 31]],
];

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shuffled<T>(xs: T[], random: () => number): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('lines that differ only in constants assemble as as --32 assembles them, whichever comes first', { skip: !gnuAsAvailable() }, () => {
  for (let seed = 1; seed <= 4; seed++) {
    const random = seeded(seed);
    const lines = ['\t.text'];
    for (const [form, values] of FORMS) {
      // Decimal, and hex for the non-negative ones: the same values written with other digits.
      for (const v of shuffled(values, random)) lines.push(`\t${form.replaceAll('V', random() < 0.5 || v < 0 ? String(v) : `0x${v.toString(16)}`)}`);
    }
    lines.push('\t.intel_syntax noprefix');
    for (const [form, values] of INTEL_FORMS) for (const v of shuffled(values, random)) lines.push(`\t${form.replaceAll('V', String(v))}`);
    const source = lines.join('\n') + '\n';
    const ours = assemble(source);
    assert.deepEqual(ours.diagnostics.filter((d) => d.severity === 'error'), [], `seed ${seed}: errors`);
    const gnu = assembleWithGnuAs(source);
    assert.ok(gnu.ok, gnu.ok ? '' : gnu.stderr);
    const text = ours.sections.find((s) => s.name === '.text')!;
    assert.deepEqual(Buffer.from(text.bytes).toString('hex'), Buffer.from(gnu.sections.get('.text')!.bytes).toString('hex'), `seed ${seed}: .text`);
  }
});
