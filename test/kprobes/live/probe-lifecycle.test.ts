// Lifecycle of live probes: registration errors from the static verdicts, symbol+offset, the
// jump-back bytes the lazy rule writes (2.6.x), 6.1's slot (copy + jmp or copy + int3), aggregation,
// unregistering (byte restored, slot kept while the CPU is in it), handlers changing registers,
// the 2.6.18 prefix bug, and the kernel selftest of handlers calling the probed function.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INT3, jmpRel32, type ProbeContext } from '../../../server/src/kprobes/live';
import { PROFILE_IDS } from '../../../server/src/kprobes';
import { capture, engineFor, loadProgram, runToHalt } from './live-probe-support';

const LOOP = `
.text
.globl _start
_start:
  mov $3, %ecx
  xor %eax, %eax
body:
  add %ecx, %eax
  dec %ecx
  jnz body
  call f
  hlt
f:
  push %ebx
  pop %ebx
  ret
`;

function slotBytes(p: ReturnType<typeof loadProgram>, slot: number, n: number): number[] {
  return [...(p.machine.memory.readBytes(slot, n) as Uint8Array)];
}

test('2.6.x: the first hit single-steps, the lazy rule writes jmp rel32 after the copy, later hits are boosted', () => {
  for (const profile of ['rfc-2.6.15', 'linux-2.6.18'] as const) {
    const p = loadProgram(LOOP);
    const engine = engineFor(p, profile);
    const r = engine.register({ symbol: 'body', preHandler: () => 0 });
    assert.ok(r.ok);
    if (!r.ok) return;
    const site = engine.site(r.probe.address)!;
    assert.equal(site.boostable, 0);
    assert.equal(runToHalt(p.machine), 'halt');
    assert.equal(r.probe.nhit, 3);
    assert.equal(site.boostable, 1);
    assert.deepEqual(slotBytes(p, site.slot, 7), [0x01, 0xc8, ...jmpRel32(site.slot + 2, r.probe.address + 2)]);
    const kinds = engine.trace.filter((e) => e.kind === 'step-trap' || e.kind === 'jump-back-written' || (e.kind === 'slot-enter' && e.mode === 'boosted')).map((e) => e.kind);
    assert.deepEqual(kinds, ['step-trap', 'jump-back-written', 'slot-enter', 'slot-enter']);
    assert.equal(p.machine.getRegisters().eax, 6);
  }
});

test('2.6.x: a post_handler keeps every hit single-stepped and runs after each step (HIT_SSDONE)', () => {
  for (const profile of ['rfc-2.6.15', 'linux-2.6.18'] as const) {
    const p = loadProgram(LOOP);
    const engine = engineFor(p, profile);
    const statuses: string[] = [];
    const r = engine.register({ symbol: 'body', postHandler: (ctx) => void statuses.push(ctx.status) });
    assert.ok(r.ok);
    assert.equal(runToHalt(p.machine), 'halt');
    assert.deepEqual(statuses, ['HIT_SSDONE', 'HIT_SSDONE', 'HIT_SSDONE']);
    assert.equal(engine.trace.filter((e) => e.kind === 'step-trap').length, 3);
  }
});

test('2.6.x: call and pushf fix-ups; ret marks boostable 1 without a jump-back', () => {
  for (const profile of ['rfc-2.6.15', 'linux-2.6.18'] as const) {
    const p = loadProgram(`
.text
.globl _start
_start:
  call f
  pushf
  pop %edx
  hlt
f:
  ret
`);
    const engine = engineFor(p, profile);
    const call = engine.register({ symbol: '_start' });
    const pushf = engine.register({ symbol: '_start', offset: 5 });
    const ret = engine.register({ symbol: 'f' });
    assert.ok(call.ok && pushf.ok && ret.ok);
    assert.equal(runToHalt(p.machine), 'halt');
    assert.equal(p.machine.getRegisters().edx, 0x202, 'pushf pushed the original TF/IF');
    const rules = engine.trace.flatMap((e) => (e.kind === 'fixup' ? [e.rule] : []));
    assert.match(rules[0]!, /^call: pushed return address/);
    assert.match(rules[1]!, /^ret/);
    assert.match(rules[2]!, /^pushf/);
    assert.equal(engine.site(ret.probe.address)!.boostable, 1);
    assert.equal(engine.site(ret.probe.address)!.jumpBackAt, null);
  }
});

