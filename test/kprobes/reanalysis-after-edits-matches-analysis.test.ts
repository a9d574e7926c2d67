// reanalyzeFunction (work proportional to an edit) against analyzeFunction of the same bytes (the
// reference): real code assembled from the fixtures and samples, edited at random (bytes inserted,
// removed, replaced, runs of real instructions pasted, the function moved), each version re-analysed
// from the last one, under every profile and with optprobes on and off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble } from '../../server/src/asm';
import { seededUnitRandom } from '../seeded-unit-random';
import {
  DEFAULT_KERNEL_CONFIG, PROFILE_IDS, analyzeFunction, reanalyzeFunction, type InstructionProbe, type ProfileId, type ReusableFunctionAnalysis,
} from '../../server/src/kprobes';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCES = ['test/fixtures/lsp/verdicts-linux-2.6.18.S', 'samples/seed-walkthrough.S', 'samples/three-generations.S', 'test/fixtures/asm/branches-and-relaxation.s'];

const random = seededUnitRandom;

function textOf(file: string): Uint8Array {
  const image = assemble(readFileSync(path.join(ROOT, file), 'utf8'), { fileName: path.join(ROOT, file) });
  return image.sections.find((s) => s.name === '.text')!.bytes;
}

/** What a probe shows, its instruction and optprobe reason included (both read lazily when reused). */
function shown(list: readonly InstructionProbe[]): unknown {
  return list.map((p) => {
    const o = p.optimizable;
    return { address: p.address, insn: p.insn, verdict: p.verdict, optimizable: o && { ok: o.ok, why: o.why, copied: o.copied } };
  });
}

test('re-analysis after random edits equals analyzeFunction of the edited bytes', () => {
  const pool = SOURCES.map(textOf);
  const all = Uint8Array.from(pool.flatMap((b) => [...b]));
  assert.ok(all.length > 300, 'the fixtures assemble to code');
  const next = random(42);
  let compared = 0;
  let reusedSome = 0;
  const settings: Array<[ProfileId, boolean]> = [...PROFILE_IDS.map((p): [ProfileId, boolean] => [p, false]), ['linux-6.1', true]];
  for (const [round, [profile, postHandler]] of settings.flatMap((s) => [s, s, s]).entries()) {
    const base = pool[round % pool.length]!;
    const config = { ...DEFAULT_KERNEL_CONFIG[profile], ...(round % 2 === 0 ? { optprobes: true } : { optprobes: false }) };
    let bytes = [...base];
    let address = 0x1000 * (round + 1);
    let previous: ReusableFunctionAnalysis | null = null;
    for (let step = 0; step < 30; step++) {
      const at = Math.floor(next() * (bytes.length + 1));
      const kind = next();
      if (kind < 0.3) {
        // A run of real instructions' bytes from elsewhere, pasted.
        const from = Math.floor(next() * all.length);
        bytes.splice(at, 0, ...all.subarray(from, from + 1 + Math.floor(next() * 12)));
      } else if (kind < 0.5) bytes.splice(at, 1 + Math.floor(next() * 6));
      else if (kind < 0.7 && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = Math.floor(next() * 256);
      else if (kind < 0.8) address += Math.floor(next() * 64) - 32;
      else if (kind < 0.9) bytes.splice(at, 0, 0x90);
      // else: the same bytes again
      const fn = { name: 'f', address, bytes: Uint8Array.from(bytes) };
      const options = { postHandler };
      const again = reanalyzeFunction(fn, profile, options, config, previous);
      const reference = analyzeFunction(fn, profile, options, config).instructions;
      assert.deepEqual(shown(again.instructions), shown(reference), `${profile} round ${round} step ${step}`);
      if (previous !== null && again.instructions.some((p) => previous!.instructions.includes(p))) reusedSome++;
      previous = again;
      compared++;
    }
  }
  assert.equal(compared, settings.length * 3 * 30);
  assert.ok(reusedSome > 100, `only ${reusedSome} versions reused probes`);
});

test('an edit in a long function re-decodes only near the edit', () => {
  const lines = ['\t.text', 'f:'];
  for (let i = 0; i < 2000; i++) lines.push(i % 7 === 0 ? `1:\tmovl ${i}(%ebp), %eax` : i % 7 === 3 ? '\tjne 1b' : '\taddl $1, %eax');
  const bytes = assemble(lines.join('\n')).sections.find((s) => s.name === '.text')!.bytes;
  const config = DEFAULT_KERNEL_CONFIG['linux-6.1'];
  const first = reanalyzeFunction({ name: 'f', address: 0, bytes }, 'linux-6.1', { postHandler: false }, config, null);
  const middle = first.instructions[1000]!.address - 0;
  const edited = Uint8Array.from([...bytes.subarray(0, middle), 0x41, ...bytes.subarray(middle)]); // incl %ecx
  const second = reanalyzeFunction({ name: 'f', address: 0, bytes: edited }, 'linux-6.1', { postHandler: false }, config, first);
  assert.deepEqual(shown(second.instructions), shown(analyzeFunction({ name: 'f', address: 0, bytes: edited }, 'linux-6.1', { postHandler: false }, config).instructions));
  // Probes before the edit are the same objects; only a few around it are new.
  const kept = second.instructions.filter((p) => first.instructions.includes(p)).length;
  assert.ok(kept > 900, `only ${kept} probes kept as they were`);
});
