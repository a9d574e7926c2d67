// kretprobes through the trampoline, with and without the kretprobe-booster: the return handler
// sees the return value, the program returns to the real address (results unchanged), maxactive
// bounds pending instances (nmissed), and without the booster every return costs one more int3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerKretprobe } from '../../../server/src/kprobes/live';
import { PROFILE_IDS } from '../../../server/src/kprobes';
import { capture, engineFor, loadProgram, runToHalt } from './live-probe-support';

const FACT = `
.text
.globl _start
_start:
  push $5
  call fact
  add $4, %esp
  mov %eax, %ebx
  push $3
  call fact
  add $4, %esp
  hlt
fact:
  mov 4(%esp), %ecx
  cmp $1, %ecx
  jbe 1f
  dec %ecx
  push %ecx
  call fact
  add $4, %esp
  imul 4(%esp), %eax
  ret
1: mov $1, %eax
  ret
`;

for (const booster of [true, false]) {
  test(`kretprobe ${booster ? 'with' : 'without'} the booster: return values, real return addresses, traps per return`, () => {
    const reference = loadProgram(FACT);
    runToHalt(reference.machine);
    for (const profile of PROFILE_IDS) {
      const p = loadProgram(FACT);
      const engine = engineFor(p, profile);
      const values: number[] = [];
      const r = registerKretprobe(engine, { symbol: 'fact', booster, maxactive: 16, handler: (ctx) => void values.push(ctx.regs.ax) });
      assert.ok(r.ok);
      if (!r.ok) return;
      assert.equal(runToHalt(p.machine), 'halt', profile);
      assert.deepEqual(capture(p).regs, capture(reference).regs, profile);
      assert.deepEqual(values, [1, 2, 6, 24, 120, 1, 2, 6], profile);
      assert.equal(r.kretprobe.nhit, 8);
      assert.equal(r.kretprobe.nmissed, 0);
      const traps = engine.trace.filter((e) => e.kind === 'trap').length;
      assert.equal(traps, booster ? 8 : 16, `${profile}: int3 traps`);
      assert.ok(engine.trace.filter((e) => e.kind === 'kretprobe-return').every((e) => e.kind === 'kretprobe-return' && e.via === (booster ? 'booster' : 'int3')));
    }
  });
}

test('kretprobe maxactive: entries beyond it count nmissed and return normally', () => {
  for (const profile of PROFILE_IDS) {
    const p = loadProgram(FACT);
    const engine = engineFor(p, profile);
    const values: number[] = [];
    const r = registerKretprobe(engine, { symbol: 'fact', maxactive: 2, handler: (ctx) => void values.push(ctx.regs.ax) });
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(runToHalt(p.machine), 'halt');
    assert.equal(p.machine.getRegisters().ebx, 120);
    assert.equal(p.machine.getRegisters().eax, 6);
    // fact(5) nests 5 deep: 2 instances, 3 missed; fact(3): 2 instances, 1 missed.
    assert.equal(r.kretprobe.nmissed, 4, profile);
    assert.deepEqual(values, [24, 120, 2, 6], profile);
    assert.equal(r.kretprobe.nhit, 4);
  }
});