test('linux-2.6.18 and rfc-2.6.15: a prefixed ret (rep ret) is relocated as if relative, the kernel bug', () => {
  for (const profile of ['rfc-2.6.15', 'linux-2.6.18', 'linux-6.1'] as const) {
    const p = loadProgram(`
.text
.globl _start
_start:
  call f
  hlt
f:
  rep ret
`);
    const engine = engineFor(p, profile);
    const r = engine.register({ symbol: 'f' });
    assert.ok(r.ok);
    const stop = runToHalt(p.machine, 1000);
    if (profile === 'linux-6.1') {
      assert.equal(stop, 'halt', 'linux-6.1 emulates the ret');
      continue;
    }
    assert.notEqual(stop, 'halt', `${profile}: the relocated IP goes astray`);
    const fixup = engine.trace.find((e) => e.kind === 'fixup');
    assert.ok(fixup && fixup.kind === 'fixup' && /no special case/.test(fixup.rule));
    assert.equal(engine.site(r.probe.address)!.boostable, -1);
  }
});

test('linux-6.1: boosted copies end in jmp rel32, stepped ones in int3; the int3 step resumes at orig + length', () => {
  const p = loadProgram(LOOP);
  const engine = engineFor(p, 'linux-6.1', { preemption: false, optprobes: false });
  const add = engine.register({ symbol: 'body' });
  const shl = loadProgram(`
.text
.globl _start
_start:
  mov $1, %edx
  shl $3, %edx
  hlt
`);
  const engine2 = engineFor(shl, 'linux-6.1');
  const s = engine2.register({ symbol: '_start', offset: 5 });
  assert.ok(add.ok && s.ok);
  if (!add.ok || !s.ok) return;
  const a = engine.site(add.probe.address)!;
  assert.deepEqual(slotBytes(p, a.slot, 7), [0x01, 0xc8, ...jmpRel32(a.slot + 2, add.probe.address + 2)]);
  const b = engine2.site(s.probe.address)!;
  assert.deepEqual(slotBytes(shl, b.slot, 4), [0xc1, 0xe2, 0x03, INT3]);
  assert.equal(runToHalt(p.machine), 'halt');
  assert.equal(runToHalt(shl.machine), 'halt');
  assert.equal(shl.machine.getRegisters().edx, 8);
  const step = engine2.trace.find((e) => e.kind === 'step-trap');
  assert.ok(step && step.kind === 'step-trap' && step.by === 'int3' && step.ip === b.slot + 4);
  const fix = engine2.trace.find((e) => e.kind === 'fixup');
  assert.ok(fix && fix.kind === 'fixup' && fix.ipAfter === s.probe.address + 3);
});

test('registration errors come from the static verdicts', () => {
  const p = loadProgram(`
.text
.globl _start
_start:
  mov $0x12345678, %eax
  int3
  pop %ds
  pop %ss
  ljmp $0x10, $0
  call *(%eax)
  call *%eax
  hlt
`);
  const engine = engineFor(p, 'linux-6.1');
  const at = (offset: number) => engine.register({ symbol: '_start', offset });
  const errno = (r: ReturnType<typeof at>) => (r.ok ? 'ok' : r.errno);
  assert.equal(errno(at(1)), 'EILSEQ', 'inside the mov');
  assert.equal(errno(at(5)), 'EINVAL', 'int3');
  assert.equal(errno(at(6)), 'EINVAL', 'pop %ds (the header\'s "pop SS")');
  assert.equal(errno(at(7)), 'ok', 'the real pop %ss passes');
  assert.equal(errno(at(8)), 'EOPNOTSUPP', 'ljmp');
  assert.equal(errno(at(15)), 'EOPNOTSUPP', 'call through memory');
  assert.equal(errno(at(17)), 'ok', 'call through a register');
  assert.equal(errno(engine.register({ symbol: 'nowhere' })), 'ENOENT');
  const e26 = engineFor(loadProgram(`
.text
.globl _start
_start:
  mov $1, %eax
  hlt
`), 'linux-2.6.18');
  assert.equal(errno(e26.register({ symbol: '_start', offset: 2 })), 'EILSEQ');
});

