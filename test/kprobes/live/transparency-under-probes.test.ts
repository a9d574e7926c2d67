// The key property of live probes: probing any instruction (one at a time, or all at once), in
// every profile, with a pre_handler alone (boosting allowed) or with a post_handler too, leaves the
// final registers, flags and memory exactly as in the unprobed run, and each probe's nhit equals
// the number of times its instruction ran (per rep iteration when 2.6.x single-steps it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capture, engineFor, executionCounts, loadProgram, PROFILE_CONFIGS, PT_REGS_ROUNDTRIP_HANDLER, runToHalt, textInstructions } from './live-probe-support';
import { TRANSPARENCY_PROGRAMS } from './transparency-programs';
import type { KprobeEngine, LiveKprobe } from '../../../server/src/kprobes/live';

const VARIANTS = [
  { label: 'pre_handler', post: false, asm: false },
  { label: 'pre+post_handler', post: true, asm: false },
  { label: 'assembly pre_handler (pt_regs * in %eax)', post: false, asm: true },
] as const;

const ASM_HANDLER = PT_REGS_ROUNDTRIP_HANDLER;

let coverage = 0;

for (const original of TRANSPARENCY_PROGRAMS) {
  const program = { name: original.name, source: original.source + ASM_HANDLER };
  const reference = loadProgram(program.source);
  assert.equal(runToHalt(reference.machine), 'halt');
  const expected = capture(reference);
  const handlerAt = reference.loaded.symbols.get('kp_handler')!;
  const probed = textInstructions(reference).filter((i) => i.mnemonic !== 'hlt' && i.address < handlerAt);
  const counts = executionCounts(program.source);

  for (const pc of PROFILE_CONFIGS) {
    for (const variant of VARIANTS) {
      const handlersFor = (engine: KprobeEngine) =>
        variant.asm ? { preHandler: engine.assemblyHandler(handlerAt) } : { preHandler: () => 0, ...(variant.post ? { postHandler: () => 0 } : {}) };
      const expectedHits = (address: number, nhit: number, steppedRep: boolean) => {
        const c = counts.get(address);
        const want = c === undefined ? 0 : steppedRep ? c.steps : c.executions;
        return nhit === want || (c !== undefined && nhit === c.executions);
      };

      test(`${program.name} / ${pc.label} / ${variant.label}: every instruction probed alone`, () => {
        for (const insn of probed) {
          const p = loadProgram(program.source);
          const engine = engineFor(p, pc.profile, pc.config);
          const r = engine.register({ address: insn.address, ...handlersFor(engine) });
          assert.ok(r.ok, `register at 0x${insn.address.toString(16)} (${insn.mnemonic}): ${r.ok ? '' : r.rule}`);
          if (!r.ok) continue;
          assert.equal(runToHalt(p.machine), 'halt', `${insn.mnemonic} at 0x${insn.address.toString(16)}`);
          assert.deepEqual(capture(p), expected, `${insn.mnemonic} at 0x${insn.address.toString(16)} changed the result`);
          assert.ok(expectedHits(insn.address, r.probe.nhit, pc.profile !== 'linux-6.1'), `nhit ${r.probe.nhit} for ${insn.mnemonic} at 0x${insn.address.toString(16)}: ${JSON.stringify(counts.get(insn.address))}`);
          assert.equal(r.probe.nmissed, 0);
          coverage++;
        }
      });

      test(`${program.name} / ${pc.label} / ${variant.label}: every instruction probed at once`, () => {
        const p = loadProgram(program.source);
        const engine = engineFor(p, pc.profile, pc.config);
        const probes: LiveKprobe[] = [];
        for (const insn of probed) {
          const r = engine.register({ address: insn.address, ...handlersFor(engine) });
          assert.ok(r.ok);
          if (r.ok) probes.push(r.probe);
        }
        assert.equal(runToHalt(p.machine), 'halt');
        assert.deepEqual(capture(p), expected);
        for (const probe of probes) {
          assert.ok(expectedHits(probe.address, probe.nhit, pc.profile !== 'linux-6.1'), `nhit ${probe.nhit} at 0x${probe.address.toString(16)}`);
        }
        assert.deepEqual(engine.errors, []);
        coverage += probes.length;
      });
    }
  }
}

test('transparency coverage: programs x instructions x profiles x handler variants', () => {
  assert.ok(coverage > 0);
  console.log(`# transparency: ${coverage} probed-instruction runs`);
});
