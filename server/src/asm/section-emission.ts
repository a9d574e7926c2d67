// Writing the laid-out items into section bytes: instruction and data fields from their final
// values, and a relocation wherever a value is not a number in this object (undefined symbols,
// addresses of labels, PIC operators), with its addend stored in place as i386 REL objects do.

import { evaluate, type Value } from './expression-evaluation';
import type { Expr } from './expression-syntax';
import type { AssemblyState } from './assembly-state';
import type { Item } from './assembly-items';
import { codePadding, paddingSize } from './alignment-padding';
import type { EncodingPlan } from './instruction-encoding-plan';
import type { ImageRelocation } from './assembled-image';
import { finalContext } from './final-symbol-values';

function writeLittleEndian(buf: Uint8Array, at: number, size: number, value: bigint): void {
  if (size <= 4) {
    // Only the low 32 bits are written: one conversion instead of a bigint step per byte.
    const n = Number(BigInt.asUintN(32, value));
    for (let i = 0; i < size; i++) buf[at + i] = (n >>> (8 * i)) & 0xff;
    return;
  }
  let v = BigInt.asUintN(64, value);
  for (let i = 0; i < size; i++) {
    buf[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export interface Emitter {
  state: AssemblyState;
  relocations: ImageRelocation[];
}

const ABSOLUTE_RELOCATION = { 1: 'R_386_8', 2: 'R_386_16', 4: 'R_386_32', 8: 'R_386_32' } as const;
const RELATIVE_RELOCATION = { 1: 'R_386_PC8', 2: 'R_386_PC16', 4: 'R_386_PC32', 8: 'R_386_PC32' } as const;

/** Writes one value field, adding a relocation when the value is not a number here. */
function emitField(em: Emitter, item: Item, buf: Uint8Array, at: number, size: 1 | 2 | 4 | 8, expr: Expr | null, relativeTo: number | null, checkRange = false): void {
  if (expr === null) return;
  if (expr.kind === 'number' && relativeTo === null) return emitNumber(em, item, buf, at, size, BigInt.asIntN(64, expr.value), checkRange);
  if (relativeTo !== null && emitBranchToLocalLabel(em, item, buf, at, size, expr, relativeTo)) return;
  const r = evaluate(expr, finalContext(em.state, item));
  if (!r.ok) return em.state.error(item.range, r.message, r.start, r.end);
  const v = r.value;
  const fieldAddress = item.address + (at - item.address);
  if (v.modifier || (v.base?.kind === 'symbol' && v.base.name === GOT_SYMBOL)) return emitPicField(em, item, buf, at, size, v, relativeTo);
  if (relativeTo !== null && v.base?.kind === 'section' && v.base.section === item.section) {
    // GNU as resolves relaxable branches (jmp, jcc) to a global label of the section itself, but
    // leaves a relocation for other PC-relative fields (call), which the linker may redirect.
    const relaxable = item.kind === 'code' && item.encoding.near !== null;
    const globalFar = size === 4 && v.label !== null && v.label.global && !relaxable;
    if (!globalFar) {
      const disp = v.constant - BigInt(relativeTo);
      if (size === 1 && (disp < -128n || disp > 127n)) return em.state.error(item.range, `branch target out of range (${disp} bytes)`);
      return writeLittleEndian(buf, at, size, disp);
    }
  }
  if (v.base === null && relativeTo === null) return emitNumber(em, item, buf, at, size, v.constant, checkRange);
  let symbol: string;
  let addend = v.constant;
  if (v.base === null) symbol = '*ABS*';
  else if (v.base.kind === 'symbol') symbol = v.base.name;
  else if (v.label && (v.label.global || keepsMergeableSymbol(em.state, v))) {
    symbol = v.label.name;
    addend -= v.label.offset;
  } else symbol = v.base.section;
  if (relativeTo !== null) addend -= BigInt(relativeTo - fieldAddress);
  const type = relativeTo !== null ? RELATIVE_RELOCATION[size] : ABSOLUTE_RELOCATION[size];
  em.relocations.push({ section: item.section, offset: fieldAddress, type, symbol, addend: Number(BigInt.asIntN(32, addend)) });
  writeLittleEndian(buf, at, size, addend);
}

/**
 * The common branch, `jne .L3` or `call helper` to a label of the same section, without a general
 * evaluation: the same decision as emitField's, for a plain symbol only. False when it does not apply.
 */
function emitBranchToLocalLabel(em: Emitter, item: Item, buf: Uint8Array, at: number, size: 1 | 2 | 4 | 8, expr: Expr, relativeTo: number): boolean {
  if (expr.kind !== 'symbol' || expr.name.includes('@') || expr.name === GOT_SYMBOL) return false;
  const label = em.state.labelItems.get(expr.name);
  if (label === undefined || label.section !== item.section) return false;
  const global = em.state.globals.has(expr.name) || em.state.weaks.has(expr.name);
  const relaxable = item.kind === 'code' && item.encoding.near !== null;
  if (size === 4 && global && !relaxable) return false;
  const disp = label.address - relativeTo;
  if (size === 1 && (disp < -128 || disp > 127)) em.state.error(item.range, `branch target out of range (${disp} bytes)`);
  // A displacement is a small integer: written as one, without a bigint per branch.
  else if (size <= 4) for (let i = 0; i < size; i++) buf[at + i] = (disp >>> (8 * i)) & 0xff;
  else writeLittleEndian(buf, at, size, BigInt(disp));
  return true;
}

/** An absolute value into a field, with GNU as's warning when data does not fit. */
function emitNumber(em: Emitter, item: Item, buf: Uint8Array, at: number, size: 1 | 2 | 4 | 8, value: bigint, checkRange: boolean): void {
  if (checkRange && size < 8) {
    const limit = 1n << BigInt(8 * size);
    if (value >= limit || value < -limit / 2n) em.state.warning(item.range, `value ${value} truncated to ${size} byte(s)`);
  }
  writeLittleEndian(buf, at, size, value);
}

const GOT_SYMBOL = '_GLOBAL_OFFSET_TABLE_';

/**
 * GNU as never moves a relocation against a local label of a mergeable section (string literals)
 * onto the section symbol when the label carries an addend (`$.LC1+7`): the linker merges such
 * sections piece by piece, so `section+offset` could point into another piece after merging.
 */
function keepsMergeableSymbol(state: AssemblyState, v: Value): boolean {
  if (v.label === null || v.base?.kind !== 'section' || v.constant === v.label.offset) return false;
  return state.sections.get(v.base.section)?.flags.includes('M') ?? false;
}

/**
 * Opcodes whose @GOT operand GNU as marks relaxable for the linker (R_386_GOT32X): mov load,
 * indirect call/jmp, test and the ALU register-from-memory forms.
 */
function gotRelaxable(item: Item): boolean {
  if (item.kind !== 'code') return false;
  const e = item.encoding.plan.entry;
  if (e === null) return false;
  if (e.map !== 'primary') return false;
  if (e.opcode === 0x8b || e.opcode === 0x85) return true;
  if (e.opcode === 0xff && (e.reg === 2 || e.reg === 4)) return true;
  return e.opcode < 0x40 && (e.opcode & 7) === 3;
}

/**
 * GNU as relocates `local@GOTOFF` against the local symbol itself in data (jump tables) and when
 * the symbol lives in a mergeable section (string literals); in code it uses the section.
 */
function keepsGotoffSymbol(state: AssemblyState, item: Item, v: Value): boolean {
  if (item.kind !== 'code') return true;
  const section = v.base?.kind === 'section' ? state.sections.get(v.base.section) : undefined;
  return section !== undefined && section.flags.includes('M');
}

/** Fields with a PIC relocation operator (@PLT, @GOT, @GOTOFF) or the GOT base symbol. */
function emitPicField(em: Emitter, item: Item, buf: Uint8Array, at: number, size: 1 | 2 | 4 | 8, v: Value, relativeTo: number | null): void {
  if (size !== 4) return em.state.error(item.range, 'PIC relocations need a 32-bit field');
  let symbol: string;
  let addend = v.constant;
  if (v.base?.kind === 'symbol') symbol = v.base.name;
  else if (v.label && (v.label.global || v.modifier !== 'GOTOFF' || keepsGotoffSymbol(em.state, item, v))) {
    symbol = v.label.name;
    addend -= v.label.offset;
  } else symbol = (v.base as { section: string }).section;
  let type: ImageRelocation['type'];
  if (!v.modifier) {
    // $_GLOBAL_OFFSET_TABLE_: the addend counts from the instruction's start to the field.
    type = 'R_386_GOTPC';
    addend += BigInt(at - item.address);
  } else if (v.modifier === 'PLT') type = relativeTo !== null ? 'R_386_PLT32' : 'R_386_32';
  else if (v.modifier === 'GOTOFF') type = 'R_386_GOTOFF';
  else if (v.modifier === 'GOTPC') type = 'R_386_GOTPC';
  else type = gotRelaxable(item) ? 'R_386_GOT32X' : 'R_386_GOT32';
  if (relativeTo !== null) addend -= BigInt(relativeTo - at);
  em.relocations.push({ section: item.section, offset: at, type, symbol, addend: Number(BigInt.asIntN(32, addend)) });
  writeLittleEndian(buf, at, size, addend);
}

/** An instruction's bytes with its number fields written in, and the fields left to write. */
interface BakedPlan {
  bytes: Uint8Array;
  fields: EncodingPlan['fields'];
}

const baked = new WeakMap<EncodingPlan, BakedPlan>();

/**
 * A number field of an instruction is written the same way wherever the instruction sits (no
 * range check, no relocation), so plans shared by many lines have it written once.
 */
function bakedPlan(plan: EncodingPlan): BakedPlan {
  let b = baked.get(plan);
  if (b !== undefined) return b;
  const bytes = Uint8Array.from(plan.bytes);
  const fields = plan.fields.filter((f) => {
    if (f.expr === null) return false;
    if (f.expr.kind !== 'number' || f.relative) return true;
    writeLittleEndian(bytes, f.offset, f.size, BigInt.asIntN(64, f.expr.value));
    return false;
  });
  b = { bytes, fields };
  baked.set(plan, b);
  return b;
}

/**
 * Writes an item's bytes (and relocations, diagnostics); true when they depend on more than the
 * item itself (symbol values, its address, its section having no contents), so that a later
 * version must write them again even where the item just moved (emission-after-edit.ts).
 */
export function emitItem(em: Emitter, item: Item, buf: Uint8Array | null): boolean {
  const at = item.address;
  switch (item.kind) {
    case 'code': {
      const plan: EncodingPlan = item.useNear && item.encoding.near ? item.encoding.near : item.encoding.plan;
      if (!buf) {
        em.state.error(item.range, 'instruction in a section without contents');
        return true;
      }
      const { bytes, fields } = bakedPlan(plan);
      // A plain loop: TypedArray.set from a short array is slower than copying it by hand.
      for (let i = 0; i < bytes.length; i++) buf[at + i] = bytes[i]!;
      const end = at + bytes.length;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        emitField(em, item, buf, at + f.offset, f.size, f.expr, f.relative ? end : null);
      }
      return fields.length > 0;
    }
    case 'data':
      if (buf) item.exprs.forEach((e, i) => emitField(em, item, buf, at + i * item.width, item.width, e, null, true));
      return true;
    case 'bytes':
      buf?.set(item.bytes, at);
      return false;
    case 'space':
      buf?.fill(item.fill, at, at + item.size);
      return false;
    case 'align': {
      const size = paddingSize(at, item.alignment, item.max);
      if (!buf || size === 0) return true;
      if (item.code && item.fill === null) buf.set(codePadding(size), at);
      else buf.fill((item.fill ?? 0) & 0xff, at, at + size);
      return true;
    }
    default:
      return false;
  }
}

type LabelItem = Extract<Item, { kind: 'label' }>;

/**
 * The label an instruction's bytes depend on alone, through their distance: a branch or call whose
 * one field left to write is relative to a plain label of its own section, written without a
 * relocation or a range check (a relaxable branch, which relaxation made reach, or a 32-bit field
 * to a local label). Such bytes stay right while the instruction and the label move together.
 */
export function distanceOnlyTarget(state: AssemblyState, item: Item): LabelItem | null {
  if (item.kind !== 'code') return null;
  const plan: EncodingPlan = item.useNear && item.encoding.near ? item.encoding.near : item.encoding.plan;
  const fields = bakedPlan(plan).fields;
  if (fields.length !== 1) return null;
  const f = fields[0]!;
  const expr = f.expr!;
  if (!f.relative || expr.kind !== 'symbol' || expr.name.includes('@') || expr.name === GOT_SYMBOL) return null;
  const label = state.labelItems.get(expr.name);
  if (label === undefined || label.section !== item.section) return null;
  if (f.size === 1) {
    const disp = label.address - (item.address + plan.bytes.length);
    if (disp < -128 || disp > 127) return null;
  }
  if (item.encoding.near !== null) return label;
  return f.size === 4 && !state.globals.has(expr.name) && !state.weaks.has(expr.name) ? label : null;
}
