// Operand codes of the opcode table, in Intel SDM Volume 2 Appendix A notation, and their parser.
//
// An operand code is an addressing method (one capital letter) followed by an operand size code
// (`Eb`, `Gv`, `Vps`, `Mq`...), or one fixed operand (`AL`, `eAX`, `CL`, `DX`, `ES`, `1`, `ST0`,
// `STi`, `XMM0`). The decoder reads the instruction's length from the addressing methods (ModRM,
// immediates, displacements), and the formatter reads the operand's size from the size code.

/** Addressing methods (SDM A.2.1), plus `Z` for a register in the opcode's low three bits. */
export type AddressingMethod =
  | 'A' // far pointer in the instruction (ptr16:16 / ptr16:32)
  | 'B' // general register in VEX.vvvv
  | 'C' // control register in ModRM.reg
  | 'D' // debug register in ModRM.reg
  | 'E' // general register or memory in ModRM.rm
  | 'G' // general register in ModRM.reg
  | 'H' // XMM/YMM register in VEX.vvvv
  | 'I' // immediate
  | 'J' // relative offset added to the next instruction's address
  | 'L' // XMM/YMM register in bits 7:4 of an immediate byte
  | 'M' // memory only, in ModRM.rm
  | 'N' // MMX register in ModRM.rm (register form only)
  | 'O' // memory offset in the instruction, no ModRM (moffs)
  | 'P' // MMX register in ModRM.reg
  | 'Q' // MMX register or memory in ModRM.rm
  | 'R' // general register in ModRM.rm (register form only)
  | 'S' // segment register in ModRM.reg
  | 'U' // XMM/YMM register in ModRM.rm (register form only)
  | 'V' // XMM/YMM register in ModRM.reg
  | 'W' // XMM/YMM register or memory in ModRM.rm
  | 'X' // memory at DS:(E)SI (string source)
  | 'Y' // memory at ES:(E)DI (string destination)
  | 'Z'; // general register in the opcode's low three bits

/**
 * Operand size codes (SDM A.2.2), plus x87 memory formats:
 * `bs` a byte immediate sign-extended to the operand size (push 6A, imul 6B, Grp1 83),
 * `wv` a word in memory but an operand-size register (the SDM's Mw/Rv: mov Sreg, str, sldt),
 * `sr` 32-bit real, `dr` 64-bit real, `er` 80-bit real, `wi`/`di`/`qi` 16/32/64-bit integer,
 * `bcd` 80-bit packed BCD, `env` 14/28-byte environment, `fst` 94/108-byte state,
 * `fx` 512-byte fxsave area, `xs` xsave area, and `` (no size: lea, invlpg, prefetch).
 */
export type SizeCode =
  | '' | 'a' | 'b' | 'bs' | 'wv' | 'c' | 'd' | 'dq' | 'p' | 'pd' | 'pi' | 'ps' | 'q' | 'qq' | 's' | 'sd' | 'ss'
  | 'si' | 'v' | 'w' | 'x' | 'y' | 'z' | 'sr' | 'dr' | 'er' | 'wi' | 'di' | 'qi' | 'bcd' | 'env'
  | 'fst' | 'fx' | 'xs';

/** Fixed operands written by name in the table. */
export const FIXED_OPERANDS = [
  'AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH',
  'AX', 'DX',
  'eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI',
  'EAX', 'ECX', 'EDX', 'EBX',
  // (E)AX sized by the address size, not the operand size: the address monitor reads.
  'aAX',
  'ES', 'CS', 'SS', 'DS', 'FS', 'GS',
  '1', 'ST0', 'STi', 'XMM0',
  // The byte at DS:[EBX + AL] that xlat reads.
  'XLAT',
] as const;
export type FixedOperand = (typeof FIXED_OPERANDS)[number];

export type OperandCode =
  | { kind: 'fixed'; name: FixedOperand }
  | { kind: 'method'; method: AddressingMethod; size: SizeCode };

const METHODS = new Set('ABCDEGHIJLMNOPQRSUVWXYZ');
const SIZES = new Set<string>([
  '', 'a', 'b', 'bs', 'wv', 'c', 'd', 'dq', 'p', 'pd', 'pi', 'ps', 'q', 'qq', 's', 'sd', 'ss', 'si', 'v', 'w',
  'x', 'y', 'z', 'sr', 'dr', 'er', 'wi', 'di', 'qi', 'bcd', 'env', 'fst', 'fx', 'xs',
]);
const FIXED = new Set<string>(FIXED_OPERANDS);

/** Parses one operand code; returns a message instead when the code is not one of ours. */
export function parseOperandCode(text: string): OperandCode | string {
  if (FIXED.has(text)) return { kind: 'fixed', name: text as FixedOperand };
  const method = text[0];
  const size = text.slice(1);
  if (method === undefined || !METHODS.has(method)) return `unknown addressing method in operand code '${text}'`;
  if (!SIZES.has(size)) return `unknown size code in operand code '${text}'`;
  return { kind: 'method', method: method as AddressingMethod, size: size as SizeCode };
}
