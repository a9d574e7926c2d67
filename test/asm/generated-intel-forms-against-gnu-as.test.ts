// Generated differential test of Intel syntax: instruction forms sampled from the opcode table are
// decoded from seeded random bytes, spelled as `objdump -M intel` spells them (formatIntel), and
// assembled under `.intel_syntax noprefix` by both `as --32` and kboost; the bytes must be equal.
// Spellings `as` rejects are counted and printed apart; the pass rate is printed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPCODE_TABLE, decode, formatIntel, type OpcodeEntry } from '../../server/src/isa';
import { isEncodableEntry } from '../../server/src/asm/att-mnemonic-lookup';
import { assemble } from '../../server/src/asm';
import { assembleSnippetsWithGnuAs, gnuAsAvailable, hex } from './gnu-as-oracle';

const SAMPLES_PER_ENTRY = 4;

/**
 * Encoder gaps shared with AT&T syntax (not Intel parsing): movdir64b/enqcmd with a 16-bit address
 * register need 16-bit addressing of their memory operand. Counted and printed, not compared.
 */
const SHARED_ENCODER_GAPS = /^(addr16 )?(movdir64b|enqcmds?) [a-d]x,/;

/** A small deterministic generator (LCG), so the samples are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state >>> 8;
  };
}

/** A 3-byte VEX prefix for the entry, with random values where the row ignores L or W. */
function vexPrefix(e: OpcodeEntry, next: () => number): number[] {
  const vex = e.vex!;
  const pp = ({ 0: 0, 0x66: 1, 0xf3: 2, 0xf2: 3 } as Record<number, number>)[vex.pp]!;
  const l = vex.l === -1 ? next() % 2 : vex.l;
  const w = vex.w === -1 ? next() % 2 : vex.w;
  const vvvv = next() % 8;
  const map = ({ '0f': 1, '0f38': 2, '0f3a': 3 } as Record<string, number>)[e.map]!;
  return [0xc4, 0xe0 | map, (w << 7) | ((~vvvv & 15) << 3) | (l << 2) | pp];
}

/** Random instances of every encodable entry, spelled in objdump's Intel syntax. */
function sampleIntelTexts(): string[] {
  const next = random(20261127);
  const texts = new Set<string>();
  for (const e of OPCODE_TABLE.entries.filter(isEncodableEntry)) {
    for (let k = 0; k < SAMPLES_PER_ENTRY; k++) {
      const bytes: number[] = [];
      if (next() % 4 === 0) bytes.push(0x66);
      if (next() % 8 === 0) bytes.push(0x67);
      if (next() % 8 === 0) bytes.push([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65][next() % 6]!);
      if (next() % 10 === 0) bytes.push([0xf0, 0xf2, 0xf3][next() % 3]!);
      if (e.vex) bytes.push(...vexPrefix(e, next));
      else {
        if (e.mandatory > 0) bytes.push(e.mandatory);
        if (e.map !== 'primary') bytes.push(0x0f);
        if (e.map === '0f38') bytes.push(0x38);
        if (e.map === '0f3a') bytes.push(0x3a);
      }
      bytes.push(e.opcode + (e.opcodeRegister ? next() % 8 : 0));
      if (e.hasModrm) {
        let mod = next() % 4;
        if (e.mod === 'mem' && mod === 3) mod = next() % 3;
        if (e.mod === 'reg') mod = 3;
        bytes.push((mod << 6) | ((e.reg >= 0 ? e.reg : next() % 8) << 3) | (e.rm >= 0 ? e.rm : next() % 8));
      }
      for (let i = 0; i < 8; i++) bytes.push(next() & 0xff);
      const insn = decode(Uint8Array.from(bytes), 0, 0);
      if (insn.valid && insn.entry === e) texts.add(formatIntel(insn));
    }
  }
  return [...texts];
}

test('Intel-syntax forms sampled from the opcode table assemble like as --32', { skip: !gnuAsAvailable() && 'as not installed' }, () => {
  const texts = sampleIntelTexts();
  const reference = assembleSnippetsWithGnuAs(texts.map((t) => `.intel_syntax noprefix; ${t}`));
  let equal = 0;
  const asRejections: string[] = [];
  const gaps: string[] = [];
  const mismatches: string[] = [];
  texts.forEach((text, i) => {
    const theirs = reference[i];
    if (theirs === null || theirs === undefined) {
      asRejections.push(text);
      return;
    }
    if (SHARED_ENCODER_GAPS.test(text)) {
      gaps.push(text);
      return;
    }
    const image = assemble(`.intel_syntax noprefix\n${text}\n`);
    const errors = image.diagnostics.filter((d) => d.severity === 'error');
    const ours = image.sections.find((s) => s.name === '.text')?.bytes ?? new Uint8Array(0);
    if (errors.length > 0) mismatches.push(`${text}: we reject it (${errors[0]!.message}); as gives ${hex(theirs)}`);
    else if (hex(ours) === hex(theirs)) equal++;
    else mismatches.push(`${text}: ours ${hex(ours)}, as ${hex(theirs)}`);
  });
  const compared = texts.length - asRejections.length - gaps.length;
  console.log(`samples: ${texts.length}; as rejects ${asRejections.length} of objdump's Intel spellings:`);
  for (const t of asRejections) console.log(`  skipped (as rejects): ${t}`);
  console.log(`known encoder gaps shared with AT&T, not compared: ${gaps.length} (${gaps.join(' | ')})`);
  console.log(`byte-exact: ${equal} of ${compared} (${((100 * equal) / compared).toFixed(2)} %)`);
  assert.deepEqual(mismatches, []);
  assert.ok(equal > 1000, `expected well over a thousand compared forms, got ${equal}`);
});
