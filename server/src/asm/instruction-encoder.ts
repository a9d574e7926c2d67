// Chooses the encoding of one AT&T instruction the way GNU as does. Every (entry, suffix,
// operand size) reading of the mnemonic is tried against the operands; among the encodings that
// fit, GNU as's preferences decide: the default 32-bit size when nothing gives one, then the
// shortest (imm8 and %eax short forms, +r register forms, moffs), then documented rows over
// aliases, then the lower opcode (the 0x/8x "store" direction for register-to-register forms).
// Relative branches come back with their short and near forms; the assembler relaxes them.

import type { OpcodeEntry } from '../isa';
import { lookupRegister, type AttOperand } from './att-operand-syntax';
import type { Expr } from './expression-syntax';
import { mnemonicCandidates } from './att-mnemonic-lookup';
import { intelMnemonicCandidates, memoryBits } from './intel-mnemonic-lookup';
import { farPointerPlan, operandBitsOf, planFor, type EncodingPlan, type SlotPrefixes } from './instruction-encoding-plan';
import type { Statement } from './statement-parser';
import { SEGMENT_PREFIX } from './memory-operand-encoding';

type InstructionStatement = Extract<Statement, { kind: 'instruction' }>;

export interface InstructionEncoding {
  /** The chosen encoding; for a relaxable branch, its short form when one exists. */
  plan: EncodingPlan;
  /** For a relaxable branch whose `plan` is short: the near form to grow into. */
  near: EncodingPlan | null;
  warnings: string[];
}

export type EncodeResult = { ok: true; encoding: InstructionEncoding } | { ok: false; message: string; start: number; end: number };

const PREFIX_SLOTS: Record<string, (s: SlotPrefixes) => void> = {
  lock: (s) => { s.lock = true; },
  rep: (s) => { s.rep = 0xf3; }, repe: (s) => { s.rep = 0xf3; }, repz: (s) => { s.rep = 0xf3; },
  repne: (s) => { s.rep = 0xf2; }, repnz: (s) => { s.rep = 0xf2; },
  xacquire: (s) => { s.rep = 0xf2; }, xrelease: (s) => { s.rep = 0xf3; }, bnd: (s) => { s.rep = 0xf2; },
  data16: (s) => { s.data = true; }, addr16: (s) => { s.address = true; },
  data32: () => {}, addr32: () => {},
  '{vex}': () => {}, '{vex2}': () => {}, '{vex3}': (s) => { s.vex3 = true; },
  notrack: (s) => { s.segment = 0x3e; },
  cs: (s) => { s.segment = SEGMENT_PREFIX.cs!; }, ds: (s) => { s.segment = SEGMENT_PREFIX.ds!; },
  es: (s) => { s.segment = SEGMENT_PREFIX.es!; }, fs: (s) => { s.segment = SEGMENT_PREFIX.fs!; },
  gs: (s) => { s.segment = SEGMENT_PREFIX.gs!; }, ss: (s) => { s.segment = SEGMENT_PREFIX.ss!; },
};

/** Instructions whose two operands GNU as accepts in either order. */
const COMMUTATIVE = new Set(['xchg', 'test']);

/** The maps in the order of their names (as String.localeCompare sorts them), without a collator per call. */
const MAP_ORDER: Record<OpcodeEntry['map'], number> = { '0f': 0, '0f38': 1, '0f3a': 2, primary: 3 };

const GAS_AVOIDS: Array<number | undefined> = [];

/** 0 for rows GNU as picks; 1 for rows it never emits (undocumented aliases, other hint nops). */
function gasAvoids(e: OpcodeEntry): number {
  return (GAS_AVOIDS[e.id] ??= computeGasAvoids(e));
}

function computeGasAvoids(e: OpcodeEntry): number {
  if (e.undocumented || (e.row.note ?? '').includes('alias')) return 1;
  if (e.att === 'nop' && e.operands.length > 0 && !(e.map === '0f' && e.opcode === 0x1f)) return 1;
  return 0;
}

const SIZE_PREFERENCE: Record<number, number> = { 32: 0, 16: 1, 8: 2 };

