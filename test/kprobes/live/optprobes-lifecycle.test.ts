// Lifecycle of live optprobes (linux-6.1, CONFIG_OPTPROBES) and of aggregation with a post_handler:
// the pt_regs a handler sees through the detour equal what the int3 path shows (ip = probe + 1, as
// the kernel's optimized_callback sets it), register changes take effect, an IP change is ignored,
// optimized hits cost the model's optimized figure, unregistering restores the five bytes and frees
// the buffer, a post_handler joining or a probe inside the copied bytes unoptimizes (and leaving
// re-optimizes), and a post_handler joining a boosted site makes its next hits single-step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALIBRATION, kprobeHitCost, type KernelConfig } from '../../../server/src/kprobes';
import { INT3, classifyHits, jmpRel32, type KprobeEngine, type PtRegs } from '../../../server/src/kprobes/live';
import { capture, engineFor, loadProgram, runToHalt } from './live-probe-support';

const PROGRAM = `
.text
.globl _start
_start:
  mov $3, %ecx
  xor %eax, %eax
  xor %ebx, %ebx
body:
  add %ecx, %eax
  add $0x1000, %ebx
  dec %ecx
  jnz body
  push %eax
  pop %edx
  hlt
elsewhere:
  mov $0xdead, %esi
  hlt
`;

const OPT: KernelConfig = { preemption: true, optprobes: true };
const NO_OPT: KernelConfig = { preemption: true, optprobes: false };

function originalText(address: number, length: number): number[] {
  const p = loadProgram(PROGRAM);
  return [...(p.machine.memory.readBytes(address, length) as Uint8Array)];
}

function executions(engine: KprobeEngine, address: number): string[] {
  return classifyHits(engine.trace, address).map((h) => h.execution);
}

test('the handler sees the same pt_regs through the detour as through the int3 (ip = probe address + 1)', () => {
  const seen = (config: KernelConfig) => {
    const p = loadProgram(PROGRAM);
    const engine = engineFor(p, 'linux-6.1', config, { optimizeDelay: 0 });
    const regs: PtRegs[] = [];
    const r = engine.register({ symbol: 'body', preHandler: (ctx) => void regs.push({ ...ctx.regs }) });
    assert.ok(r.ok);
    assert.equal(runToHalt(p.machine), 'halt');
    return { regs, engine, address: r.ok ? r.probe.address : 0 };
  };
  const int3 = seen(NO_OPT);
  const detour = seen(OPT);
  assert.deepEqual(executions(int3.engine, int3.address), ['single-stepped', 'single-stepped', 'single-stepped']);
  assert.deepEqual(executions(detour.engine, detour.address), ['optimized', 'optimized', 'optimized']);
  assert.deepEqual(detour.regs, int3.regs);
  for (const r of detour.regs) assert.equal(r.ip, detour.address + 1);
  assert.deepEqual(detour.regs.map((r) => r.cx), [3, 2, 1]);
});

test('register changes through pt_regs take effect in the detour (host and assembly handlers); an IP change is ignored', () => {
  const ASM = PROGRAM + `
bump_ax:
  addl $100, 24(%eax)
  xor %eax, %eax
  ret
`;
  const final = (config: KernelConfig, kind: 'host' | 'asm' | 'ip') => {
    const p = loadProgram(ASM);
    const engine = engineFor(p, 'linux-6.1', config, { optimizeDelay: 0 });
    const elsewhere = p.loaded.symbols.get('elsewhere')!;
    const preHandler = kind === 'asm' ? engine.assemblyHandler(p.loaded.symbols.get('bump_ax')!)
      : kind === 'host' ? (ctx: { regs: PtRegs }) => { ctx.regs.ax += 100; }
        : (ctx: { regs: PtRegs }) => { ctx.regs.ip = elsewhere; return 1; };
    assert.ok(engine.register({ symbol: 'body', preHandler }).ok);
    assert.equal(runToHalt(p.machine), 'halt');
    return p.machine.getRegisters();
  };
  const unprobed = loadProgram(ASM);
  runToHalt(unprobed.machine);
  for (const kind of ['host', 'asm'] as const) {
    const viaDetour = final(OPT, kind);
    assert.deepEqual(viaDetour, final(NO_OPT, kind), kind);
    assert.equal(viaDetour.eax, unprobed.machine.getRegisters().eax + 300, kind);
  }
  // Through the int3 the handler's new IP is taken; an optimized probe ignores it.
  assert.equal(final(NO_OPT, 'ip').esi, 0xdead);
  assert.deepEqual(final(OPT, 'ip'), unprobed.machine.getRegisters());
});

