// Small builders shared by the VEX opcode-table files (opcode-table-vex-0f*.ts), so that a row
// valid at both vector lengths reads as one line, and families of same-shaped rows as one list.
//
// Size codes of XMM/YMM operands (V H W U M L) in these files: `x` is xmm (m128) when VEX.L = 0
// and ymm (m256) when VEX.L = 1; `dq` is always xmm/m128, `qq` always ymm/m256; `q`, `d`, `w`,
// `b` are an xmm register or a memory operand of 8, 4, 2, 1 bytes; `ss`/`sd` are an xmm register
// or m32/m64. GPR operands use `y` (32 bits outside 64-bit mode) or `d`.

import { op, type IsaExtension, type OpcodeRow, type RowFacts } from './opcode-row-schema';

/** A row of one VEX length: `tail` is the encoding after `VEX.L.`, e.g. `66.0F.WIG 58 /r`. */
export function vex(
  length: '128' | '256' | 'LIG' | 'LZ',
  tail: string,
  m: string,
  ops: string,
  facts: RowFacts,
): OpcodeRow {
  return op(`VEX.${length}.${tail}`, m, ops, facts);
}

/**
 * The same instruction at VEX.128 and VEX.256 with the same operand codes (sized `x`). The
 * extension often differs: integer forms on ymm came with AVX2, float forms with AVX.
 */
export function vexBoth(
  tail: string,
  m: string,
  ops: string,
  ext128: IsaExtension,
  ext256: IsaExtension,
  facts: RowFacts = {},
): OpcodeRow[] {
  return [vex('128', tail, m, ops, { ...facts, ext: ext128 }), vex('256', tail, m, ops, { ...facts, ext: ext256 })];
}

/** An opcode byte and its mnemonic, the unit of the family lists. */
export type OpcodeName = readonly [opcode: string, m: string];

/**
 * A family of same-shaped instructions at both lengths: `prefixAndMap` is e.g. `66.0F.WIG`,
 * and each entry's opcode byte completes the encoding with `/r`.
 */
export function vexFamily(
  prefixAndMap: string,
  entries: ReadonlyArray<OpcodeName>,
  ops: string,
  ext128: IsaExtension,
  ext256: IsaExtension,
  facts: RowFacts = {},
): OpcodeRow[] {
  return entries.flatMap(([opcode, m]) => vexBoth(`${prefixAndMap} ${opcode} /r`, m, ops, ext128, ext256, facts));
}

/** Scalar rows: VEX.L ignored, xmm operands only. */
export function vexScalarFamily(
  prefixAndMap: string,
  entries: ReadonlyArray<OpcodeName>,
  ops: string,
  facts: RowFacts,
): OpcodeRow[] {
  return entries.map(([opcode, m]) => vex('LIG', `${prefixAndMap} ${opcode} /r`, m, ops, facts));
}
