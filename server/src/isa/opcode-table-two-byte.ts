// The two-byte opcode map (0F xx, Intel SDM Vol. 2 Table A-3) as decoded in 32-bit protected mode.
// The rows live in four files by instruction family; this one joins them. Not covered: 3DNow!
// (0F 0F ModRM imm8-opcode), which iced-x86 decodes but the kernel never uses, and the forms iced
// decodes only with non-default DecoderOptions (MPX, Cyrix, UMOV, LOADALL, mov tr, jmpe).

import type { OpcodeRow } from './opcode-row-schema';
import { TWO_BYTE_GENERAL_ROWS } from './opcode-table-two-byte-general';
import { TWO_BYTE_MMX_ROWS } from './opcode-table-two-byte-mmx';
import { TWO_BYTE_SSE_ROWS } from './opcode-table-two-byte-sse';
import { TWO_BYTE_SYSTEM_ROWS } from './opcode-table-two-byte-system';

export const TWO_BYTE_ROWS: OpcodeRow[] = [
  ...TWO_BYTE_GENERAL_ROWS,
  ...TWO_BYTE_SYSTEM_ROWS,
  ...TWO_BYTE_SSE_ROWS,
  ...TWO_BYTE_MMX_ROWS,
];