test('aggregation: two probes at one address share one int3 and slot; both handlers run; unregister restores the byte', () => {
  for (const profile of PROFILE_IDS) {
    const p = loadProgram(LOOP);
    const engine = engineFor(p, profile);
    const calls: number[] = [];
    const a = engine.register({ symbol: 'body', preHandler: () => void calls.push(1) });
    const b = engine.register({ symbol: 'body', preHandler: () => void calls.push(2) });
    assert.ok(a.ok && b.ok);
    if (!a.ok || !b.ok) return;
    assert.equal(engine.trace.filter((e) => e.kind === 'arm').length, 1);
    assert.equal(runToHalt(p.machine), 'halt');
    assert.deepEqual(calls, [1, 2, 1, 2, 1, 2]);
    assert.equal(a.probe.nhit, 3);
    assert.equal(b.probe.nhit, 3);
    engine.unregister(a.probe);
    assert.equal((p.machine.memory.readBytes(a.probe.address, 1) as Uint8Array)[0], INT3, 'still armed for b');
    engine.unregister(b.probe);
    assert.equal((p.machine.memory.readBytes(a.probe.address, 1) as Uint8Array)[0], 0x01, 'original byte back');
    assert.ok(!engine.unregister(b.probe).ok);
  }
});

test('unregister: the program then runs unprobed, and a slot the CPU is in is freed only after it left', () => {
  for (const profile of PROFILE_IDS) {
    const reference = loadProgram(LOOP);
    runToHalt(reference.machine);
    const p = loadProgram(LOOP);
    const engine = engineFor(p, profile, { preemption: false, optprobes: false });
    const r = engine.register({ symbol: 'body' });
    assert.ok(r.ok);
    if (!r.ok) return;
    const site = engine.site(r.probe.address)!;
    // Run until the CPU is inside the slot, then unregister under it.
    let guard = 0;
    while ((p.machine.eip < site.slot || p.machine.eip >= site.slot + 16) && guard++ < 1000) p.machine.step();
    assert.ok(guard < 1000, `${profile}: reached the slot`);
    engine.unregister(r.probe);
    assert.equal(slotBytes(p, site.slot, 2)[0], 0x01, `${profile}: the copy stays while the CPU is in the slot`);
    const traps = engine.trace.filter((e) => e.kind === 'trap').length;
    assert.equal(runToHalt(p.machine), 'halt');
    assert.deepEqual(capture(p), capture(reference));
    assert.equal(engine.trace.filter((e) => e.kind === 'trap').length, traps, 'no more hits');
  }
});

test('handlers see and change a pt_regs view; a pre_handler returning 1 skips the instruction', () => {
  for (const profile of PROFILE_IDS) {
    const p = loadProgram(LOOP);
    const engine = engineFor(p, profile);
    const r = engine.register({
      symbol: 'body',
      preHandler: (ctx: ProbeContext) => {
        assert.equal(ctx.regs.ip, ctx.probe.address + 1, 'ip points after the int3, as on x86');
        ctx.regs.ip = ctx.probe.address + 2; // skip the add
        ctx.regs.ax = (ctx.regs.ax + 100) >>> 0;
        return 1;
      },
    });
    assert.ok(r.ok);
    assert.equal(runToHalt(p.machine), 'halt');
    assert.equal(p.machine.getRegisters().eax, 300);
    assert.equal(engine.trace.filter((e) => e.kind === 'ip-changed-by-handler').length, 3);
  }
});

