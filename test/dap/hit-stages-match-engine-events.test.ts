// stepIn at a probe walks its hit one stage per stop. The oracle is an independent run of the same
// program with the KprobeEngine driven directly here: the engine's events of the first hit, in
// order, must be the adapter's stages (the "Hit stages" scope names each by the engine's event
// kind; `cpu` rows are the CPU's own moves, such as the copied instruction executed in the slot).
// At the slot stage EIP is in the slot page and the frame says so. Boosted (linux-6.1 without
// preemption), single-stepped (linux-2.6.18's first hit, linux-6.1 with preemption) and emulated
// (linux-6.1's jnz).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { assemble } from '../../server/src/asm';
import { Machine, loadImage } from '../../server/src/cpu';
import { DEFAULT_KERNEL_CONFIG, type KernelConfig, type ProfileId } from '../../server/src/kprobes';
import { KprobeEngine, type ProbeEvent } from '../../server/src/kprobes/live';
import { FIXTURES, hitStageKinds, launchWithBreakpoints, lineOf, shownRegisters, stepInThroughHit, topFrame, withAdapter } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'loop-and-call.s');

/**
 * The engine's events from registration to the end of the first hit of a probe on
 * `label`+`offset` (an optprobe's `optimized` included), from a run made here.
 */
function engineEventsOfFirstHit(source: string, profile: ProfileId, config: KernelConfig, label: string, offset: number, optimizeDelay?: number): ProbeEvent[] {
  const image = assemble(source);
  const machine = new Machine();
  const loaded = loadImage(machine, image);
  machine.memory.map(0x100000, 0x10000, 'rw');
  machine.setRegisters({ eip: loaded.symbols.get('_start')!, esp: 0x10fff0, eflags: 0x202 });
  const engine = new KprobeEngine(machine, { profile, config, image: loaded, ...(optimizeDelay !== undefined ? { optimizeDelay } : {}) });
  const r = engine.register({ symbol: label, offset, preHandler: () => 0 });
  assert.ok(r.ok);
  assert.equal(machine.run(100_000).stop.kind, 'halt');
  let last = 0;
  engine.trace.forEach((e, k) => { if ('hit' in e && e.hit === 1) last = k; });
  return engine.trace.slice(0, last + 1).filter((e) => e.kind !== 'arm');
}

interface WalkedStage { kind: string; words: string; eip: number; eipRow: string; frame: string; eax: number }

/** stepIn from the breakpoint until a plain step follows the hit; each stop's stage, frame and registers. */
async function walkHit(client: DebugClient): Promise<{ stages: WalkedStage[]; rows: string[] }> {
  const stages: WalkedStage[] = [];
  await stepInThroughHit(client, async (description) => {
    const frame = await topFrame(client);
    const regs = await shownRegisters(client);
    const eipRow = (await client.variablesRequest({ variablesReference: 1 })).body.variables.find((v) => v.name === 'eip')!.value;
    const rows = (await client.variablesRequest({ variablesReference: 3 })).body.variables;
    const last = rows[rows.length - 1]!;
    assert.equal(last.value, description, 'the stop describes the newest stage');
    stages.push({ kind: last.name.replace(/^\d+\. /, ''), words: description, eip: regs.eip!, eipRow, frame: frame.name, eax: regs.eax! });
  });
  return { stages, rows: await hitStageKinds(client) };
}

const OPTPROBE_PROGRAM = path.join(FIXTURES, 'optprobe-calls.s');

const CASES: Array<{ name: string; program?: string; profile: ProfileId; launch: Record<string, unknown>; config: KernelConfig; marker: string; label: string; offset: number; execution: string }> = [
  { name: 'boosted', profile: 'linux-6.1', launch: { preemption: 'off', optprobes: 'off' }, config: { preemption: false, optprobes: false }, marker: 'bp-loop', label: 'body', offset: 0, execution: 'boosted' },
  { name: 'single-stepped by TF', profile: 'linux-2.6.18', launch: {}, config: DEFAULT_KERNEL_CONFIG['linux-2.6.18'], marker: 'bp-loop', label: 'body', offset: 0, execution: 'single-step' },
  { name: 'single-stepped by a second int3', profile: 'linux-6.1', launch: {}, config: DEFAULT_KERNEL_CONFIG['linux-6.1'], marker: 'bp-loop', label: 'body', offset: 0, execution: 'single-step' },
  {
    name: 'optimized (detour buffer)', program: OPTPROBE_PROGRAM, profile: 'linux-6.1', launch: { optimizeDelay: 0 }, config: DEFAULT_KERNEL_CONFIG['linux-6.1'],
    marker: 'bp-f', label: 'f', offset: 0, execution: 'optimized',
  },
  { name: 'emulated', profile: 'linux-6.1', launch: {}, config: DEFAULT_KERNEL_CONFIG['linux-6.1'], marker: 'bp-jnz', label: 'body', offset: 3, execution: 'emulated' },
];

for (const c of CASES) {
  test(`stepIn walks a ${c.name} hit (${c.profile}) through the engine's own events`, async () => {
    const program = c.program ?? PROGRAM;
    const source = readFileSync(program, 'utf8');
    const expected = engineEventsOfFirstHit(source, c.profile, c.config, c.label, c.offset, c.launch.optimizeDelay as number | undefined);
    await withAdapter(async ({ client }) => {
      const stopped = client.waitForEvent('stopped');
      await launchWithBreakpoints(client, { program, profile: c.profile, ...c.launch }, [lineOf(source, c.marker)]);
      assert.equal((await stopped).body.reason, 'breakpoint');
      const { stages, rows } = await walkHit(client);
      assert.deepEqual(rows.filter((k) => k !== 'cpu'), expected.map((e) => e.kind));
      assert.deepEqual(stages.map((s) => s.kind), rows, 'one stop per stage');
      const slotEnter = expected.find((e) => e.kind === 'slot-enter');
      if (c.execution === 'optimized') {
        // The CPU's moves into and out of the detour buffer frame the engine's detour callback.
        assert.ok(expected.some((e) => e.kind === 'detour'));
        const into = stages.findIndex((s) => s.kind === 'cpu');
        assert.match(stages[into]!.frame, /^optprobe detour buffer of f\+0x0/);
        assert.equal(stages[stages.length - 1]!.kind, 'cpu');
        assert.match(stages[stages.length - 1]!.frame, /^f\+0x6$/);
        return;
      }
      if (c.execution === 'emulated') {
        assert.equal(slotEnter, undefined);
        assert.ok(expected.some((e) => e.kind === 'emulate'));
        return;
      }
      assert.ok(slotEnter !== undefined && slotEnter.kind === 'slot-enter');
      assert.equal(slotEnter.mode, c.execution);
      const atSlot = stages.find((s) => s.kind === 'slot-enter')!;
      assert.equal(atSlot.eip, slotEnter.slot, 'EIP in the slot at the slot stage');
      assert.match(atSlot.frame, /^kprobe slot of body\+0x0/);
      // The register names the place in the slot page, not a program symbol far below it.
      assert.match(atSlot.eipRow, /<kprobe slot page\+0x[0-9a-f]+>$/);
      // The copy (add %ecx,%eax with ecx = 3, eax = 0) ran in the slot: its stage shows eax = 3.
      const copy = stages.find((s) => s.kind === 'cpu')!;
      assert.equal(copy.eax, 3);
      assert.match(copy.frame, /^kprobe slot of body\+0x0/);
    });
  });
}
