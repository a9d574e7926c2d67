// Differential fuzz test of the decoder against iced-x86 (32-bit mode) on random byte sequences:
// where iced decodes an instruction we must too, with the same length; where iced says invalid,
// so must we. Also: decode never throws, and never reads beyond 15 bytes from its start (checked
// by decoding inside differently poisoned surroundings). The generator is seeded
// (KBOOST_FUZZ_SEED, printed in every failure) and biased toward prefixes and the 0F/VEX/x87 maps.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Code, CpuidFeature, Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction } from 'iced-x86';
import { decode } from '../../server/src/isa';
import type { DecodedInstruction } from '../../server/src/isa/decoded-instruction';
import {
  SeededRandom, describeOpcodePosition, fillBiasedSequence, hexOf, opcodePositionOf, SEQUENCE_BYTES,
} from './random-instruction-bytes';

const SEED = Number(process.env.KBOOST_FUZZ_SEED ?? 0x6b626f6f) >>> 0;
const COUNT = Number(process.env.KBOOST_FUZZ_COUNT ?? 1_000_000);
const POISON_SAMPLE = 50_000;
const SHOWN = 20;
/** Each sequence sits in a slot: 15 random bytes, then random padding a correct decoder never reads. */
const SLOT = 32;
const BATCH = 1 << 15;

/**
 * Extensions iced-x86 decodes in 32-bit mode that kboost's opcode table does not model (EVEX,
 * XOP, 3DNow!, MPX and newer or vendor-specific sets). Instructions of these are not compared:
 * kboost may call them invalid or decode another meaning there. Keep this the only such list.
 */
const EXCLUDED_FEATURES: readonly CpuidFeature[] = [
  CpuidFeature.AVX512F, CpuidFeature.AVX512VL, CpuidFeature.AVX512BW, CpuidFeature.AVX512CD,
  CpuidFeature.AVX512DQ, CpuidFeature.AVX512ER, CpuidFeature.AVX512PF, CpuidFeature.AVX512_4FMAPS,
  CpuidFeature.AVX512_4VNNIW, CpuidFeature.AVX512_BF16, CpuidFeature.AVX512_BITALG,
  CpuidFeature.AVX512_IFMA, CpuidFeature.AVX512_VBMI, CpuidFeature.AVX512_VBMI2,
  CpuidFeature.AVX512_VNNI, CpuidFeature.AVX512_VP2INTERSECT, CpuidFeature.AVX512_VPOPCNTDQ,
  CpuidFeature.AVX512_FP16,
  CpuidFeature.AMX_BF16, CpuidFeature.AMX_TILE, CpuidFeature.AMX_INT8, CpuidFeature.AMX_FP16, CpuidFeature.AMX_COMPLEX,
  CpuidFeature.XOP, CpuidFeature.TBM, CpuidFeature.LWP,
  CpuidFeature.D3NOW, CpuidFeature.D3NOWEXT, CpuidFeature.CYRIX_D3NOW, CpuidFeature.KNC,
  CpuidFeature.CYRIX_FPU, CpuidFeature.CYRIX_SMM, CpuidFeature.CYRIX_SMINT, CpuidFeature.CYRIX_SMINT_0F7E,
  CpuidFeature.CYRIX_SHR, CpuidFeature.CYRIX_DDI, CpuidFeature.CYRIX_EMMI, CpuidFeature.CYRIX_DMI,
  CpuidFeature.PADLOCK_ACE, CpuidFeature.PADLOCK_PHE, CpuidFeature.PADLOCK_PMM, CpuidFeature.PADLOCK_RNG,
  CpuidFeature.PADLOCK_GMI, CpuidFeature.PADLOCK_UNDOC, CpuidFeature.CENTAUR_AIS,
  CpuidFeature.MPX, 
  
  CpuidFeature.AVX_VNNI_INT16, CpuidFeature.SHA512, CpuidFeature.SM3, CpuidFeature.SM4,
  CpuidFeature.KL, CpuidFeature.AESKLE, CpuidFeature.WIDE_KL, CpuidFeature.ENQCMD, CpuidFeature.MOVDIRI,
  CpuidFeature.MOVDIR64B, CpuidFeature.PCONFIG, CpuidFeature.SGX1, CpuidFeature.TDX, CpuidFeature.RAO_INT,
  CpuidFeature.PREFETCHITI, CpuidFeature.MSRLIST, CpuidFeature.WRMSRNS, CpuidFeature.HRESET,
  CpuidFeature.TSXLDTRK, CpuidFeature.FRED, CpuidFeature.LKGS, CpuidFeature.INVLPGB, CpuidFeature.RDPRU,
  CpuidFeature.MCOMMIT, CpuidFeature.CLZERO, CpuidFeature.SEV_ES, CpuidFeature.SEV_SNP,
  CpuidFeature.RMPQUERY, CpuidFeature.UDBG, CpuidFeature.CMPCCXADD, CpuidFeature.UINTR,
];
const EXCLUDED = new Set<number>(EXCLUDED_FEATURES);


