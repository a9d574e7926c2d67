// Instruction texts sampled from the opcode table for the generated assembler tests: every entry
// the encoder supports, decoded from seeded random bytes and spelled as objdump spells it.

import { OPCODE_TABLE, decode, type DecodedInstruction, type OpcodeEntry } from '../../server/src/isa';
import { isEncodableEntry } from '../../server/src/asm/att-mnemonic-lookup';

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

/**
 * Random instances of every encodable entry of the table (prefixes, VEX fields, ModRM chosen at
 * random within the row's constraints), decoded and spelled by `format`. Seeded: same every run.
 */
export function sampleEntryTexts(seed: number, samplesPerEntry: number, format: (insn: DecodedInstruction) => string): string[] {
  const next = random(seed);
  const texts = new Set<string>();
  for (const e of OPCODE_TABLE.entries.filter(isEncodableEntry)) {
    for (let k = 0; k < samplesPerEntry; k++) {
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
      if (insn.valid && insn.entry === e) texts.add(format(insn));
    }
  }
  return [...texts];
}