test('every optimized hit counts in nhit and costs the overhead model\'s optimized figure (about 1/16 of a plain probe)', () => {
  const p = loadProgram(PROGRAM);
  const engine = engineFor(p, 'linux-6.1', OPT, { optimizeDelay: 0 });
  const r = engine.register({ symbol: 'body', preHandler: () => 0 });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(runToHalt(p.machine), 'halt');
  const hits = classifyHits(engine.trace, r.probe.address);
  assert.equal(hits.filter((h) => h.execution === 'optimized').length, r.probe.nhit);
  const cycles = hits.reduce((n, h) => n + kprobeHitCost('linux-6.1', h.execution as 'optimized').cycles, 0);
  assert.equal(cycles, r.probe.nhit * CALIBRATION.DETOUR);
  const ratio = CALIBRATION.PLAIN / kprobeHitCost('linux-6.1', 'optimized').cycles;
  assert.ok(Math.abs(ratio - 0.80 / 0.05) / 16 < 0.2, `plain/optimized ${ratio}`);
});

test('the optimizer waits for its delay in emulated instructions: hits before it trap, hits after it take the jump', () => {
  const p = loadProgram(PROGRAM);
  const engine = engineFor(p, 'linux-6.1', OPT, { optimizeDelay: 12 });
  const r = engine.register({ symbol: 'body', preHandler: () => 0 });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(engine.pendingOptimizations, 1);
  assert.equal(runToHalt(p.machine), 'halt');
  // The emulator counts the int3 traps and the slot's copy and int3 too: hits 1 and 2 come at
  // instructions 4 and 10, before the delay; hit 3 at 16 finds the worker due.
  assert.deepEqual(executions(engine, r.probe.address), ['single-stepped', 'single-stepped', 'optimized']);
  const jump = engine.trace.find((e) => e.kind === 'optimized');
  assert.ok(jump && jump.kind === 'optimized');
  assert.deepEqual(jump.jump, jmpRel32(r.probe.address, jump.buffer));
  assert.equal(jump.copied, 8);
});

test('unregistering an optimized probe puts back the int3-covered bytes, then the original byte, and frees the buffer', () => {
  const p = loadProgram(PROGRAM);
  const engine = engineFor(p, 'linux-6.1', OPT, { optimizeDelay: 0 });
  const r = engine.register({ symbol: 'body', preHandler: () => 0 });
  assert.ok(r.ok);
  if (!r.ok) return;
  const address = r.probe.address;
  const expected = originalText(address, 8);
  p.machine.hostBreakpoints.add(p.loaded.symbols.get('body')! + 8);
  assert.equal(p.machine.run(1000).stop.kind, 'breakpoint');
  const site = engine.site(address)!;
  const buffer = site.detour!.buffer;
  assert.deepEqual([...(p.machine.memory.readBytes(address, 5) as Uint8Array)], jmpRel32(address, buffer));
  assert.deepEqual([...engine.readOriginal(address, 8)], expected);
  assert.ok(engine.unregister(r.probe).ok);
  assert.deepEqual([...(p.machine.memory.readBytes(address, 8) as Uint8Array)], expected);
  assert.deepEqual(engine.trace.slice(-2).map((e) => e.kind), ['unoptimized', 'disarm']);
  assert.deepEqual([...(p.machine.memory.readBytes(buffer, 64) as Uint8Array)], new Array(64).fill(INT3));
  p.machine.hostBreakpoints.clear();
  assert.equal(runToHalt(p.machine), 'halt');
  const reference = loadProgram(PROGRAM);
  runToHalt(reference.machine);
  assert.deepEqual(capture(p), capture(reference));
});

