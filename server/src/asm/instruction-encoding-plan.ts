// Builds the encoding of one instruction for one opcode-table entry: prefixes in GNU as's order
// (segment, 67, 66, F2/F3, F0), opcode escape and byte, ModRM/SIB, displacement and immediates.
// The bytes that depend on symbol values (displacement, immediates, branch offsets) are left as
// fields with their expressions; the assembler fills them once addresses are known.

import type { OpcodeEntry } from '../isa';
import type { AttOperand } from './att-operand-syntax';
import type { Expr } from './expression-syntax';
import { encodeMemoryOperand, SEGMENT_PREFIX } from './memory-operand-encoding';
import { matchOperand, type MatchContext, type OperandPlacement } from './operand-matching';
import { vexPlanFor } from './vex-encoding-plan';

/** A field of the instruction whose value comes from an expression. */
export interface ValueField {
  /** Offset of the field within the instruction. */
  offset: number;
  size: 1 | 2 | 4;
  expr: Expr | null;
  /** `relative`: the value is target - end of instruction (branches). */
  relative: boolean;
}

export interface EncodingPlan {
  /** The table entry; null for a line of prefix words only (`lock`, `rep`). */
  entry: OpcodeEntry | null;
  /** Operand size in effect for ranking: 8 for byte forms, else 16/32. */
  operandBits: 8 | 16 | 32;
  /** Bytes with zero placeholders where fields go. */
  bytes: number[];
  fields: ValueField[];
  /** Size of the branch offset when the instruction is a relative branch, else 0. */
  relativeSize: 0 | 1 | 2 | 4;
  swapped: boolean;
  /** True when an immediate is a sign-extended byte (GNU as prefers these at equal length). */
  signed8: boolean;
}

export type SlotPrefixes = {
  segment: number; address: boolean; data: boolean; rep: number; lock: boolean;
  /** `{vex3}`: the 3-byte VEX prefix even where the 2-byte one would do. */
  vex3?: boolean;
};

const MAP_ESCAPE: Record<string, number[]> = { primary: [], '0f': [0x0f], '0f38': [0x0f, 0x38], '0f3a': [0x0f, 0x3a] };

/** Per-entry facts the encoder asks for on every candidate, computed once per entry id. */
const DEPENDS_ON_OPERAND_SIZE: Array<boolean | undefined> = [];
const OPERAND_BITS: Array<readonly [8 | 16 | 32 | null, 8 | 16 | 32 | null] | undefined> = [];

/** True when some operand's size follows the operand size (so 16 bits needs a 66 prefix). */
function dependsOnOperandSize(entry: OpcodeEntry): boolean {
  return (DEPENDS_ON_OPERAND_SIZE[entry.id] ??= computeDependsOnOperandSize(entry));
}

function computeDependsOnOperandSize(entry: OpcodeEntry): boolean {
  return entry.operands.some((o) => o.kind === 'method' ? ['v', 'z', 'a', 'p'].includes(o.size) || (o.size === 'bs' && o.method === 'I' && entry.suffix === 'data16') : o.name.startsWith('e'));
}

/** The byte size the instruction operates on, used to check a b/w/l suffix; null when sizeless. */
export function operandBitsOf(entry: OpcodeEntry, osize: 16 | 32): 8 | 16 | 32 | null {
  const bits = (OPERAND_BITS[entry.id] ??= [computeOperandBits(entry, 16), computeOperandBits(entry, 32)]);
  return bits[osize === 16 ? 0 : 1];
}

function computeOperandBits(entry: OpcodeEntry, osize: 16 | 32): 8 | 16 | 32 | null {
  const ops = entry.operands;
  if (ops.some((o) => o.kind === 'method' ? ['v', 'z', 'wv', 'a', 'p'].includes(o.size) : o.name.startsWith('e'))) return osize;
  if (entry.osize) return entry.osize;
  if (entry.suffix === 'data16' || entry.suffix === 'env16') return osize;
  if (ops.some((o) => (o.kind === 'method' ? o.size === 'b' && o.method !== 'I' && o.method !== 'J' : /^[A-D][LH]$|^XLAT$/.test(o.name)))) return 8;
  if (ops.some((o) => o.kind === 'method' && o.size === 'w' && o.method !== 'I')) return 16;
  if (ops.some((o) => o.kind === 'method' && (o.size === 'd' || o.size === 'y'))) return 32;
  return null;
}

