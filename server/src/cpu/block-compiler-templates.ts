// JavaScript source templates for the block compiler: one function per hot instruction form
// (32-bit mov/ALU/shift/imul/movzx/movsx/lea/push/pop/setcc/cmovcc, 8-bit mov/cmp/test, and the
// jcc/jmp/call/ret that end a block), each doing exactly what the interpreter's handler does.
//
// Conventions of the generated code: registers live in int32 locals r0..r7, EFLAGS in `fl`;
// `a`, `b`, `t` are int32 temporaries, `ad` a memory address. A template's `body` performs every
// access that can fault before it changes any local, so a fault leaves the state of the
// instruction's start; `flags` (emitted only when a later reader needs them) reads temporaries only.
// Forms without a template return null and the block calls the interpreter's handler instead.

import type { Insn } from './instruction-record';
import { SEG_FS, SEG_GS } from './instruction-record';

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;

export interface CompiledForm {
  /** Source performing the instruction (memory accesses first, then locals). */
  body: string;
  /** Source storing the flags the instruction writes into `fl`; '' when it writes none. */
  flags: string;
  /** Status flags read and written (fully defined by this form). */
  reads: number;
  writes: number;
  /** The form writes memory (the block checks for code invalidation after it). */
  writesMemory: boolean;
  /** The form may throw (#PF). */
  mayFault: boolean;
  /** Registers (numbers) the source names as locals. */
  registers: number[];
  /** The form is a branch: `body` sets `pc`, the block's next address. */
  branch: boolean;
  /**
   * For a branch with a static target the block may continue through: `inline` is the source
   * without the transfer (a call's push), `condition` (jcc) says when it leaves for `target`
   * instead of continuing at the next instruction.
   */
  target?: number;
  condition?: string;
  inline?: string;
  /** A condition reader (jcc, setcc, cmovcc): its code; the source holds COND where it tests it. */
  cc?: number;
  /** The form's flags may instead be left pending (lazy): 1 add, 2 sub/cmp, 3 and/or/xor/test. */
  lazyKind?: number;
}

/** Placeholder for a condition in `body`/`condition`, filled in by the block compiler. */
export const COND = '@COND@';

/** Kinds of pending flag computations (Machine.lazyFlagsKind). */
export const LAZY_ADD = 1, LAZY_SUB = 2, LAZY_LOGIC = 3;

/**
 * Condition cc computed straight from a pending operation's operands `la`, `lb` and result `lt`
 * (int32 locals), so that `cmp; jcc` needs no EFLAGS at all.
 */
export function lazyConditionSource(kind: number, cc: number): string {
  const ov = kind === LAZY_ADD ? '(((la ^ lt) & (lb ^ lt)) < 0)' : kind === LAZY_SUB ? '(((la ^ lb) & (la ^ lt)) < 0)' : 'false';
  const cf = kind === LAZY_ADD ? '((lt >>> 0) < (la >>> 0))' : kind === LAZY_SUB ? '((la >>> 0) < (lb >>> 0))' : 'false';
  const lessSigned = kind === LAZY_SUB ? '(la < lb)' : kind === LAZY_LOGIC ? '(lt < 0)' : `((lt < 0) !== ${ov})`;
  const base = [ov, cf, '(lt === 0)', `(${cf} || lt === 0)`, '(lt < 0)', '(P[lt & 0xff] !== 0)', lessSigned, `(lt === 0 || ${lessSigned})`][cc >> 1]!;
  return (cc & 1) === 0 ? base : `!${base}`;
}

/** SDM operand shape, e.g. `Ev,Gv` or `eAX,Iz`. */
export function operandShape(i: Insn): string {
  return i.entry.operands.map((o) => (o.kind === 'fixed' ? o.name : o.method + o.size)).join(',');
}

/** Condition code cc (0..15) over the flags local `fl`, as a JS boolean expression. */
export function conditionSource(cc: number): string {
  const base = ['(fl & 0x800) !== 0', '(fl & 0x1) !== 0', '(fl & 0x40) !== 0', '(fl & 0x41) !== 0', '(fl & 0x80) !== 0',
    '(fl & 0x4) !== 0', '(((fl >>> 7) ^ (fl >>> 11)) & 1) !== 0', '((fl & 0x40) !== 0 || (((fl >>> 7) ^ (fl >>> 11)) & 1) !== 0)'][cc >> 1]!;
  return (cc & 1) === 0 ? base : `!(${base})`;
}

/** Flags each condition code reads. */
export function conditionReads(cc: number): number {
  return [OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF][cc >> 1]!;
}