/** Orders candidate encodings, best first; every plan compared here has an entry. */
function compare(x: EncodingPlan, y: EncodingPlan): number {
  const a = x as EncodingPlan & { entry: OpcodeEntry };
  const b = y as EncodingPlan & { entry: OpcodeEntry };
  return (
    SIZE_PREFERENCE[a.operandBits]! - SIZE_PREFERENCE[b.operandBits]! ||
    a.bytes.length - b.bytes.length ||
    Number(b.signed8) - Number(a.signed8) ||
    gasAvoids(a.entry) - gasAvoids(b.entry) ||
    // FMA4 with registers only: both VEX.W forms fit, and GNU as writes the W1 one.
    Number(b.entry?.vex?.w === 1) - Number(a.entry?.vex?.w === 1) ||
    Number(a.swapped) - Number(b.swapped) ||
    MAP_ORDER[a.entry.map] - MAP_ORDER[b.entry.map] ||
    a.entry.opcode - b.entry.opcode ||
    a.entry.id - b.entry.id
  );
}

function best(plans: EncodingPlan[]): EncodingPlan | null {
  let top: EncodingPlan | null = null;
  for (const p of plans) if (top === null || compare(p, top) < 0) top = p;
  return top;
}

const DIRECT_BRANCH: Array<boolean | undefined> = [];

/** Relative and direct far branches: GNU as keeps few prefixes on these (computed once per entry). */
function isDirectBranch(e: OpcodeEntry): boolean {
  return (DIRECT_BRANCH[e.id] ??= e.operands.some((o) => o.kind === 'method' && (o.method === 'J' || o.method === 'A')));
}

/**
 * The prefixes GNU as keeps on a direct branch: %cs/%ds as branch hints on jcc, jmp and loop, the
 * address size only on loop/jcxz (where it picks CX), the operand size everywhere but loop; it
 * skips the others with a warning.
 */
function branchPrefixes(e: OpcodeEntry, slots: SlotPrefixes): SlotPrefixes {
  const loop = e.flow === 'loop';
  const hint = (slots.segment === 0x2e || slots.segment === 0x3e) && (e.flow === 'jcc' || e.flow === 'jmp' || loop) && !e.far;
  return { ...slots, segment: hint ? slots.segment : 0, address: loop ? slots.address || e.asize === 16 : false, data: loop ? false : slots.data };
}

const SSE_PREDICATES = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord'];
const AVX_PREDICATES = [
  ...SSE_PREDICATES,
  'eq_uq', 'nge', 'ngt', 'false', 'neq_oq', 'ge', 'gt', 'true',
  'eq_os', 'lt_oq', 'le_oq', 'unord_s', 'neq_us', 'nlt_uq', 'nle_uq', 'ord_s',
  'eq_us', 'nge_uq', 'ngt_uq', 'false_os', 'neq_os', 'ge_oq', 'gt_oq', 'true_us',
];
const PCLMUL_PREDICATES: Record<string, number> = { lqlq: 0x00, hqlq: 0x01, lqhq: 0x10, hqhq: 0x11 };

/** `cmpneqsd` -> cmpsd $4; `pclmulhqlqdq` -> pclmulqdq $1. */
function foldedPredicate(mnemonic: string): { mnemonic: string; imm: number } | null {
  // The patterns below start so; most mnemonics are turned away before any regular expression.
  const c = mnemonic.charCodeAt(mnemonic.charCodeAt(0) === 0x76 /* v */ ? 1 : 0);
  return c === 0x63 /* c */ || c === 0x70 /* p */ ? computeFoldedPredicate(mnemonic) : null;
}

function computeFoldedPredicate(mnemonic: string): { mnemonic: string; imm: number } | null {
  const cmp = /^(v?)cmp([a-z_]+)(ps|pd|ss|sd)$/.exec(mnemonic);
  const predicates = cmp?.[1] ? AVX_PREDICATES : SSE_PREDICATES;
  if (cmp && predicates.includes(cmp[2]!)) return { mnemonic: `${cmp[1]}cmp${cmp[3]}`, imm: predicates.indexOf(cmp[2]!) };
  const pclmul = /^(v?)pclmul([a-z]{4})dq$/.exec(mnemonic);
  if (pclmul && PCLMUL_PREDICATES[pclmul[2]!] !== undefined) return { mnemonic: `${pclmul[1]}pclmulqdq`, imm: PCLMUL_PREDICATES[pclmul[2]!]! };
  return null;
}

function syntheticImmediate(value: number, at: number): AttOperand {
  const expr: Expr = { kind: 'number', value: BigInt(value), start: at, end: at };
  return { kind: 'imm', expr, start: at, end: at };
}

