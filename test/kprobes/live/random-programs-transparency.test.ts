// Transparency of live probes over 10,000 seeded random programs drawn from the opcode table
// (random-program-generator.ts). Each program is stepped once unprobed, counting how often each
// instruction runs; then it runs under two of the five configurations (rfc-2.6.15, linux-2.6.18,
// linux-6.1 with preemption off and on, linux-6.1 with optprobes due at once), each with a random
// probe set and a handler kind (host pre_handler, host pre+post_handler, assembly pre_handler with
// pt_regs in %eax); the choice rotates so every configuration meets every handler kind about
// 1,300 times (running all fifteen per program would take minutes of CI). Registers, data, the live stack and the end (hlt) must equal
// the unprobed run; each probe's nhit must equal its instruction's executions, nmissed 0.
// KBOOST_RANDOM_PROGRAMS=N changes the count, KBOOST_RANDOM_SEED the first seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../../server/src/asm';
import type { KernelConfig, ProfileId } from '../../../server/src/kprobes';
import { KprobeEngine, type KprobeRequest, type LiveKprobe } from '../../../server/src/kprobes/live';
import { randomProgram, Rng } from './random-program-generator';
import { instructionsIn, RecycledMachine, stepAndCount, type ExecutionCount } from './recycled-machine-runs';
import { PT_REGS_ROUNDTRIP_HANDLER } from './live-probe-support';

const PROGRAMS = Number(process.env.KBOOST_RANDOM_PROGRAMS ?? 10_000);
const FIRST_SEED = Number(process.env.KBOOST_RANDOM_SEED ?? 1);
const PER_TEST = 500;
const STEP_LIMIT = 200_000;

interface Configuration {
  label: string;
  profile: ProfileId;
  config: (seed: number) => KernelConfig | undefined;
  optimizeDelay?: number;
}

const CONFIGURATIONS: ReadonlyArray<Configuration> = [
  { label: 'rfc-2.6.15', profile: 'rfc-2.6.15', config: () => undefined },
  { label: 'linux-2.6.18', profile: 'linux-2.6.18', config: () => undefined },
  { label: 'linux-6.1 PREEMPTION=n', profile: 'linux-6.1', config: () => ({ preemption: false, optprobes: false }) },
  { label: 'linux-6.1 PREEMPTION=y', profile: 'linux-6.1', config: () => ({ preemption: true, optprobes: false }) },
  // Optprobes due at once; preemption alternates (it decides boosting of the probes not optimized).
  { label: 'linux-6.1 optprobes', profile: 'linux-6.1', config: (seed) => ({ preemption: seed % 2 === 0, optprobes: true }), optimizeDelay: 0 },
];
const HANDLERS = ['host pre_handler', 'host pre+post_handler', 'assembly pre_handler'] as const;

const ASM_HANDLER = PT_REGS_ROUNDTRIP_HANDLER;

/** What the run saw, per configuration: shows the test exercised every way a hit can run. */
const stats = new Map<string, { runs: number; probes: number; refused: number; hits: number; stages: Map<string, number> }>();

function statsOf(label: string) {
  let s = stats.get(label);
  if (s === undefined) stats.set(label, (s = { runs: 0, probes: 0, refused: 0, hits: 0, stages: new Map() }));
  return s;
}

/** nhit equals executions; a 2.6.x probe on a single-stepped rep instruction hits per iteration. */
function hitsMatch(profile: ProfileId, nhit: number, c: ExecutionCount | undefined): boolean {
  const executions = c?.executions ?? 0;
  return nhit === executions || (profile !== 'linux-6.1' && c !== undefined && nhit === c.steps);
}

