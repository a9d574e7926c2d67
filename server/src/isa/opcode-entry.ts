// A compiled opcode-table entry: one row of the table with its encoding parsed and its facts
// turned into the form the decoder, formatter, emulator and kprobe rules read directly.
//
// Entries are made only by opcode-table-compiler.ts; every other module treats them as read-only.

import type { ControlFlowKind, IsaExtension, OpcodeRow } from './opcode-row-schema';
import type { OperandCode } from './operand-codes';

export type LegacyMap = 'primary' | '0f' | '0f38' | '0f3a';

/** A mandatory-prefix requirement: -1 = none required (66 is an operand-size prefix), 0 = NP. */
export type MandatoryPrefix = -1 | 0 | 0x66 | 0xf3 | 0xf2;

export interface VexRequirement {
  /** VEX.L required: 0, 1, or -1 when ignored. */
  l: -1 | 0 | 1;
  w: -1 | 0 | 1;
  /** Implied prefix from VEX.pp: 0 (NP), 0x66, 0xf3, 0xf2. */
  pp: 0 | 0x66 | 0xf3 | 0xf2;
}

export interface OpcodeEntry {
  /** Position in the table, stable for one build; used as a dispatch key. */
  readonly id: number;
  readonly row: OpcodeRow;
  /** Intel mnemonic and AT&T base mnemonic (objdump's spelling before any suffix). */
  readonly mnemonic: string;
  readonly att: string;
  readonly operands: readonly OperandCode[];
  readonly map: LegacyMap;
  readonly vex: VexRequirement | null;
  /** The opcode byte; for `+r` rows the base of the eight. */
  readonly opcode: number;
  /** True for `+r` rows: the low three opcode bits name a register. */
  readonly opcodeRegister: boolean;
  readonly mandatory: MandatoryPrefix;
  readonly hasModrm: boolean;
  /** ModRM.reg required, or -1. */
  readonly reg: number;
  /** ModRM.mod requirement. */
  readonly mod: 'any' | 'mem' | 'reg';
  /** ModRM.rm required (with mod == 3), or -1. */
  readonly rm: number;
  readonly osize: 0 | 16 | 32;
  readonly asize: 0 | 16 | 32;
  /** Control flow and the branch facts kprobes rules read. */
  readonly flow: ControlFlowKind | null;
  readonly relative: boolean;
  readonly indirect: boolean;
  readonly far: boolean;
  /** EFLAGS masks (bit positions as in the register). */
  readonly flagsRead: number;
  readonly flagsWritten: number;
  readonly flagsUndefined: number;
  readonly writesIF: boolean;
  readonly writesTF: boolean;
  readonly lockable: boolean;
  readonly rep: 'rep' | 'repe' | null;
  readonly suffix: NonNullable<OpcodeRow['suffix']>;
  readonly ext: IsaExtension;
  readonly privileged: boolean;
  readonly undocumented: boolean;
  /** VSIB index register width for gathers, else null. */
  readonly vsib: 'xmm' | 'ymm' | null;
  /** Linux's booster bitmap lists this two-byte opcode as boostable (2.6.18; 6.1 adds 0F 1F). */
  readonly kernelTwoByteBoostable2618: boolean;
  readonly kernelTwoByteBoostable61: boolean;
  /** Linux's own decoder gets this instruction's length wrong (it reads no ModRM for it). */
  readonly kernelDecoderMissesModrm: boolean;
  /** SDM group name (`Grp5`) for group opcodes, else null. */
  readonly group: string | null;
}