/** monitor/mwait written bare in Intel syntax: their implicit registers, as AT&T spells them out. */
function impliedRegisters(entry: OpcodeEntry): AttOperand[] {
  return entry.operands.map((code) => {
    const name = code.kind === 'fixed' ? code.name.toLowerCase().replace(/^a/, 'e') : '';
    const reg = lookupRegister(name) ?? { name, cls: 'unsupported' as const, number: 0 };
    return { kind: 'reg' as const, reg, indirect: false, start: 0, end: 0 };
  });
}

/**
 * Intel syntax: 'mismatch' when a PTR size differs from what the entry reads there; else the bits
 * an unsized memory operand would read (null when there is none, or nothing to check).
 */
function intelMemorySize(entry: OpcodeEntry, intelOrder: readonly AttOperand[], osize: 16 | 32): number | null | 'mismatch' {
  let unsized: number | null = null;
  for (let i = 0; i < intelOrder.length; i++) {
    const o = intelOrder[i]!;
    if (o.kind !== 'mem' || o.bare) continue;
    const bits = memoryBits(entry.operands[i], entry, osize);
    if (o.ptrBits !== undefined) {
      if (bits !== null && bits !== o.ptrBits) return 'mismatch';
    } else if (bits !== null) unsized = bits;
  }
  return unsized;
}