function szp(t: string, size: number): string {
  const sign = size === 4 ? `(${t} < 0 ? 0x80 : 0)` : `(${t} & ${size === 1 ? '0x80' : '0x8000'} ? 0x80 : 0)`;
  return `(${t} === 0 ? 0x40 : 0) | ${sign} | P[${t} & 0xff]`;
}

/** Flags of t = a + b (+ carry c when withCarry), sizes 1 or 4; values are int32 (size 4) or masked. */
function addFlags(size: number, withCarry: boolean, keepCf: boolean): string {
  const keep = keepCf ? STATUS_FLAGS & ~CF : STATUS_FLAGS;
  const cf = keepCf ? '0' : size === 4
    ? (withCarry ? '(c ? ((t >>> 0) <= (a >>> 0)) : ((t >>> 0) < (a >>> 0))) ? 1 : 0' : '((t >>> 0) < (a >>> 0)) ? 1 : 0')
    : `(a + b + ${withCarry ? 'c' : '0'}) > 0xff ? 1 : 0`;
  const of = size === 4 ? '(((a ^ t) & (b ^ t)) < 0 ? 0x800 : 0)' : '((a ^ t) & (b ^ t) & 0x80 ? 0x800 : 0)';
  return `fl = (fl & ${~keep}) | (${cf}) | ${of} | ((a ^ b ^ t) & 0x10) | ${szp('t', size)};`;
}

function subFlags(size: number, withBorrow: boolean, keepCf: boolean): string {
  const keep = keepCf ? STATUS_FLAGS & ~CF : STATUS_FLAGS;
  const cf = keepCf ? '0' : size === 4
    ? (withBorrow ? '(c ? ((a >>> 0) <= (b >>> 0)) : ((a >>> 0) < (b >>> 0))) ? 1 : 0' : '((a >>> 0) < (b >>> 0)) ? 1 : 0')
    : `(a - b - ${withBorrow ? 'c' : '0'}) < 0 ? 1 : 0`;
  const of = size === 4 ? '(((a ^ b) & (a ^ t)) < 0 ? 0x800 : 0)' : '((a ^ b) & (a ^ t) & 0x80 ? 0x800 : 0)';
  return `fl = (fl & ${~keep}) | (${cf}) | ${of} | ((a ^ b ^ t) & 0x10) | ${szp('t', size)};`;
}

function logicFlags(size: number): string {
  return `fl = (fl & ${~STATUS_FLAGS}) | ${szp('t', size)};`;
}

/** The linear address of the memory operand as a uint32 expression (offset + fs/gs base). */
function linearSource(i: Insn, regs: Set<number>): string {
  const parts: string[] = [];
  if (i.base >= 0) { parts.push(`r${i.base}`); regs.add(i.base); }
  if (i.index >= 0) { parts.push(i.scale ? `(r${i.index} << ${i.scale})` : `r${i.index}`); regs.add(i.index); }
  if (i.disp !== 0 || parts.length === 0) parts.push(String(i.disp | 0));
  if (i.seg === SEG_FS) parts.push('m.segmentBase.fs');
  else if (i.seg === SEG_GS) parts.push('m.segmentBase.gs');
  return `((${parts.join(' + ')}) >>> 0)`;
}

/** The offset (no segment base) of the memory operand, as lea computes it, int32. */
function offsetSource(i: Insn, regs: Set<number>): string {
  const parts: string[] = [];
  if (i.base >= 0) { parts.push(`r${i.base}`); regs.add(i.base); }
  if (i.index >= 0) { parts.push(i.scale ? `(r${i.index} << ${i.scale})` : `r${i.index}`); regs.add(i.index); }
  if (i.disp !== 0 || parts.length === 0) parts.push(String(i.disp | 0));
  return `((${parts.join(' + ')}) | 0)`;
}

/** Reads a byte register n (0..7 = al cl dl bl ah ch dh bh) as 0..255. */
function byteReg(n: number, regs: Set<number>): string {
  if (n < 4) { regs.add(n); return `(r${n} & 0xff)`; }
  regs.add(n - 4);
  return `((r${n - 4} >> 8) & 0xff)`;
}

function setByteReg(n: number, value: string, regs: Set<number>): string {
  if (n < 4) { regs.add(n); return `r${n} = (r${n} & ~0xff) | (${value} & 0xff);`; }
  regs.add(n - 4);
  return `r${n - 4} = (r${n - 4} & ~0xff00) | ((${value} & 0xff) << 8);`;
}