function checkProgram(recycled: RecycledMachine, seed: number, index: number): void {
  const generated = randomProgram(seed);
  const image = assemble(generated.source + ASM_HANDLER);
  const errors = image.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `seed ${seed}: our assembler rejects the generated program`);
  const program = recycled.layout(image);
  assert.ok(typeof program !== 'string', `seed ${seed}: ${String(program)}`);
  if (typeof program === 'string') return;

  const reference = recycled.start(program);
  const counts = stepAndCount(reference, program, STEP_LIMIT);
  assert.ok(counts !== null, `seed ${seed}: the unprobed program does not end in hlt`);
  if (counts === null) return;
  const expected = recycled.capture(program);
  const text = program.loaded.sections.get('.text')!;
  const handlerAt = program.loaded.symbols.get('kp_handler')!;
  const candidates = instructionsIn(program, text.address, handlerAt).filter((i) => i.mnemonic !== 'hlt');

  const first = index % CONFIGURATIONS.length;
  const second = (first + 1 + (Math.floor(index / CONFIGURATIONS.length) % (CONFIGURATIONS.length - 1))) % CONFIGURATIONS.length;
  for (const k of [first, second]) {
    const configuration = CONFIGURATIONS[k]!;
    const handler = HANDLERS[(index + k) % HANDLERS.length]!;
    const where = `seed ${seed} / ${configuration.label} / ${handler}`;
    const rng = new Rng(seed * 31 + k + 1);
    const chosen = candidates.filter(() => rng.below(4) === 0);
    if (chosen.length === 0) chosen.push(candidates[rng.below(candidates.length)]!);

    const m = recycled.start(program);
    const config = configuration.config(seed);
    const engine: KprobeEngine = new KprobeEngine(m, {
      profile: configuration.profile, image: program.loaded,
      ...(config ? { config } : {}), ...(configuration.optimizeDelay !== undefined ? { optimizeDelay: configuration.optimizeDelay } : {}),
    });
    const handlers: Pick<KprobeRequest, 'preHandler' | 'postHandler'> =
      handler === 'assembly pre_handler' ? { preHandler: engine.assemblyHandler(handlerAt) }
        : handler === 'host pre+post_handler' ? { preHandler: () => 0, postHandler: () => 0 } : { preHandler: () => 0 };
    const probes: LiveKprobe[] = [];
    const s = statsOf(`${configuration.label} / ${handler}`);
    for (const insn of chosen) {
      const r = engine.register({ address: insn.address, ...handlers });
      if (r.ok) probes.push(r.probe);
      else s.refused++;
    }
    const run = m.run(STEP_LIMIT);
    assert.equal(run.stop.kind, 'halt', `${where}: the probed run stopped with ${JSON.stringify(run.stop)}; engine errors ${engine.errors.join('; ')}`);
    const got = recycled.capture(program);
    assert.deepEqual(got.regs, expected.regs, `${where}: registers differ from the unprobed run (probes at ${probes.map((p) => p.address.toString(16)).join(' ')})`);
    assert.ok(Buffer.compare(got.memory, expected.memory) === 0, `${where}: data or stack differ from the unprobed run (probes at ${probes.map((p) => p.address.toString(16)).join(' ')})`);
    for (const p of probes) {
      assert.ok(hitsMatch(configuration.profile, p.nhit, counts.get(p.address)), `${where}: nhit ${p.nhit} at 0x${p.address.toString(16)}, unprobed ${JSON.stringify(counts.get(p.address) ?? null)}`);
      assert.equal(p.nmissed, 0, `${where}: nmissed at 0x${p.address.toString(16)}`);
      s.hits += p.nhit;
    }
    assert.deepEqual(engine.errors, [], where);
    s.runs++;
    s.probes += probes.length;
    for (const e of engine.trace) {
      const stage = e.kind === 'slot-enter' ? `slot-${e.mode}` : e.kind;
      if (['slot-boosted', 'slot-single-step', 'emulate', 'detour', 'optimized', 'fixup', 'jump-back-written'].includes(stage)) s.stages.set(stage, (s.stages.get(stage) ?? 0) + 1);
    }
  }
}

const recycled = new RecycledMachine();
for (let first = 0; first < PROGRAMS; first += PER_TEST) {
  const last = Math.min(PROGRAMS, first + PER_TEST);
  test(`random programs, seeds ${FIRST_SEED + first}..${FIRST_SEED + last - 1}: probed runs end as the unprobed run`, () => {
    for (let i = first; i < last; i++) checkProgram(recycled, FIRST_SEED + i, i);
  });
}

test('every configuration saw boosted, single-stepped, emulated and optimized hits where it has them', () => {
  const total = (label: string, stage: string) =>
    [...stats].filter(([k]) => k.startsWith(`${label} /`)).reduce((n, [, s]) => n + (s.stages.get(stage) ?? 0), 0);
  for (const c of CONFIGURATIONS) console.log(`# ${c.label}: ${['slot-boosted', 'slot-single-step', 'emulate', 'fixup', 'jump-back-written', 'optimized', 'detour'].map((st) => `${st} ${total(c.label, st)}`).join(', ')}`);
  for (const [label, s] of stats) console.log(`# ${label}: ${s.runs} runs, ${s.probes} probes (${s.refused} refused), ${s.hits} hits`);
  if (PROGRAMS < 100) return;
  for (const c of CONFIGURATIONS) assert.ok(total(c.label, 'slot-single-step') > 0, `${c.label}: no single-stepped hit`);
  for (const label of ['rfc-2.6.15', 'linux-2.6.18', 'linux-6.1 PREEMPTION=n']) assert.ok(total(label, 'slot-boosted') > 0, `${label}: no boosted hit`);
  for (const label of ['rfc-2.6.15', 'linux-2.6.18']) assert.ok(total(label, 'jump-back-written') > 0 && total(label, 'fixup') > 0, label);
  assert.ok(total('linux-6.1 PREEMPTION=y', 'emulate') > 0);
  assert.ok(total('linux-6.1 optprobes', 'detour') > 0 && total('linux-6.1 optprobes', 'optimized') > 0);
});