type Kind = 'iced valid, ours invalid' | 'iced invalid, ours valid' | 'length differs' | 'decode threw';

interface Disagreement {
  kind: Kind;
  index: number;
  bytes: Uint8Array;
  iced: string;
  ours: string;
}

function describeOurs(insn: DecodedInstruction): string {
  return insn.valid ? `${insn.mnemonic} (length ${insn.length})` : `invalid (${insn.error}, length ${insn.length})`;
}


/** One diagnostic per line: reporters escape the newlines inside one. */
function diagnoseLines(t: TestContext, text: string): void {
  for (const line of text.split('\n')) t.diagnostic(line.replace(/\t/g, '    '));
}

test(`decode agrees with iced-x86 on ${COUNT} random byte sequences (seed ${SEED})`, (t) => {
  const rng = new SeededRandom(SEED);
  const instr = new Instruction();
  const formatter = new Formatter(FormatterSyntax.Gas);
  const featuresOfCode = new Map<number, Int32Array>();
  const excludedByFeature = new Map<string, number>();
  const disagreements: Disagreement[] = [];
  const byKind = new Map<Kind, number>();
  const byOpcode = new Map<string, { count: number; example: string }>();
  const byMap = new Map<string, number>();
  let icedValid = 0;
  let icedInvalid = 0;
  let excluded = 0;
  let total = 0;
  const buffer = new Uint8Array(BATCH * SLOT);
  const started = Date.now();

  const record = (kind: Kind, index: number, at: number, iced: string, ours: string) => {
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const bytes = buffer.slice(at, at + SEQUENCE_BYTES);
    const key = `${describeOpcodePosition(bytes)}: ${kind}`;
    const mapKey = `${opcodePositionOf(bytes).map}: ${kind}`;
    byMap.set(mapKey, (byMap.get(mapKey) ?? 0) + 1);
    const line = `input ${index} ${hexOf(bytes)}  iced: ${iced}  ours: ${ours}`;
    const group = byOpcode.get(key) ?? { count: 0, example: line };
    group.count++;
    byOpcode.set(key, group);
    if (disagreements.length < SHOWN) disagreements.push({ kind, index, bytes, iced, ours });
  };

  for (let first = 0; first < COUNT; first += BATCH) {
    const n = Math.min(BATCH, COUNT - first);
    for (let k = 0; k < n; k++) {
      fillBiasedSequence(rng, buffer, k * SLOT);
      for (let p = SEQUENCE_BYTES; p < SLOT; p++) buffer[k * SLOT + p] = rng.byte();
    }
    const decoder = new Decoder(32, buffer.subarray(0, n * SLOT), DecoderOptions.None);
    try {
      for (let k = 0; k < n; k++) {
        const at = k * SLOT;
        const index = first + k;
        total++;
        decoder.position = at;
        decoder.decodeOut(instr);
        const code = instr.code;
        let ours: DecodedInstruction;
        try {
          ours = decode(buffer, at, 0x1000);
        } catch (e) {
          record('decode threw', index, at, code === Code.INVALID ? 'invalid' : formatter.format(instr), String(e));
          continue;
        }
        if (code === Code.INVALID) {
          icedInvalid++;
          if (ours.valid) record('iced invalid, ours valid', index, at, 'invalid', describeOurs(ours));
          continue;
        }
        let features = featuresOfCode.get(code);
        if (features === undefined) {
          features = instr.cpuidFeatures();
          featuresOfCode.set(code, features);
        }
        const out = features.find((f) => EXCLUDED.has(f));
        if (out !== undefined) {
          excluded++;
          const name = CpuidFeature[out];
          excludedByFeature.set(name, (excludedByFeature.get(name) ?? 0) + 1);
          continue;
        }
        icedValid++;
        const icedText = `'${formatter.format(instr)}' (${Code[code]}, length ${instr.length})`;
        if (!ours.valid) record('iced valid, ours invalid', index, at, icedText, describeOurs(ours));
        else if (ours.length !== instr.length) record('length differs', index, at, icedText, describeOurs(ours));
      }
    } finally {
      decoder.free();
    }
  }
  instr.free();
  formatter.free();

  const seconds = (Date.now() - started) / 1000;
  const disagreeing = [...byKind.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`seed ${SEED}: ${total} sequences in ${seconds.toFixed(1)} s; iced valid ${icedValid}, ` +
    `iced invalid ${icedInvalid}, excluded ${excluded}; disagreements ${disagreeing}`);
  const features = [...excludedByFeature.entries()].sort((a, b) => b[1] - a[1]);
  t.diagnostic(`excluded by feature: ${features.map(([f, c]) => `${f} ${c}`).join(', ')}`);
  for (const [kind, count] of byKind) t.diagnostic(`${kind}: ${count}`);
  const maps = [...byMap.entries()].sort((a, b) => b[1] - a[1]);
  if (maps.length > 0) diagnoseLines(t, `disagreements by map:\n${maps.map(([k, c]) => `${c}\t${k}`).join('\n')}`);
  // The most frequent opcodes of each kind, so a rare kind is not hidden by a frequent one.
  const groups = [...byOpcode.entries()].sort((a, b) => b[1].count - a[1].count);
  const groupLines: string[] = [];
  for (const kind of byKind.keys()) {
    const ofKind = groups.filter(([key]) => key.endsWith(`: ${kind}`));
    groupLines.push(`${kind}: ${ofKind.length} opcodes, top ${Math.min(15, ofKind.length)}:`);
    for (const [key, g] of ofKind.slice(0, 15)) groupLines.push(`${g.count}\t${key}\n\t\t${g.example}`);
  }
  if (groups.length > 0) diagnoseLines(t, `disagreements by opcode:\n${groupLines.join('\n')}`);
  const shown = disagreements.map((d) => `input ${d.index} [${d.kind}] ${hexOf(d.bytes)}  iced: ${d.iced}  ours: ${d.ours}`);
  assert.equal(disagreeing, 0, `seed ${SEED} (KBOOST_FUZZ_SEED): ${disagreeing} disagreements with iced-x86; first ${shown.length}:\n${shown.join('\n')}`);
});

