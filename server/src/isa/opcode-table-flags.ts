// Flag-effect constants shared by the opcode-table files, named after the instruction families
// of the Intel SDM (Volume 1 Appendix A, "EFLAGS Cross-Reference"), and the condition codes.

import type { FlagEffects } from './opcode-row-schema';

/** add, sub, cmp, neg, cmpxchg, xadd: all six status flags computed. */
export const ARITH: FlagEffects = { w: 'OSZAPC' };
/** adc, sbb: as ARITH, reading CF. */
export const ARITH_CARRY: FlagEffects = { r: 'C', w: 'OSZAPC' };
/** and, or, xor, test: OF and CF cleared, AF undefined. */
export const LOGIC: FlagEffects = { w: 'OSZAPC', u: 'A' };
/** inc, dec: CF untouched. */
export const INC_DEC: FlagEffects = { w: 'OSZAP' };
/** shl, shr, sar, shld, shrd: OF defined only for a count of 1, AF undefined. */
export const SHIFT: FlagEffects = { w: 'OSZAPC', u: 'OA' };
/** rol, ror: only CF and OF (OF undefined for counts other than 1). */
export const ROTATE: FlagEffects = { w: 'OC', u: 'O' };
/** rcl, rcr: as ROTATE, reading CF. */
export const ROTATE_CARRY: FlagEffects = { r: 'C', w: 'OC', u: 'O' };
/** mul, imul: OF and CF computed, the rest undefined. */
export const MULTIPLY: FlagEffects = { w: 'OSZAPC', u: 'SZAP' };
/** div, idiv: every status flag undefined. */
export const DIVIDE: FlagEffects = { w: 'OSZAPC', u: 'OSZAPC' };
/** bt, bts, btr, btc: CF is the bit, ZF kept, the others undefined. */
export const BIT_TEST: FlagEffects = { w: 'OSAPC', u: 'OSAP' };
/** bsf, bsr: ZF computed, the rest undefined. */
export const BIT_SCAN: FlagEffects = { w: 'OSZAPC', u: 'OSAPC' };
/** String compares (cmps, scas) read DF and compute all six. */
export const STRING_COMPARE: FlagEffects = { r: 'D', w: 'OSZAPC' };
/** Other string instructions read only DF. */
export const STRING: FlagEffects = { r: 'D' };
/** popf and iret may change every flag, IF and TF among them. */
export const ALL_FLAGS = 'OSZAPCDITNRKJL';
export const WRITES_ALL: FlagEffects = { w: ALL_FLAGS };
/** Software interrupts clear IF and TF (and NT, RF, AC) on the way to the handler. */
export const INTERRUPT: FlagEffects = { w: 'ITNRK' };

/** The sixteen condition codes in encoding order, with objdump's spelling and the flags read. */
export const CONDITIONS: ReadonlyArray<{ cc: string; reads: string }> = [
  { cc: 'o', reads: 'O' },
  { cc: 'no', reads: 'O' },
  { cc: 'b', reads: 'C' },
  { cc: 'ae', reads: 'C' },
  { cc: 'e', reads: 'Z' },
  { cc: 'ne', reads: 'Z' },
  { cc: 'be', reads: 'CZ' },
  { cc: 'a', reads: 'CZ' },
  { cc: 's', reads: 'S' },
  { cc: 'ns', reads: 'S' },
  { cc: 'p', reads: 'P' },
  { cc: 'np', reads: 'P' },
  { cc: 'l', reads: 'SO' },
  { cc: 'ge', reads: 'SO' },
  { cc: 'le', reads: 'ZSO' },
  { cc: 'g', reads: 'ZSO' },
];

/** Two-digit upper-case hex, as the encodings in the tables are written. */
export function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
