// Live optprobes (linux-6.1, CONFIG_OPTPROBES) over every instruction of the transparency programs:
// with the optimizer due at once (and after a short delay, so early hits trap and later ones take
// the detour), the probed run ends in the unprobed run's state, nhit equals the executions, every
// hit after the jump is installed goes through the detour, and the jump is installed exactly where
// the static analysis (analyzeFunction over the function's original bytes) says optimizable, and
// only when no other probe sits in the copied instructions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFunction, type KernelConfig } from '../../../server/src/kprobes';
import { classifyHits, type KprobeEngine } from '../../../server/src/kprobes/live';
import { containingFunction } from '../../../server/src/kprobes/live/kprobe-registry';
import { capture, engineFor, executionCounts, loadProgram, PT_REGS_ROUNDTRIP_HANDLER, runToHalt, textInstructions, type LoadedProgram } from './live-probe-support';
import { TRANSPARENCY_PROGRAMS } from './transparency-programs';

const CONFIGS: ReadonlyArray<{ label: string; config: KernelConfig }> = [
  { label: 'PREEMPTION=y', config: { preemption: true, optprobes: true } },
  { label: 'PREEMPTION=n', config: { preemption: false, optprobes: true } },
];
const DELAYS = [0, 40];

const ASM_HANDLER = PT_REGS_ROUNDTRIP_HANDLER;

/** The static optprobe verdict of the instruction at `address`, from the unprobed program's bytes. */
function staticOptimizable(reference: LoadedProgram, address: number, config: KernelConfig): { ok: boolean; copied: number } {
  const fn = containingFunction(address, reference.loaded)!;
  const bytes = reference.machine.memory.readBytes(fn.start, fn.end - fn.start) as Uint8Array;
  const analysis = analyzeFunction({ name: fn.name, address: fn.start, bytes }, 'linux-6.1', { postHandler: false }, config);
  const o = analysis.instructions.find((i) => i.address === address)!.optimizable!;
  return { ok: o.ok, copied: o.copied ?? 0 };
}

/** Hits of the probe before and after the 'optimized' event, as the trace classifies them. */
function hitsAroundOptimization(engine: KprobeEngine, address: number): { optimizedAt: number; before: string[]; after: string[] } {
  const optimizedAt = engine.trace.findIndex((e) => e.kind === 'optimized' && e.address === address);
  const before = classifyHits(optimizedAt < 0 ? engine.trace : engine.trace.slice(0, optimizedAt), address).map((h) => h.execution);
  const after = optimizedAt < 0 ? [] : classifyHits(engine.trace.slice(optimizedAt), address).map((h) => h.execution);
  return { optimizedAt, before, after };
}

let runs = 0;
let optimizedRuns = 0;
let detourHits = 0;

for (const original of TRANSPARENCY_PROGRAMS) {
  const source = original.source + ASM_HANDLER;
  const reference = loadProgram(source);
  assert.equal(runToHalt(reference.machine), 'halt');
  const expected = capture(reference);
  const handlerAt = reference.loaded.symbols.get('kp_handler')!;
  const probed = textInstructions(reference).filter((i) => i.mnemonic !== 'hlt' && i.address < handlerAt);
  const counts = executionCounts(source);

  for (const { label, config } of CONFIGS) {
    for (const delay of DELAYS) {
      for (const asm of [false, true]) {
        test(`${original.name} / linux-6.1 ${label} optprobes, delay ${delay} / ${asm ? 'assembly' : 'host'} pre_handler: every instruction alone`, () => {
          for (const insn of probed) {
            const where = `${insn.mnemonic} at 0x${insn.address.toString(16)}`;
            const p = loadProgram(source);
            const engine = engineFor(p, 'linux-6.1', config, { optimizeDelay: delay });
            const r = engine.register({ address: insn.address, preHandler: asm ? engine.assemblyHandler(handlerAt) : () => 0 });
            assert.ok(r.ok, where);
            if (!r.ok) continue;
            assert.equal(runToHalt(p.machine), 'halt', where);
            assert.deepEqual(capture(p), expected, `${where} changed the result`);
            const executions = counts.get(insn.address)?.executions ?? 0;
            assert.equal(r.probe.nhit, executions, `${where}: nhit`);
            assert.equal(r.probe.nmissed, 0, where);
            const hits = hitsAroundOptimization(engine, insn.address);
            assert.equal(hits.before.length + hits.after.length, r.probe.nhit, `${where}: every hit is classified once`);
            assert.ok(hits.after.every((h) => h === 'optimized'), `${where}: after the jump: ${hits.after.join(',')}`);
            assert.ok(hits.before.every((h) => h !== 'optimized'), where);
            const fromStatic = staticOptimizable(reference, insn.address, config);
            if (!fromStatic.ok) assert.equal(hits.optimizedAt, -1, `${where}: optimized although the static analysis refuses`);
            else if (delay === 0 && executions > 0) {
              assert.ok(hits.optimizedAt >= 0, `${where}: the static analysis says optimizable, the live engine did not optimize`);
              assert.equal(engine.site(insn.address)!.detour!.copied, fromStatic.copied, where);
            }
            assert.deepEqual(engine.errors, []);
            runs++;
            if (hits.optimizedAt >= 0) optimizedRuns++;
            detourHits += hits.after.length;
          }
        });
      }
    }

    test(`${original.name} / linux-6.1 ${label} optprobes: every instruction probed at once`, () => {
      const p = loadProgram(source);
      const engine = engineFor(p, 'linux-6.1', config, { optimizeDelay: 0 });
      const addresses = new Set(probed.map((i) => i.address));
      const probes = probed.map((i) => engine.register({ address: i.address, preHandler: () => 0 }));
      assert.equal(runToHalt(p.machine), 'halt');
      assert.deepEqual(capture(p), expected);
      for (const [k, r] of probes.entries()) {
        assert.ok(r.ok);
        if (!r.ok) continue;
        const insn = probed[k]!;
        assert.equal(r.probe.nhit, counts.get(insn.address)?.executions ?? 0, `nhit at 0x${insn.address.toString(16)}`);
        const fromStatic = staticOptimizable(reference, insn.address, config);
        let otherProbeInside = false;
        for (let a = insn.address + 1; a < insn.address + fromStatic.copied; a++) otherProbeInside ||= addresses.has(a);
        const optimized = engine.trace.some((e) => e.kind === 'optimized' && e.address === insn.address);
        if (!fromStatic.ok || otherProbeInside) assert.equal(optimized, false, `0x${insn.address.toString(16)} optimized over another probe or against the static analysis`);
        else if (r.probe.nhit > 0) assert.equal(optimized, true, `0x${insn.address.toString(16)}: ${insn.mnemonic} should be optimized`);
      }
      assert.deepEqual(engine.errors, []);
    });
  }
}

test('optprobe transparency coverage', () => {
  assert.ok(optimizedRuns > 0 && detourHits > 0);
  console.log(`# optprobes: ${runs} probed-instruction runs, ${optimizedRuns} optimized, ${detourHits} detour hits`);
});
