// objdump's pseudo-op spellings: an instruction whose imm8 selects a predicate (compare kind,
// carry-less multiply halves) prints the predicate inside the mnemonic and drops the immediate,
// e.g. `cmpps $0x1` → `cmpltps`, `pclmulqdq $0x10` → `pclmullqhqdq`. Rows opt in with
// `pseudoOps`; immediates without a name keep the plain mnemonic and the immediate.

import type { DecodedInstruction } from './decoded-instruction';
import type { RowFacts } from './opcode-row-schema';

type Family = NonNullable<RowFacts['pseudoOps']>;

/** SSE compare predicates, imm8 0-7. */
const SSE_COMPARE = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord'];

/** AVX compare predicates, imm8 0-31 (the first eight are the SSE ones). */
const AVX_COMPARE = [
  ...SSE_COMPARE,
  'eq_uq', 'nge', 'ngt', 'false', 'neq_oq', 'ge', 'gt', 'true',
  'eq_os', 'lt_oq', 'le_oq', 'unord_s', 'neq_us', 'nlt_uq', 'nle_uq', 'ord_s',
  'eq_us', 'nge_uq', 'ngt_uq', 'false_os', 'neq_os', 'ge_oq', 'gt_oq', 'true_us',
];

/** Which quadword of each source: imm8 bit 0 the first, bit 4 the second (0x02/0x03 alias 0x10/0x11). */
const PCLMUL = ['lqlq', 'hqlq', 'lqhq', 'hqhq'];
const PCLMUL_ALIASES: Record<number, number> = { 0x10: 2, 0x11: 3 };

interface Spelling {
  names: readonly string[];
  /** Index into `names` for an immediate, or -1 when objdump keeps the immediate. */
  index(imm: number): number;
  /** Where the predicate goes: before the last `keep` letters of the mnemonic, replacing `drop` before them. */
  keep: number;
  drop: number;
}

const inRange = (names: readonly string[]) => (imm: number) => (imm < names.length ? imm : -1);

const FAMILIES: Record<Family, Spelling> = {
  // cmpps → cmp + eq + ps; vcmpsd → vcmp + eq_oq + sd
  'sse-compare': { names: SSE_COMPARE, index: inRange(SSE_COMPARE), keep: 2, drop: 0 },
  'avx-compare': { names: AVX_COMPARE, index: inRange(AVX_COMPARE), keep: 2, drop: 0 },
  // pclmulqdq → pclmul + lqlq + dq
  pclmul: { names: PCLMUL, index: (imm) => PCLMUL_ALIASES[imm] ?? (imm < PCLMUL.length ? imm : -1), keep: 2, drop: 1 },
};

export interface PseudoOp {
  mnemonic: string;
  /** Index of the immediate operand to leave out, or -1. */
  dropOperand: number;
}

/** The pseudo-op spelling of an instruction, or the plain mnemonic when it has none. */
export function pseudoOp(insn: DecodedInstruction, mnemonic: string): PseudoOp {
  const family = insn.entry?.row.pseudoOps;
  if (!family) return { mnemonic, dropOperand: -1 };
  const at = insn.operands.findIndex((o) => o.kind === 'imm');
  const imm = insn.operands[at];
  if (imm?.kind !== 'imm') return { mnemonic, dropOperand: -1 };
  const spelling = FAMILIES[family];
  const i = spelling.index(imm.value);
  if (i < 0) return { mnemonic, dropOperand: -1 };
  const cut = mnemonic.length - spelling.keep;
  return {
    mnemonic: mnemonic.slice(0, cut - spelling.drop) + spelling.names[i] + mnemonic.slice(cut),
    dropOperand: at,
  };
}