/** Encodes one instruction statement; `known` gives an expression's value when it is absolute now. */
export function encodeInstruction(s: InstructionStatement, known: (e: Expr) => bigint | null): EncodeResult {
  const slots: SlotPrefixes = { segment: 0, address: false, data: false, rep: 0, lock: false };
  for (const p of s.prefixes) PREFIX_SLOTS[p.name]?.(slots);
  const range = { start: s.mnemonicRange.start, end: s.range.end };
  if (s.mnemonic === null) {
    const bytes: number[] = [];
    if (slots.segment) bytes.push(slots.segment);
    if (slots.address) bytes.push(0x67);
    if (slots.data) bytes.push(0x66);
    if (slots.rep) bytes.push(slots.rep);
    if (slots.lock) bytes.push(0xf0);
    const plan: EncodingPlan = { entry: null, operandBits: 32, bytes, fields: [], relativeSize: 0, swapped: false, signed8: false };
    return { ok: true, encoding: { plan, near: null, warnings: [] } };
  }
  let mnemonic = s.mnemonic;
  let operands: AttOperand[] = s.operands;
  // GNU as writes `int $3` as the one-byte int3.
  if (mnemonic === 'int' && operands.length === 1 && operands[0]!.kind === 'imm' && known(operands[0]!.expr) === 3n) {
    mnemonic = 'int3';
    operands = [];
  }
  // `loopw`/`loopl` name the address size (CX or ECX), not an operand size.
  const loopSize = mnemonic.startsWith('loop') ? /^(loop|loope|loopne|loopz|loopnz)([wl])$/.exec(mnemonic) : null;
  if (loopSize) {
    mnemonic = loopSize[1]!;
    if (loopSize[2] === 'w') slots.address = true;
  }
  // objdump folds a compare predicate into the mnemonic (cmpltps = cmpps $1); GNU as takes it back.
  const folded = foldedPredicate(mnemonic);
  if (folded) {
    mnemonic = folded.mnemonic;
    operands = [syntheticImmediate(folded.imm, s.mnemonicRange.end), ...operands];
  }
  const candidates = s.intel ? intelMnemonicCandidates(mnemonic) : mnemonicCandidates(mnemonic);
  if (candidates.length === 0) {
    return { ok: false, message: `unknown or unsupported instruction '${mnemonic}'`, start: s.mnemonicRange.start, end: s.mnemonicRange.end };
  }
  const base = candidates[0]!.entry.att;
  if (base === 'imul' && operands.length === 2 && operands[0]!.kind === 'imm' && operands[1]!.kind === 'reg') {
    operands = [operands[0]!, operands[1]!, operands[1]!];
  }
  // `shld %ebx,%edx` shifts by %cl.
  if ((base === 'shld' || base === 'shrd') && operands.length === 2) {
    const at = s.mnemonicRange.end;
    operands = [{ kind: 'reg', reg: { name: 'cl', cls: 'gpr8', number: 1 }, indirect: false, start: at, end: at }, ...operands];
  }
  if ((base === 'aam' || base === 'aad') && operands.length === 0) operands = [syntheticImmediate(10, s.range.end)];
  const plans: EncodingPlan[] = [];
  let failure: string | null = null;
  const warnings: string[] = [];
  const intelOrder: Array<[AttOperand[], boolean]> = [[[...operands].reverse(), false]];
  const writtenOrder: Array<[AttOperand[], boolean]> = [[operands, false]];
  const bothOrders: Array<[AttOperand[], boolean]> = [...intelOrder, [operands, true]];
  // Intel syntax: the memory size each plan reads (for PTR checks and the ambiguity error).
  const memorySizes = new Map<EncodingPlan, number | null>();
  for (const { entry, suffixBits } of candidates) {
    // Far pointers take two immediates for one operand; every other form needs a code per operand.
    if (entry.operands.length < operands.length && !(entry.operands.length === 1 && operands.length === 2)) continue;
    const keepOrder = entry.row.attKeepsOrder === true || entry.row.attOnlyOperands === true;
    const orders = s.intel && operands.length === 0 && entry.row.attOnlyOperands ? [[impliedRegisters(entry), false] as [AttOperand[], boolean]]
      : keepOrder ? (s.intel ? intelOrder : writtenOrder) : COMMUTATIVE.has(entry.att) && operands.length === 2 ? bothOrders : intelOrder;
    const branch = isDirectBranch(entry);
    const entrySlots = branch ? branchPrefixes(entry, slots) : slots;
    for (const osize of [32, 16] as const) {
      const bits = operandBitsOf(entry, osize);
      if (suffixBits !== null && bits !== suffixBits) continue;
      // An explicit data16 on a relative branch makes its offset 16 bits (`data16 call`).
      if (branch && entrySlots.data && osize === 32) continue;
      if (osize === 16 && bits !== 16 && entry.osize !== 16 && !(branch && entrySlots.data)) continue;
      const isFar = entry.operands.length === 1 && entry.operands[0]!.kind === 'method' && entry.operands[0]!.method === 'A';
      if (isFar) {
        if (operands.length === 2 && operands[0]!.kind === 'imm' && operands[1]!.kind === 'imm') {
          plans.push(farPointerPlan(entry, operands[0]!.expr, operands[1]!.expr, osize, entrySlots));
        }
        continue;
      }
      for (const [order, swapped] of orders) {
        const memory = s.intel ? intelMemorySize(entry, order, osize) : null;
        if (memory === 'mismatch') continue;
        const plan = planFor(entry, order, { osize, known }, entrySlots, swapped);
        if (typeof plan === 'string') failure = plan;
        else if (plan !== null) {
          plans.push(plan);
          if (memory !== null && osize === 32 && !entry.far) memorySizes.set(plan, memory);
        }
      }
    }
  }
  if (plans.length === 0) {
    return { ok: false, message: failure ?? `operand type mismatch for '${mnemonic}'`, ...range };
  }
  // Intel syntax: a memory operand without PTR that several sizes fit is an error, as in GNU as.
  if (s.intel && new Set([...memorySizes.values()].filter((b) => b !== null)).size > 1) {
    return { ok: false, message: `ambiguous operand size for '${mnemonic}'`, ...range };
  }
  const firstEntry = plans[0]!.entry!;
  if (isDirectBranch(firstEntry) && (slots.segment !== 0 || slots.address)) {
    const kept = branchPrefixes(firstEntry, slots);
    if (kept.segment !== slots.segment || kept.address !== slots.address || kept.data !== slots.data) warnings.push(`skipping prefixes on '${mnemonic}'`);
  }
  const relative = plans.filter((p) => p.relativeSize > 0);
  if (relative.length > 0) {
    const near = best(relative.filter((p) => p.relativeSize >= 2));
    const short = best(relative.filter((p) => p.relativeSize === 1));
    const plan = short ?? near ?? best(relative)!;
    return { ok: true, encoding: { plan, near: short ? near : null, warnings } };
  }
  const plan = best(plans)!;
  const sized = s.operands.some((o) => o.kind === 'reg' && ['gpr8', 'gpr16', 'gpr32'].includes(o.reg.cls));
  const suffixGiven = candidates.some((c) => c.suffixBits !== null && c.entry === plan.entry);
  if (!s.intel && !sized && !suffixGiven && plan.operandBits !== 8 && plans.some((p) => p.operandBits === 8)) {
    warnings.push(`no instruction mnemonic suffix given and no register operands; using default for '${mnemonic}'`);
  }
  return { ok: true, encoding: { plan, near: null, warnings } };
}