type Alu = 'add' | 'adc' | 'sub' | 'sbb' | 'cmp' | 'and' | 'or' | 'xor' | 'test';
const ALU_OPS = new Set(['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test']);

function aluResult(op: Alu, size: number): string {
  const wrap = size === 4 ? '| 0' : '& 0xff';
  switch (op) {
    case 'add': return `t = (a + b) ${wrap};`;
    case 'adc': return `c = fl & 1; t = (a + b + c) ${wrap};`;
    case 'sub': case 'cmp': return `t = (a - b) ${wrap};`;
    case 'sbb': return `c = fl & 1; t = (a - b - c) ${wrap};`;
    case 'and': case 'test': return 't = a & b;';
    case 'or': return 't = a | b;';
    default: return 't = a ^ b;';
  }
}

function aluFlags(op: Alu, size: number): string {
  switch (op) {
    case 'add': return addFlags(size, false, false);
    case 'adc': return addFlags(size, true, false);
    case 'sub': case 'cmp': return subFlags(size, false, false);
    case 'sbb': return subFlags(size, true, false);
    default: return logicFlags(size);
  }
}

function form(partial: Partial<CompiledForm> & { body: string }, regs: Set<number>): CompiledForm {
  return {
    flags: '', reads: 0, writes: 0, writesMemory: false, mayFault: false, branch: false, ...partial, registers: [...regs],
  };
}