/** Everything decode() says about an instruction, as a string, so two decodes compare with ===. */
function fingerprint(insn: DecodedInstruction): string {
  return JSON.stringify(insn, (key, value: unknown) => {
    if (key === 'entry') return (value as DecodedInstruction['entry'])?.id ?? null;
    if (value instanceof Uint8Array) return hexOf(value);
    return value;
  });
}

test(`decode never reads beyond 15 bytes from its start (${POISON_SAMPLE} inputs, seed ${SEED})`, () => {
  // Each input is decoded at offset 16 of three buffers that differ only outside [16, 31): a
  // decode that looks there (before its start or past 15 bytes) gives different results.
  const rng = new SeededRandom(SEED ^ 0x5a5a5a5a);
  const buffers = [new Uint8Array(48), new Uint8Array(48), new Uint8Array(48)];
  buffers[0]!.fill(0x66); // a prefix: a decoder reading on would keep going
  buffers[1]!.fill(0x0f); // an escape byte: changes the map if read
  const failures: string[] = [];
  let count = 0;
  for (let i = 0; i < POISON_SAMPLE; i++) {
    for (let p = 0; p < 48; p++) buffers[2]![p] = rng.byte();
    fillBiasedSequence(rng, buffers[0]!, 16);
    buffers[1]!.set(buffers[0]!.subarray(16, 31), 16);
    buffers[2]!.set(buffers[0]!.subarray(16, 31), 16);
    const results = buffers.map((b) => {
      try {
        const insn = decode(b, 16, 0x1000);
        if (insn.length < 1 || insn.length > 15) return `length ${insn.length} out of 1..15`;
        return fingerprint(insn);
      } catch (e) {
        return `threw ${String(e)}`;
      }
    });
    if (results[0] !== results[1] || results[0] !== results[2] || results[0]!.startsWith('threw') || results[0]!.startsWith('length')) {
      count++;
      if (failures.length < SHOWN) {
        failures.push(`input ${i} ${hexOf(buffers[0]!.subarray(16, 31))}\n\t66-poisoned: ${results[0]}\n\t0f-poisoned: ${results[1]}\n\trandom:      ${results[2]}`);
      }
    }
  }
  assert.equal(count, 0, `seed ${SEED} (KBOOST_FUZZ_SEED): ${count} inputs decode differently with different bytes outside their 15; first ${failures.length}:\n${failures.join('\n')}`);
});