/**
 * Tries one entry at one operand size with the operands in Intel order. Returns null when the
 * operands do not match, or a message when they match but cannot be encoded.
 */
export function planFor(
  entry: OpcodeEntry,
  intelOperands: readonly (AttOperand | undefined)[],
  ctx: MatchContext,
  explicit: SlotPrefixes,
  swapped: boolean,
): EncodingPlan | string | null {
  if (entry.vex !== null) return vexPlanFor(entry, intelOperands, ctx, explicit);
  if (entry.osize !== 0 && entry.osize !== ctx.osize) return null;
  const codes = entry.operands;
  if (intelOperands.length > codes.length) return null;
  // Far pointer `ljmp $sel,$off`: two immediates stand for one `Ap` operand.
  const placements: OperandPlacement[] = [];
  // String instructions written bare (`lodsb`, `rep stosl`) leave their register operands implicit too.
  const bareString = intelOperands.length === 0 && codes.some((c) => c.kind === 'method' ? c.method === 'X' || c.method === 'Y' : c.name === 'XLAT');
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (bareString && code.kind === 'fixed') {
      placements.push({ kind: 'implicit' });
      continue;
    }
    const p = matchOperand(code, intelOperands[i], entry, ctx);
    if (p === null) return null;
    placements.push(p);
  }
  const slots: SlotPrefixes = { ...explicit };
  let regField = entry.reg >= 0 ? entry.reg : -1;
  let rm = -1;
  let memory: Extract<OperandPlacement, { kind: 'rm-memory' }>['mem'] | null = null;
  let opcodeRegister = 0;
  const tail: Array<{ size: 1 | 2 | 4; expr: Expr | null; relative: boolean }> = [];
  let signed8 = false;
  let moffs: Expr | null = null;
  let relativeSize: 0 | 1 | 2 | 4 = 0;
  for (const p of placements) {
    switch (p.kind) {
      case 'reg-field': regField = p.number; break;
      case 'rm-register': rm = p.number; break;
      case 'rm-memory': memory = p.mem; break;
      case 'opcode-register': opcodeRegister = p.number; break;
      case 'immediate': tail.push({ size: p.size, expr: p.expr, relative: false }); signed8 ||= p.signed8; break;
      case 'relative': tail.push({ size: p.size, expr: p.expr, relative: true }); relativeSize = p.size; break;
      // %ds is the default segment of a moffs: GNU as writes no prefix for it.
      case 'moffs': moffs = p.mem.disp; if (p.mem.segment && p.mem.segment.name !== 'ds') slots.segment = SEGMENT_PREFIX[p.mem.segment.name]!; break;
      case 'string':
        if (p.mem?.base?.cls === 'gpr16') slots.address = true;
        if (p.source && p.mem?.segment && p.mem.segment.name !== 'ds') slots.segment = SEGMENT_PREFIX[p.mem.segment.name]!;
        break;
      case 'address16': slots.address = true; break;
      case 'implicit': break;
    }
  }
  // Operand size prefix: 16-bit forms of size-following operands, except where the CPU ignores it.
  const sregLoad = entry.operands.some((o) => o.kind === 'method' && o.method === 'S') && entry.operands[0]?.kind === 'method' && entry.operands[0].method === 'S';
  const sregStoreToMemory = entry.operands.some((o) => o.kind === 'method' && o.size === 'wv') && memory !== null;
  const wantsData = ctx.osize === 16 && (dependsOnOperandSize(entry) || entry.osize === 16 || entry.suffix === 'data16' || entry.suffix === 'env16' ||
    entry.operands.some((o) => o.kind === 'method' && o.size === 'wv'));
  if (wantsData && !sregLoad && !sregStoreToMemory) slots.data = true;
  if (entry.mandatory === 0x66) slots.data = true;
  if (entry.mandatory === 0xf3 || entry.mandatory === 0xf2) {
    if (slots.rep !== 0 && slots.rep !== entry.mandatory) return 'conflicting repeat prefixes';
    slots.rep = entry.mandatory;
  }
  const bytes: number[] = [];
  const fields: ValueField[] = [];
  let mem: ReturnType<typeof encodeMemoryOperand> | null = null;
  if (memory) {
    mem = encodeMemoryOperand(memory, memory.disp ? ctx.known(memory.disp) : 0n);
    if (typeof mem === 'string') return mem;
    if (mem.addressSize === 16) slots.address = true;
    if (memory.segment && memory.segment.name !== mem.defaultSegment) slots.segment = SEGMENT_PREFIX[memory.segment.name]!;
  }
  // GNU as writes the address-size prefix of loop/jcxz before a %ds/%cs branch hint.
  if (slots.address && entry.flow === 'loop') bytes.push(0x67);
  // Rows for one address size follow the memory operand (movdir64b, enqcmd) or, without one,
  // their register's size (umonitor %bx) or the prefix (jcxz).
  if (entry.asize === 16 && !memory) slots.address = true;
  if ((entry.asize === 16 && !slots.address) || (entry.asize === 32 && slots.address)) return null;
  const branch = relativeSize > 0;
  if (slots.segment && !branch) bytes.push(slots.segment);
  if (slots.address && entry.flow !== 'loop') bytes.push(0x67);
  if (slots.data) bytes.push(0x66);
  // A branch hint (%cs/%ds on a jump) goes after the size prefixes.
  if (slots.segment && branch) bytes.push(slots.segment);
  if (slots.rep) bytes.push(slots.rep);
  if (slots.lock) bytes.push(0xf0);
  bytes.push(...MAP_ESCAPE[entry.map]!);
  bytes.push(entry.opcodeRegister ? entry.opcode + opcodeRegister : entry.opcode);
  if (entry.hasModrm) {
    const reg = regField < 0 ? 0 : regField;
    if (entry.rm >= 0) bytes.push(0xc0 | (reg << 3) | entry.rm);
    else if (mem && typeof mem !== 'string') {
      if (entry.mod === 'reg') return null;
      bytes.push((mem.mod << 6) | (reg << 3) | mem.rm);
      if (mem.sib !== null) bytes.push(mem.sib);
      if (mem.dispSize) {
        fields.push({ offset: bytes.length, size: mem.dispSize as 1 | 2 | 4, expr: memory!.disp, relative: false });
        for (let i = 0; i < mem.dispSize; i++) bytes.push(0);
      }
    } else {
      if (entry.mod === 'mem') return null;
      bytes.push(0xc0 | (reg << 3) | (rm < 0 ? 0 : rm));
    }
  }
  if (moffs !== null) {
    const size = slots.address ? 2 : 4;
    fields.push({ offset: bytes.length, size, expr: moffs, relative: false });
    for (let i = 0; i < size; i++) bytes.push(0);
  }
  for (const t of tail) {
    fields.push({ offset: bytes.length, size: t.size, expr: t.expr, relative: t.relative });
    for (let i = 0; i < t.size; i++) bytes.push(0);
  }
  const bits = operandBitsOf(entry, ctx.osize) ?? ctx.osize;
  return { entry, operandBits: bits, bytes, fields, relativeSize, swapped, signed8 };
}

/** `ljmp $sel,$off` / `lcall $sel,$off`: the `Ap` form, offset then selector. */
export function farPointerPlan(entry: OpcodeEntry, selector: Expr, offset: Expr, osize: 16 | 32, explicit: SlotPrefixes): EncodingPlan {
  const bytes: number[] = [];
  if (explicit.segment) bytes.push(explicit.segment);
  if (osize === 16 || explicit.data) bytes.push(0x66);
  bytes.push(entry.opcode);
  const size = osize === 16 ? 2 : 4;
  const fields: ValueField[] = [
    { offset: bytes.length, size, expr: offset, relative: false },
    { offset: bytes.length + size, size: 2, expr: selector, relative: false },
  ];
  for (let i = 0; i < size + 2; i++) bytes.push(0);
  return { entry, operandBits: osize, bytes, fields, relativeSize: 0, swapped: false, signed8: false };
}