/** A compiled form of this instruction, or null to run the interpreter's handler. */
export function compileForm(i: Insn): CompiledForm | null {
  if (i.asize16 || i.rep !== 0) return null;
  const d = i.decoded;
  if (d.prefixes.lock) return null;
  const name = i.entry.mnemonic;
  const shape = operandShape(i);
  const regs = new Set<number>();
  const mem = i.mem;
  // ---- block-ending branches whose target is fixed or read from a register/memory ----
  if (i.entry.flow !== null) {
    if (i.osize !== 4) return null;
    const next = i.next;
    if (i.entry.relative && (shape === 'Jb' || shape === 'Jz')) {
      const target = (i.next + i.imm) >>> 0;
      if (i.entry.flow === 'jcc') {
        const cc = i.entry.opcode & 0xf;
        return form({ body: `pc = ${COND} ? ${target} : ${next};`, reads: conditionReads(cc), branch: true, target, condition: COND, inline: '', cc }, regs);
      }
      if (name === 'jmp') return form({ body: `pc = ${target};`, branch: true, target, inline: '' }, regs);
      if (name === 'call') {
        regs.add(4);
        const push = `ad = (r4 - 4) >>> 0; W32(mem, ad, ${next}); r4 = ad | 0;`;
        return form({ body: `${push} pc = ${target};`, writesMemory: true, mayFault: true, branch: true, target, inline: push }, regs);
      }
      return null;
    }
    if (name === 'ret' && shape === '') {
      regs.add(4);
      return form({ body: 'pc = R32(mem, r4 >>> 0); r4 = (r4 + 4) | 0;', mayFault: true, branch: true }, regs);
    }
    if ((name === 'jmp' || name === 'call') && i.entry.indirect && !i.entry.far && shape === 'Ev') {
      const target = mem ? `R32(mem, ${linearSource(i, regs)})` : `(r${i.rm} >>> 0)`;
      if (!mem) regs.add(i.rm);
      if (name === 'jmp') return form({ body: `pc = ${target};`, mayFault: mem, branch: true }, regs);
      regs.add(4);
      return form({ body: `b = ${target}; ad = (r4 - 4) >>> 0; W32(mem, ad, ${next}); r4 = ad | 0; pc = b >>> 0;`, writesMemory: true, mayFault: true, branch: true }, regs);
    }
    return null;
  }
  // ---- 8-bit forms common in string code ----
  if (name === 'mov' && (shape === 'Eb,Gb' || shape === 'Gb,Eb' || shape === 'Eb,Ib')) {
    if (shape === 'Eb,Gb') {
      const v = byteReg(i.reg, regs);
      if (mem) return form({ body: `W8(mem, ${linearSource(i, regs)}, ${v});`, writesMemory: true, mayFault: true }, regs);
      return form({ body: `a = ${v}; ${setByteReg(i.rm, 'a', regs)}` }, regs);
    }
    if (shape === 'Gb,Eb') {
      const v = mem ? `R8(mem, ${linearSource(i, regs)})` : byteReg(i.rm, regs);
      return form({ body: `a = ${v}; ${setByteReg(i.reg, 'a', regs)}`, mayFault: mem }, regs);
    }
    const imm = i.imm & 0xff;
    if (mem) return form({ body: `W8(mem, ${linearSource(i, regs)}, ${imm});`, writesMemory: true, mayFault: true }, regs);
    return form({ body: setByteReg(i.rm, String(imm), regs) }, regs);
  }
  if ((name === 'cmp' || name === 'test') && (shape === 'Eb,Gb' || shape === 'Eb,Ib' || shape === 'AL,Ib' || shape === 'Gb,Eb')) {
    const rmValue = shape === 'AL,Ib' ? byteReg(0, regs) : mem ? `R8(mem, ${linearSource(i, regs)})` : byteReg(i.rm, regs);
    const [left, right] = shape === 'Gb,Eb' ? [byteReg(i.reg, regs), rmValue] : [rmValue, shape === 'Eb,Gb' ? byteReg(i.reg, regs) : String(i.imm & 0xff)];
    const op = name as Alu;
    return form({ body: `a = ${left}; b = ${right}; ${aluResult(op, 1)}`, flags: aluFlags(op, 1), writes: STATUS_FLAGS, mayFault: mem && shape !== 'AL,Ib' }, regs);
  }
  if (name === 'setcc' || (name.startsWith('set') && i.entry.map === '0f' && shape === 'Eb')) {
    const cc = i.entry.opcode & 0xf;
    const v = `(${COND} ? 1 : 0)`;
    if (mem) return form({ body: `W8(mem, ${linearSource(i, regs)}, ${v});`, reads: conditionReads(cc), writesMemory: true, mayFault: true, cc }, regs);
    return form({ body: setByteReg(i.rm, v, regs), reads: conditionReads(cc), cc }, regs);
  }
  if (i.osize !== 4) return null;
  // ---- 32-bit forms ----
  const rmRead = (): string => (mem ? `(R32(mem, ad) | 0)` : (regs.add(i.rm), `r${i.rm}`));
  const addressFirst = (): string => (mem ? `ad = ${linearSource(i, regs)}; ` : '');
  if (name === 'mov') {
    switch (shape) {
      case 'Gv,Ev': regs.add(i.reg); return form({ body: `${addressFirst()}r${i.reg} = ${rmRead()};`, mayFault: mem }, regs);
      case 'Ev,Gv':
        regs.add(i.reg);
        if (mem) return form({ body: `W32(mem, ${linearSource(i, regs)}, r${i.reg});`, writesMemory: true, mayFault: true }, regs);
        regs.add(i.rm);
        return form({ body: `r${i.rm} = r${i.reg};` }, regs);
      case 'Ev,Iz':
        if (mem) return form({ body: `W32(mem, ${linearSource(i, regs)}, ${i.imm | 0});`, writesMemory: true, mayFault: true }, regs);
        regs.add(i.rm);
        return form({ body: `r${i.rm} = ${i.imm | 0};` }, regs);
      case 'Zv,Iv': regs.add(i.opReg); return form({ body: `r${i.opReg} = ${i.imm | 0};` }, regs);
      case 'eAX,Ov': regs.add(0); return form({ body: `r0 = R32(mem, ${linearSource(i, regs)}) | 0;`, mayFault: true }, regs);
      case 'Ov,eAX': regs.add(0); return form({ body: `W32(mem, ${linearSource(i, regs)}, r0);`, writesMemory: true, mayFault: true }, regs);
      default: return null;
    }
  }
  if ((name === 'movzx' || name === 'movsx') && (shape === 'Gv,Eb' || shape === 'Gv,Ew')) {
    const byte = shape === 'Gv,Eb';
    let v: string;
    if (mem) v = `${byte ? 'R8' : 'R16'}(mem, ${linearSource(i, regs)})`;
    else if (byte) v = byteReg(i.rm, regs);
    else { regs.add(i.rm); v = `(r${i.rm} & 0xffff)`; }
    const ext = name === 'movzx' ? v : byte ? `((${v} << 24) >> 24)` : `((${v} << 16) >> 16)`;
    regs.add(i.reg);
    return form({ body: `r${i.reg} = ${ext};`, mayFault: mem }, regs);
  }
  if (name === 'lea' && mem) {
    regs.add(i.reg);
    return form({ body: `r${i.reg} = ${offsetSource(i, regs)};` }, regs);
  }
  if (name === 'push' && (shape === 'Zv' || shape === 'Iz' || shape === 'Ibs' || (shape === 'Ev' && mem))) {
    regs.add(4);
    let value: string;
    let first = '';
    if (shape === 'Zv') { regs.add(i.opReg); value = `r${i.opReg}`; }
    else if (shape === 'Ev') { first = `b = R32(mem, ${linearSource(i, regs)}); `; value = 'b'; }
    else value = String(i.imm | 0);
    return form({ body: `${first}ad = (r4 - 4) >>> 0; W32(mem, ad, ${value}); r4 = ad | 0;`, writesMemory: true, mayFault: true }, regs);
  }
  if (name === 'pop' && shape === 'Zv') {
    regs.add(4);
    regs.add(i.opReg);
    // ESP moves first, so pop %esp loads the value read (as the interpreter does).
    return form({ body: `a = R32(mem, r4 >>> 0) | 0; r4 = (r4 + 4) | 0; r${i.opReg} = a;`, mayFault: true }, regs);
  }
  if (name === 'leave' && shape === '') {
    regs.add(4); regs.add(5);
    return form({ body: 'a = R32(mem, r5 >>> 0) | 0; r4 = (r5 + 4) | 0; r5 = a;', mayFault: true }, regs);
  }
  if (name === 'cdq' && shape === '') {
    regs.add(0); regs.add(2);
    return form({ body: 'r2 = r0 >> 31;' }, regs);
  }
  if (name === 'nop') return form({ body: '' }, regs);
  if (name.startsWith('cmov') && shape === 'Gv,Ev') {
    const cc = i.entry.opcode & 0xf;
    regs.add(i.reg);
    return form({ body: `${addressFirst()}a = ${rmRead()}; if (${COND}) r${i.reg} = a;`, reads: conditionReads(cc), mayFault: mem, cc }, regs);
  }
  if (ALU_OPS.has(name)) {
    const op = name as Alu;
    const writesResult = op !== 'cmp' && op !== 'test';
    const reads = op === 'adc' || op === 'sbb' ? CF : 0;
    const flags = aluFlags(op, 4);
    const lazyKind = op === 'add' ? LAZY_ADD : op === 'sub' || op === 'cmp' ? LAZY_SUB : op === 'adc' || op === 'sbb' ? undefined : LAZY_LOGIC;
    if (shape === 'Ev,Gv' || shape === 'Ev,Iz' || shape === 'Ev,Ibs' || shape === 'eAX,Iz') {
      const src = shape === 'Ev,Gv' ? (regs.add(i.reg), `r${i.reg}`) : String(i.imm | 0);
      if (shape === 'eAX,Iz') {
        regs.add(0);
        return form({ body: `a = r0; b = ${src}; ${aluResult(op, 4)}${writesResult ? ' r0 = t;' : ''}`, flags, reads, writes: STATUS_FLAGS, lazyKind }, regs);
      }
      if (mem) {
        const store = writesResult ? ' W32(mem, ad, t);' : '';
        return form({ body: `ad = ${linearSource(i, regs)}; a = R32(mem, ad) | 0; b = ${src}; ${aluResult(op, 4)}${store}`, flags, reads, writes: STATUS_FLAGS, lazyKind, writesMemory: writesResult, mayFault: true }, regs);
      }
      regs.add(i.rm);
      return form({ body: `a = r${i.rm}; b = ${src}; ${aluResult(op, 4)}${writesResult ? ` r${i.rm} = t;` : ''}`, flags, reads, writes: STATUS_FLAGS, lazyKind }, regs);
    }
    if (shape === 'Gv,Ev') {
      regs.add(i.reg);
      return form({ body: `${addressFirst()}b = ${rmRead()}; a = r${i.reg}; ${aluResult(op, 4)}${writesResult ? ` r${i.reg} = t;` : ''}`, flags, reads, writes: STATUS_FLAGS, lazyKind, mayFault: mem }, regs);
    }
    return null;
  }
  if ((name === 'inc' || name === 'dec') && (shape === 'Zv' || shape === 'Ev')) {
    const r = shape === 'Zv' ? i.opReg : i.rm;
    const op = name === 'inc' ? '+' : '-';
    const flags = name === 'inc' ? addFlags(4, false, true) : subFlags(4, false, true);
    if (shape === 'Ev' && mem) {
      return form({ body: `ad = ${linearSource(i, regs)}; a = R32(mem, ad) | 0; b = 1; t = (a ${op} 1) | 0; W32(mem, ad, t);`, flags, writes: STATUS_FLAGS & ~CF, writesMemory: true, mayFault: true }, regs);
    }
    regs.add(r);
    return form({ body: `a = r${r}; b = 1; t = (a ${op} 1) | 0; r${r} = t;`, flags, writes: STATUS_FLAGS & ~CF }, regs);
  }
  if ((name === 'neg' || name === 'not') && shape === 'Ev' && !mem) {
    regs.add(i.rm);
    if (name === 'not') return form({ body: `r${i.rm} = ~r${i.rm};` }, regs);
    return form({ body: `a = 0; b = r${i.rm}; t = (0 - b) | 0; r${i.rm} = t;`, flags: subFlags(4, false, false), writes: STATUS_FLAGS }, regs);
  }
  if (name === 'imul' && (shape === 'Gv,Ev' || shape === 'Gv,Ev,Ibs' || shape === 'Gv,Ev,Iz')) {
    regs.add(i.reg);
    const left = shape === 'Gv,Ev' ? `r${i.reg}` : String(i.imm | 0);
    // The exact product differs from the wrapped one exactly when it does not fit in 32 bits.
    const flags = `fl = (fl & ${~STATUS_FLAGS}) | (a * b !== t ? 0x801 : 0) | ${szp('t', 4)};`;
    return form({ body: `${addressFirst()}b = ${rmRead()}; a = ${left}; t = Math.imul(a, b); r${i.reg} = t;`, flags, writes: STATUS_FLAGS, mayFault: mem }, regs);
  }
  if (name === 'mul' && shape === 'Ev') {
    regs.add(0); regs.add(2);
    // EDX:EAX = EAX * src, unsigned; the high word from 16-bit halves stays exact in doubles.
    const src = mem ? `R32(mem, ${linearSource(i, regs)})` : (regs.add(i.rm), `r${i.rm}`);
    const body = `b = ${src}; a = r0; t = Math.imul(a, b); `
      + 'c = ((a >>> 16) * (b >>> 16) + Math.floor((((a >>> 16) * (b & 0xffff) + (a & 0xffff) * (b >>> 16)) + (((a & 0xffff) * (b & 0xffff)) >>> 16)) / 65536)) | 0; '
      + 'r0 = t; r2 = c;';
    const flags = `fl = (fl & ${~STATUS_FLAGS}) | (c !== 0 ? 0x801 : 0) | ${szp('t', 4)};`;
    return form({ body, flags, writes: STATUS_FLAGS, mayFault: mem }, regs);
  }
  if ((name === 'shl' || name === 'shr' || name === 'sar' || name === 'rol' || name === 'ror') && (shape === 'Ev,Ib' || shape === 'Ev,1') && !mem) {
    const count = shape === 'Ev,1' ? 1 : i.imm & 0x1f;
    if (count === 0) return null;
    regs.add(i.rm);
    const r = `r${i.rm}`;
    switch (name) {
      case 'shr': return form({ body: `a = ${r}; t = (a >>> ${count}) | 0; ${r} = t;`,
        flags: `fl = (fl & ${~STATUS_FLAGS}) | ((a >>> ${count - 1}) & 1) | ${count === 1 ? '(a < 0 ? 0x800 : 0)' : '0'} | ${szp('t', 4)};`, writes: STATUS_FLAGS }, regs);
      case 'shl': return form({ body: `a = ${r}; t = a << ${count}; ${r} = t;`,
        flags: `c = (a >>> ${32 - count}) & 1; fl = (fl & ${~STATUS_FLAGS}) | c | (((t >>> 31) ^ c) ? 0x800 : 0) | ${szp('t', 4)};`, writes: STATUS_FLAGS }, regs);
      case 'sar': return form({ body: `a = ${r}; t = a >> ${count}; ${r} = t;`,
        flags: `fl = (fl & ${~STATUS_FLAGS}) | ((a >> ${count - 1}) & 1) | ${szp('t', 4)};`, writes: STATUS_FLAGS }, regs);
      case 'rol': return form({ body: `a = ${r}; t = (a << ${count}) | (a >>> ${32 - count}); ${r} = t;`,
        flags: `c = t & 1; fl = (fl & ${~(CF | OF)}) | c | (((t >>> 31) ^ c) ? 0x800 : 0);`, writes: CF | OF }, regs);
      default: return form({ body: `a = ${r}; t = (a >>> ${count}) | (a << ${32 - count}); ${r} = t;`,
        flags: `c = t >>> 31; fl = (fl & ${~(CF | OF)}) | c | ((c ^ ((t >>> 30) & 1)) ? 0x800 : 0);`, writes: CF | OF }, regs);
    }
  }
  return null;
}