test('kernel selftest: handlers that call the probed function end with nmissed == 2, each handler run once', () => {
  for (const profile of PROFILE_IDS) {
    const p = loadProgram(`
.text
.globl _start
_start:
  mov $5, %eax
  call target
  hlt
target:
  add $1, %eax
  ret
`);
    const engine = engineFor(p, profile);
    const target = p.loaded.symbols.get('target')!;
    let pre = 0;
    let post = 0;
    const r = engine.register({
      symbol: 'target',
      preHandler: (ctx) => { pre++; assert.equal(ctx.call(target), (ctx.regs.ax + 1) >>> 0); },
      postHandler: (ctx) => { post++; ctx.call(target); },
    });
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(runToHalt(p.machine), 'halt', profile);
    assert.equal(pre, 1, profile);
    assert.equal(post, 1, profile);
    assert.equal(r.probe.nmissed, 2, profile);
    assert.equal(r.probe.nhit, 1, profile);
    assert.equal(p.machine.getRegisters().eax, 6, profile);
    assert.equal(engine.running, null);
    assert.equal(engine.trace.filter((e) => e.kind === 'reenter').length, 2);
  }
});

test('assembly handlers get a struct pt_regs * in %eax and change registers through it', () => {
  for (const profile of PROFILE_IDS) {
    const p = loadProgram(`${LOOP}
add_ten:
  addl $10, 24(%eax)
  xor %eax, %eax
  ret
skip_add:
  addl $2, 48(%eax)
  addl $100, 24(%eax)
  mov $1, %eax
  ret
`);
    const engine = engineFor(p, profile);
    const r = engine.register({ symbol: 'body', preHandler: engine.assemblyHandler(p.loaded.symbols.get('add_ten')!) });
    assert.ok(r.ok);
    assert.equal(runToHalt(p.machine), 'halt');
    assert.equal(p.machine.getRegisters().eax, 36, `${profile}: 3 hits added 10 to %eax before each add`);
    const q = loadProgram(`${LOOP}
skip_add:
  movl 48(%eax), %edx
  inc %edx
  movl %edx, 48(%eax)
  addl $100, 24(%eax)
  mov $1, %eax
  ret
`);
    const e2 = engineFor(q, profile);
    const s = e2.register({ symbol: 'body', preHandler: e2.assemblyHandler(q.loaded.symbols.get('skip_add')!) });
    assert.ok(s.ok);
    assert.equal(runToHalt(q.machine), 'halt');
    assert.equal(q.machine.getRegisters().eax, 300, `${profile}: ip = int3 + 1 + 1 skips the add; the handler returned 1`);
  }
});

test('a fault while stepping the copy is reported at the probed address (kprobe_fault_handler)', () => {
  for (const profile of PROFILE_IDS) {
    const p = loadProgram(`
.text
.globl _start
_start:
  mov $0x10, %ebx
  mov (%ebx), %eax
  hlt
`);
    const engine = engineFor(p, profile);
    const r = engine.register({ symbol: '_start', offset: 5, postHandler: () => 0 });
    assert.ok(r.ok);
    if (!r.ok) return;
    const result = p.machine.run(100);
    assert.equal(result.stop.kind, 'exception', profile);
    if (result.stop.kind !== 'exception') return;
    // run() reports the CPU's own event (in the slot); the machine and the chain see the probed address.
    assert.ok(engine.trace.some((e) => e.kind === 'fixup' && /fault in the slot/.test(e.rule)), profile);
    assert.equal(p.machine.eip, r.probe.address, profile);
    assert.equal(p.machine.eflags & 0x100, 0, `${profile}: TF cleared`);
    assert.equal(engine.running, null);
  }
});
