// x87 NaN results against the real CPU: two QNaN operands (equal significands with both signs,
// and a larger one) in both orders through every arithmetic form, and random sequences that start
// from an empty stack, so stack underflows meet fchs/fabs/fxch and arithmetic. Each case stores
// the three top registers (80-bit) and the status word; the same ELF runs natively and emulated.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { seededRandom, tempDir, type SnippetCase, runHarnessBothWays } from './native-snippet-harness';
import { hasCommand } from './cpu-test-support';

const skip = !hasCommand('as') || !hasCommand('ld') || process.arch !== 'x64' ? 'needs GNU as, ld and an x86-64 host' : false;

/** data+0: -QNaN C000..., data+16: +QNaN C000..., data+32: -QNaN E000... (80-bit). */
const NANS = [
  'movl $0, data', 'movl $0xc0000000, data+4', 'movw $0xffff, data+8',
  'movl $0, data+16', 'movl $0xc0000000, data+20', 'movw $0x7fff, data+24',
  'movl $0, data+32', 'movl $0xe0000000, data+36', 'movw $0xffff, data+40',
].join('\n');

/** Stores ST(0..2) at data+0/10/20 and the status word at data+30 (fstpt pops; fnstsw first). */
const DUMP = 'fnstsw data+30\nfstpt data\nfstpt data+10\nfstpt data+20';

function nanCases(): string[] {
  const out: string[] = [];
  const pairs = [[0, 16], [16, 0], [0, 32], [32, 0], [16, 32], [32, 16]];
  for (const op of ['faddp', 'fsubp', 'fsubrp', 'fmulp', 'fdivp', 'fdivrp']) {
    for (const [x, y] of pairs) out.push(`${NANS}\nfninit\nfldt data+${x}\nfldt data+${y}\n${op}\nfld1\nfld1\n${DUMP}`);
  }
  for (const op of ['fadd', 'fsub', 'fsubr', 'fmul', 'fdiv', 'fdivr']) {
    for (const [x, y] of pairs.slice(0, 2)) {
      out.push(`${NANS}\nfninit\nfldt data+${x}\nfldt data+${y}\n${op} %st(1), %st\nfld1\n${DUMP}`);
      out.push(`${NANS}\nfninit\nfldt data+${x}\nfldt data+${y}\n${op} %st, %st(1)\nfld1\n${DUMP}`);
    }
  }
  return out;
}

function underflowCases(next: () => number, count: number): string[] {
  const ops = [
    'fildl data+48', 'flds data+52', 'fld1', 'fldz', 'faddp', 'fmulp', 'fsubp', 'fsubrp', 'fdivp', 'fdivrp',
    'fxch %st(1)', 'fchs', 'fabs', 'fadd %st(1), %st', 'fsub %st, %st(1)', 'fld %st(0)',
  ];
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const lines = ['movl $7, data+48', 'movl $0x3fc00000, data+52', 'fninit'];
    for (let j = 1 + (next() % 5); j > 0; j--) lines.push(ops[next() % ops.length]!);
    lines.push(DUMP);
    out.push(lines.join('\n'));
  }
  return out;
}

const dir = tempDir();
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

test('x87 NaN propagation and stack-underflow results agree with the real CPU', { skip }, () => {
  const snippets = [...nanCases(), ...underflowCases(seededRandom(0x4e614e), 300)];
  const cases: SnippetCase[] = snippets.map((snippet) => ({
    snippet, state: { eax: 0, ecx: 0, edx: 0, ebx: 0, ebp: 0, esi: 0, edi: 0, eflags: 0, data: new Array<number>(64).fill(0) },
  }));
  const ran = runHarnessBothWays(dir, 'x87-nan', cases);
  if ('error' in ran) return assert.fail(ran.error);
  const { native, emulated } = ran;
  const hexBytes = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join('');
  const failures: string[] = [];
  snippets.forEach((s, k) => {
    const n = hexBytes(native[k]!.data.slice(0, 32));
    const e = emulated[k] ? hexBytes(emulated[k]!.data.slice(0, 32)) : 'missing';
    if (n !== e) failures.push(`${s.split('\n').slice(NANS.split('\n').length).join('; ')}\n  native   ${n}\n  emulator ${e}`);
  });
  assert.deepEqual(failures.slice(0, 5), []);
});