/** Runs PROGRAM to the first `dec %ecx` after `body` (one hit done), lets `change` act, then to hlt. */
function runWithChangeAfterFirstHit(config: KernelConfig, profile: 'linux-6.1' | 'linux-2.6.18', change: (engine: KprobeEngine) => void) {
  const p = loadProgram(PROGRAM);
  const engine = engineFor(p, profile, config, { optimizeDelay: 0 });
  const r = engine.register({ symbol: 'body', preHandler: () => 0 });
  assert.ok(r.ok);
  const body = p.loaded.symbols.get('body')!;
  p.machine.hostBreakpoints.add(body + 8);
  assert.equal(p.machine.run(1000).stop.kind, 'breakpoint');
  assert.equal(engine.trace.filter((e) => e.kind === 'handler-leave').length, 1);
  change(engine);
  p.machine.hostBreakpoints.clear();
  assert.equal(runToHalt(p.machine), 'halt');
  const reference = loadProgram(PROGRAM);
  runToHalt(reference.machine);
  assert.deepEqual(capture(p), capture(reference));
  return { engine, address: body };
}

test('a post_handler joining an optimized probe unoptimizes it: the next hits single-step and run the post_handler; leaving re-optimizes', () => {
  const statuses: string[] = [];
  let post: ReturnType<KprobeEngine['register']> | null = null;
  const { engine, address } = runWithChangeAfterFirstHit(OPT, 'linux-6.1', (engine) => {
    post = engine.register({ symbol: 'body', postHandler: (ctx) => void statuses.push(ctx.status) });
  });
  assert.ok(post !== null && (post as { ok: boolean }).ok);
  assert.deepEqual(executions(engine, address), ['optimized', 'single-stepped', 'single-stepped']);
  assert.deepEqual(statuses, ['HIT_SSDONE', 'HIT_SSDONE']);
  const un = engine.trace.find((e) => e.kind === 'unoptimized');
  assert.ok(un && un.kind === 'unoptimized' && /post_handler/.test(un.reason));

  // The post_handler probe leaves: the aggregate is optimized again at the next hit.
  const again = runWithChangeAfterFirstHit(OPT, 'linux-6.1', (engine) => {
    const r = engine.register({ symbol: 'body', postHandler: () => 0 });
    assert.ok(r.ok);
    if (r.ok) assert.ok(engine.unregister(r.probe).ok);
  });
  assert.deepEqual(executions(again.engine, again.address), ['optimized', 'optimized', 'optimized']);
  assert.equal(again.engine.trace.filter((e) => e.kind === 'optimized').length, 2);
});

test('a probe registered inside the copied bytes unoptimizes the outer probe; unregistering it re-optimizes', () => {
  let inner: ReturnType<KprobeEngine['register']> | null = null;
  const { engine, address } = runWithChangeAfterFirstHit(OPT, 'linux-6.1', (engine) => {
    inner = engine.register({ address: engine.trace.find((e) => e.kind === 'arm')!.address + 2, preHandler: () => 0 });
  });
  assert.ok(inner !== null && (inner as { ok: boolean }).ok);
  assert.deepEqual(executions(engine, address), ['optimized', 'single-stepped', 'single-stepped']);
  assert.deepEqual(executions(engine, address + 2).length, 2);
  const un = engine.trace.find((e) => e.kind === 'unoptimized');
  assert.ok(un && un.kind === 'unoptimized' && /inside its copied instructions/.test(un.reason));

  const again = runWithChangeAfterFirstHit(OPT, 'linux-6.1', (engine) => {
    const r = engine.register({ address: engine.trace.find((e) => e.kind === 'arm')!.address + 2, preHandler: () => 0 });
    assert.ok(r.ok);
    if (r.ok) assert.ok(engine.unregister(r.probe).ok);
  });
  assert.deepEqual(executions(again.engine, again.address), ['optimized', 'optimized', 'optimized']);
});

