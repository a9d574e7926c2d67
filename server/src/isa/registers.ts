// Register names of i386 in objdump's AT&T spelling (without the `%`), grouped by kind and
// indexed by their encoding number, so the decoder maps a 3-bit field straight to a name.

export const GPR8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
export const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
/** Segment registers; encodings 6 and 7 are invalid and have no name. */
export const SEGMENT = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
export const CONTROL = ['cr0', 'cr1', 'cr2', 'cr3', 'cr4', 'cr5', 'cr6', 'cr7'] as const;
/** objdump spells debug registers `%db0`..`%db7`. */
export const DEBUG = ['db0', 'db1', 'db2', 'db3', 'db4', 'db5', 'db6', 'db7'] as const;
export const MMX = ['mm0', 'mm1', 'mm2', 'mm3', 'mm4', 'mm5', 'mm6', 'mm7'] as const;
export const XMM = ['xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7'] as const;
export const YMM = ['ymm0', 'ymm1', 'ymm2', 'ymm3', 'ymm4', 'ymm5', 'ymm6', 'ymm7'] as const;
/** x87 stack registers as objdump prints them: `%st` for the top, `%st(i)` otherwise. */
export const X87 = ['st', 'st(1)', 'st(2)', 'st(3)', 'st(4)', 'st(5)', 'st(6)', 'st(7)'] as const;
/** `st(0)` is how objdump names the top of stack when an instruction selects it by ModRM. */
export const X87_INDEXED = ['st(0)', 'st(1)', 'st(2)', 'st(3)', 'st(4)', 'st(5)', 'st(6)', 'st(7)'] as const;

export type RegisterName =
  | (typeof GPR8)[number]
  | (typeof GPR16)[number]
  | (typeof GPR32)[number]
  | (typeof SEGMENT)[number]
  | (typeof CONTROL)[number]
  | (typeof DEBUG)[number]
  | (typeof MMX)[number]
  | (typeof XMM)[number]
  | (typeof YMM)[number]
  | (typeof X87)[number]
  | (typeof X87_INDEXED)[number]
  | 'eiz';

/** Size in bytes of the value a register holds (x87 registers: 10). */
export function registerSize(reg: RegisterName): number {
  if ((GPR8 as readonly string[]).includes(reg)) return 1;
  if ((GPR16 as readonly string[]).includes(reg) || (SEGMENT as readonly string[]).includes(reg)) return 2;
  if (reg.startsWith('mm')) return 8;
  if (reg.startsWith('xmm')) return 16;
  if (reg.startsWith('ymm')) return 32;
  if (reg.startsWith('st')) return 10;
  return 4;
}
