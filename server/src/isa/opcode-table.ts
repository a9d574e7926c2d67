// The opcode table: every row of every map, compiled once. This is the single source of truth that
// the decoder, formatters, assembler encodings, emulator dispatch and kprobe rules all read.

import type { OpcodeRow } from './opcode-row-schema';
import { compileOpcodeTable, type CompiledOpcodeTable } from './opcode-table-compiler';
import { PRIMARY_ROWS } from './opcode-table-primary';
import { TWO_BYTE_ROWS } from './opcode-table-two-byte';
import { THREE_BYTE_ROWS } from './opcode-table-three-byte';
import { X87_ROWS } from './opcode-table-x87';
import { VEX_ROWS } from './opcode-table-vex';

export const OPCODE_ROWS: readonly OpcodeRow[] = [
  ...PRIMARY_ROWS,
  ...TWO_BYTE_ROWS,
  ...THREE_BYTE_ROWS,
  ...X87_ROWS,
  ...VEX_ROWS,
];

export const OPCODE_TABLE: CompiledOpcodeTable = compileOpcodeTable(OPCODE_ROWS);