test('a post_handler joining a boosted site disables boosting: its next hits single-step (6.1 and 2.6.18)', () => {
  const BOOSTING: KernelConfig = { preemption: false, optprobes: false };
  for (const profile of ['linux-6.1', 'linux-2.6.18'] as const) {
    const statuses: string[] = [];
    const { engine, address } = runWithChangeAfterFirstHit(BOOSTING, profile, (engine) => {
      // 2.6.18 boosts from the second hit on (lazy rule): its first hit was the measuring step.
      assert.ok(engine.register({ symbol: 'body', postHandler: (ctx) => void statuses.push(ctx.status) }).ok);
    });
    const first = profile === 'linux-6.1' ? 'boosted' : 'single-stepped';
    assert.deepEqual(executions(engine, address), [first, 'single-stepped', 'single-stepped'], profile);
    assert.deepEqual(statuses, ['HIT_SSDONE', 'HIT_SSDONE'], profile);
    if (profile === 'linux-6.1') {
      const site = engine.site(address)!;
      assert.equal(site.boosted, false);
      assert.deepEqual([...(engine.machine.memory.readBytes(site.slot, site.copy.length + 1) as Uint8Array)], [...site.copy, INT3]);
    }
  }
  // 6.1: when the post_handler probe leaves, the jmp back returns to the slot and hits are boosted again.
  const { engine, address } = runWithChangeAfterFirstHit(BOOSTING, 'linux-6.1', (engine) => {
    const r = engine.register({ symbol: 'body', postHandler: () => 0 });
    assert.ok(r.ok);
    if (r.ok) assert.ok(engine.unregister(r.probe).ok);
  });
  assert.deepEqual(executions(engine, address), ['boosted', 'boosted', 'boosted']);
  const tails = engine.trace.filter((e) => e.kind === 'slot-tail').map((e) => (e.kind === 'slot-tail' ? e.boosted : null));
  assert.deepEqual(tails, [false, true]);
});

test('kernel selftest through the detour: a pre_handler calling the probed function misses its nested hits (nmissed)', () => {
  const p = loadProgram(`
.text
.globl _start
_start:
  mov $5, %eax
  call target
  call target
  hlt
target:
  add $0x100, %eax
  ret
`);
  const engine = engineFor(p, 'linux-6.1', OPT, { optimizeDelay: 0 });
  const target = p.loaded.symbols.get('target')!;
  let pre = 0;
  const r = engine.register({ symbol: 'target', preHandler: (ctx) => { pre++; assert.equal(ctx.call(target), (ctx.regs.ax + 0x100) >>> 0); } });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(runToHalt(p.machine), 'halt');
  assert.equal(pre, 2);
  assert.equal(r.probe.nhit, 2);
  assert.equal(r.probe.nmissed, 2);
  assert.equal(p.machine.getRegisters().eax, 5 + 0x200);
  assert.deepEqual(classifyHits(engine.trace, target).map((h) => [h.execution, h.reentered]),
    [['optimized', false], ['optimized', true], ['optimized', false], ['optimized', true]]);
  assert.equal(engine.running, null);
});

test('a handler unregistering its own optimized probe: the detour runs to its end, the buffer is not freed under the CPU', () => {
  const p = loadProgram(PROGRAM);
  const engine = engineFor(p, 'linux-6.1', OPT, { optimizeDelay: 0 });
  let self: ReturnType<KprobeEngine['register']> | null = null;
  self = engine.register({ symbol: 'body', preHandler: () => { if (self?.ok) assert.ok(engine.unregister(self.probe).ok); } });
  assert.ok(self.ok);
  if (!self.ok) return;
  assert.equal(runToHalt(p.machine), 'halt');
  const reference = loadProgram(PROGRAM);
  runToHalt(reference.machine);
  assert.deepEqual(capture(p), capture(reference));
  assert.equal(self.probe.nhit, 1);
  assert.deepEqual(engine.trace.map((e) => e.kind).filter((k) => k !== 'handler-enter' && k !== 'handler-leave'), ['arm', 'optimized', 'detour', 'unoptimized', 'disarm']);
});
