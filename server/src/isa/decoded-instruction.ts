// The decoder's result: one instruction taken apart, with its operands and its opcode-table entry.
//
// `decode()` (decoder.ts) returns this for every input, valid or not; it never throws. The
// formatters (format-att.ts, format-intel.ts) turn it into text, and later layers read the facts
// of `entry` (control flow, flags, LOCK/REP) without looking at bytes again.

import type { OpcodeEntry } from './opcode-entry';
import type { RegisterName } from './registers';

export type OpcodeMapId = 'primary' | '0f' | '0f38' | '0f3a' | 'vex0f' | 'vex0f38' | 'vex0f3a';

/** The legacy prefixes seen before the opcode, in their effect (the last of a kind wins). */
export interface PrefixState {
  /** How many prefix bytes (legacy, plus 2 or 3 for VEX) precede the opcode byte(s). */
  count: number;
  lock: boolean;
  /** The last of F2/F3, or 0. When it serves as a mandatory prefix it is not a `rep`. */
  rep: 0 | 0xf2 | 0xf3;
  /** The last segment override byte (26 2E 36 3E 64 65), or 0. */
  segment: number;
  operandSize: boolean; // 66
  addressSize: boolean; // 67
  /** Which prefix the opcode consumed as mandatory (0x66, 0xf2, 0xf3), or 0. */
  mandatory: number;
  vex: VexFields | null;
}

export interface VexFields {
  /** 2 for C5, 3 for C4. */
  size: 2 | 3;
  /** VEX.L: 0 = 128-bit, 1 = 256-bit. */
  l: 0 | 1;
  w: 0 | 1;
  /** VEX.vvvv decoded as a register number (0-7: in 32-bit mode bit 3 does not select a register). */
  vvvv: number;
  /** All four bits of VEX.vvvv, un-inverted; must be 0 (1111b encoded) when vvvv names no register. */
  vvvvRaw: number;
  /** Implied mandatory prefix: 0, 0x66, 0xf3, 0xf2. */
  pp: number;
}

export type Operand =
  | { kind: 'reg'; reg: RegisterName }
  | {
      kind: 'mem';
      /** Effective segment register name, and whether the instruction named it by a prefix. */
      segment: RegisterName;
      segmentOverride: boolean;
      base: RegisterName | null;
      index: RegisterName | null;
      scale: 1 | 2 | 4 | 8;
      /** Signed displacement (or unsigned absolute address when there is no base or index). */
      displacement: number;
      displacementSize: 0 | 1 | 2 | 4;
      /** Size of the accessed data in bytes (0 when not meaningful, as for `lea`). */
      size: number;
      /** True when a SIB byte was present (the formatter shows `%eiz` for an empty index). */
      sib: boolean;
      /** Address size of the effective address: 16 or 32. */
      addressSize: 16 | 32;
    }
  | { kind: 'imm'; value: number; size: number }
  | { kind: 'rel'; target: number }
  | { kind: 'far'; selector: number; offset: number }
  | { kind: 'const1' };

export interface DecodedInstruction {
  /** Address the instruction was decoded at (the caller's, not the buffer offset). */
  address: number;
  /** Bytes consumed; for an invalid encoding, the bytes examined up to the error (at least 1). */
  length: number;
  valid: boolean;
  /** Why the encoding is invalid, or null. */
  error: string | null;
  /** The instruction's bytes (a view into the caller's buffer). */
  bytes: Uint8Array;
  prefixes: PrefixState;
  map: OpcodeMapId;
  /** The opcode byte within its map. */
  opcode: number;
  modrm: number; // -1 when absent
  sib: number; // -1 when absent
  displacement: number;
  displacementSize: 0 | 1 | 2 | 4;
  /** First immediate (for `enter`: the imm16; for a far pointer: the offset), or 0. */
  immediate: number;
  immediateSize: 0 | 1 | 2 | 4;
  /** Second immediate (for `enter`: the imm8 level; for a far pointer: the selector), or 0. */
  immediate2: number;
  immediate2Size: 0 | 1 | 2;
  /** Operand size (16 or 32) and address size in effect. */
  operandSize: 16 | 32;
  addressSize: 16 | 32;
  /** Intel mnemonic ('(bad)' when invalid). */
  mnemonic: string;
  operands: Operand[];
  entry: OpcodeEntry | null;
}
