// Specialized handlers for the forms that dominate real programs (32-bit mov, ALU, shifts by an
// immediate, movzx, push/pop, inc/dec of a register, relative branches, ret), chosen per decoded
// instruction. They do exactly what the generic family handlers do, with the operand size and the
// register/memory choice fixed and the flag arithmetic written out; any other form keeps its
// generic handler. Memory goes through readMem/writeMem, so data breakpoints see every access.

import type { Handler, Insn } from './instruction-record';
import type { Machine } from './machine';

// Local copies of the EFLAGS bits keep the hot code free of cross-module lookups.
const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const STATUS = CF | PF | AF | ZF | SF | OF;
const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let bits = 0;
  for (let b = v; b; b >>= 1) bits += b & 1;
  PARITY[v] = bits % 2 === 0 ? PF : 0;
}

function szp(r: number): number {
  return (r === 0 ? ZF : 0) | ((r >>> 24) & SF) | PARITY[r & 0xff]!;
}

function add32(m: Machine, a: number, b: number): number {
  const r = (a + b) >>> 0;
  const of = ((a ^ r) & (b ^ r)) >>> 31 ? OF : 0;
  m.eflags = (m.eflags & ~STATUS) | (r < a ? CF : 0) | of | ((a ^ b ^ r) & AF) | szp(r);
  return r;
}

function sub32(m: Machine, a: number, b: number): number {
  const r = (a - b) >>> 0;
  const of = ((a ^ b) & (a ^ r)) >>> 31 ? OF : 0;
  m.eflags = (m.eflags & ~STATUS) | (a < b ? CF : 0) | of | ((a ^ b ^ r) & AF) | szp(r);
  return r;
}

function logic32(m: Machine, r: number): number {
  const u = r >>> 0;
  m.eflags = (m.eflags & ~STATUS) | szp(u);
  return u;
}

type Binary = (m: Machine, a: number, b: number) => number;

const BINARY: Record<string, [Binary, boolean]> = {
  add: [add32, true],
  sub: [sub32, true],
  cmp: [sub32, false],
  and: [(m, a, b) => logic32(m, a & b), true],
  or: [(m, a, b) => logic32(m, a | b), true],
  xor: [(m, a, b) => logic32(m, a ^ b), true],
  test: [(m, a, b) => logic32(m, a & b), false],
};

function operandShape(i: Insn): string {
  return i.entry.operands.map((o) => (o.kind === 'fixed' ? o.name : o.method + o.size)).join(',');
}

/** The condition test of jcc/setcc/cmovcc code `cc`, written out per code. */
const CONDITIONS: Array<(flags: number) => boolean> = [
  (f) => (f & OF) !== 0, (f) => (f & OF) === 0,
  (f) => (f & CF) !== 0, (f) => (f & CF) === 0,
  (f) => (f & ZF) !== 0, (f) => (f & ZF) === 0,
  (f) => (f & (CF | ZF)) !== 0, (f) => (f & (CF | ZF)) === 0,
  (f) => (f & SF) !== 0, (f) => (f & SF) === 0,
  (f) => (f & PF) !== 0, (f) => (f & PF) === 0,
  (f) => ((f >>> 7) ^ (f >>> 11)) & 1 ? true : false, (f) => ((f >>> 7) ^ (f >>> 11)) & 1 ? false : true,
  (f) => (f & ZF) !== 0 || (((f >>> 7) ^ (f >>> 11)) & 1) !== 0, (f) => (f & ZF) === 0 && (((f >>> 7) ^ (f >>> 11)) & 1) === 0,
];

/** Branches whose target is fixed at decode time (jcc, jmp and call with a rel8/rel32). */
function relativeBranch(i: Insn): Handler | null {
  const name = i.entry.mnemonic;
  const target = (i.next + i.imm) >>> 0;
  if (i.entry.flow === 'jcc' && name.startsWith('j')) {
    const test = CONDITIONS[i.entry.opcode & 0xf]!;
    return (m) => { if (test(m.eflags)) m.eip = target; };
  }
  if (name === 'jmp') return (m) => { m.eip = target; };
  if (name === 'call') {
    const back = i.next;
    return (m) => {
      const esp = (m.regs[4]! - 4) >>> 0;
      m.writeMem(esp, 4, back);
      m.regs[4] = esp;
      m.eip = target;
    };
  }
  return null;
}

/** A handler for this exact instruction, or null to keep the generic one. */
export function specializedHandler(i: Insn): Handler | null {
  if (i.osize !== 4 || i.asize16) return null;
  const shape = operandShape(i);
  const name = i.entry.mnemonic;
  if (i.entry.relative && (shape === 'Jb' || shape === 'Jz')) return relativeBranch(i);
  if (name === 'ret' && shape === '') {
    return (m) => {
      const target = m.readMem(m.regs[4]!, 4);
      m.regs[4] = m.regs[4]! + 4;
      m.eip = target;
    };
  }
  if ((name === 'inc' || name === 'dec') && shape === 'Zv') {
    const r = i.opReg;
    const increment = name === 'inc';
    return (m) => {
      const keep = m.eflags & CF;
      m.regs[r] = increment ? add32(m, m.regs[r]!, 1) : sub32(m, m.regs[r]!, 1);
      m.eflags = (m.eflags & ~CF) | keep;
    };
  }
  const mem = i.mem;
  const reg = i.reg;
  const rm = i.rm;
  if (name === 'mov') {
    switch (shape) {
      case 'Gv,Ev': return mem ? (m) => { m.regs[reg] = m.readMem(m.linear, 4); } : (m) => { m.regs[reg] = m.regs[rm]!; };
      case 'Ev,Gv': return mem ? (m) => m.writeMem(m.linear, 4, m.regs[reg]!) : (m) => { m.regs[rm] = m.regs[reg]!; };
      case 'Eb,Gb': return mem ? (m) => m.writeMem(m.linear, 1, reg < 4 ? m.regs[reg]! & 0xff : (m.regs[reg - 4]! >>> 8) & 0xff) : null;
      case 'Gb,Eb': return mem ? (m) => m.setReg(reg, 1, m.readMem(m.linear, 1)) : null;
      case 'Ev,Iz': {
        const imm = i.imm >>> 0;
        return mem ? (m) => m.writeMem(m.linear, 4, imm) : (m) => { m.regs[rm] = imm; };
      }
      case 'Zv,Iv': {
        const imm = i.imm >>> 0;
        const r = i.opReg;
        return (m) => { m.regs[r] = imm; };
      }
      default: return null;
    }
  }
  if (name === 'movzx' && shape === 'Gv,Eb') {
    return mem ? (m) => { m.regs[reg] = m.readMem(m.linear, 1); }
      : rm < 4 ? (m) => { m.regs[reg] = m.regs[rm]! & 0xff; } : (m) => { m.regs[reg] = (m.regs[rm - 4]! >>> 8) & 0xff; };
  }
  if (name === 'movzx' && shape === 'Gv,Ew') {
    return mem ? (m) => { m.regs[reg] = m.readMem(m.linear, 2); } : (m) => { m.regs[reg] = m.regs[rm]! & 0xffff; };
  }
  if (name === 'push' && shape === 'Zv') {
    const r = i.opReg;
    return (m) => {
      const esp = (m.regs[4]! - 4) >>> 0;
      m.writeMem(esp, 4, m.regs[r]!);
      m.regs[4] = esp;
    };
  }
  if (name === 'pop' && shape === 'Zv') {
    const r = i.opReg;
    return (m) => {
      const value = m.readMem(m.regs[4]!, 4);
      m.regs[4] = m.regs[4]! + 4;
      m.regs[r] = value;
    };
  }
  if (name === 'lea') return (m) => { m.regs[reg] = m.ea; };
  const binary = BINARY[name];
  if (binary) {
    const [op, writes] = binary;
    switch (shape) {
      case 'Ev,Gv':
        if (mem) return writes ? (m) => m.writeMem(m.linear, 4, op(m, m.readMem(m.linear, 4), m.regs[reg]!)) : (m) => { op(m, m.readMem(m.linear, 4), m.regs[reg]!); };
        return writes ? (m) => { m.regs[rm] = op(m, m.regs[rm]!, m.regs[reg]!); } : (m) => { op(m, m.regs[rm]!, m.regs[reg]!); };
      case 'Gv,Ev':
        if (mem) return writes ? (m) => { m.regs[reg] = op(m, m.regs[reg]!, m.readMem(m.linear, 4)); } : (m) => { op(m, m.regs[reg]!, m.readMem(m.linear, 4)); };
        return writes ? (m) => { m.regs[reg] = op(m, m.regs[reg]!, m.regs[rm]!); } : (m) => { op(m, m.regs[reg]!, m.regs[rm]!); };
      case 'Ev,Ibs':
      case 'Ev,Iz': {
        const imm = i.imm >>> 0;
        if (mem) return writes ? (m) => m.writeMem(m.linear, 4, op(m, m.readMem(m.linear, 4), imm)) : (m) => { op(m, m.readMem(m.linear, 4), imm); };
        return writes ? (m) => { m.regs[rm] = op(m, m.regs[rm]!, imm); } : (m) => { op(m, m.regs[rm]!, imm); };
      }
      case 'eAX,Iz': {
        const imm = i.imm >>> 0;
        return writes ? (m) => { m.regs[0] = op(m, m.regs[0]!, imm); } : (m) => { op(m, m.regs[0]!, imm); };
      }
      default: return null;
    }
  }
  if ((name === 'shr' || name === 'shl' || name === 'sar' || name === 'rol' || name === 'ror') && shape === 'Ev,Ib' && !mem) {
    const count = i.imm & 0x1f;
    if (count === 0) return null;
    switch (name) {
      case 'shr': return (m) => {
        const a = m.regs[rm]!;
        const r = a >>> count;
        const of = count === 1 && a >>> 31 ? OF : 0;
        m.eflags = (m.eflags & ~STATUS) | ((a >>> (count - 1)) & 1) | of | szp(r);
        m.regs[rm] = r;
      };
      case 'shl': return (m) => {
        const a = m.regs[rm]!;
        const r = (a << count) >>> 0;
        const cf = (a >>> (32 - count)) & 1;
        const of = (r >>> 31) ^ cf ? OF : 0;
        m.eflags = (m.eflags & ~STATUS) | cf | of | szp(r);
        m.regs[rm] = r;
      };
      case 'sar': return (m) => {
        const a = m.regs[rm]! | 0;
        const r = (a >> count) >>> 0;
        m.eflags = (m.eflags & ~STATUS) | ((a >> (count - 1)) & 1) | szp(r);
        m.regs[rm] = r;
      };
      case 'rol': return (m) => {
        const a = m.regs[rm]!;
        const r = ((a << count) | (a >>> (32 - count))) >>> 0;
        const cf = r & 1;
        m.eflags = (m.eflags & ~(CF | OF)) | cf | ((r >>> 31) ^ cf ? OF : 0);
        m.regs[rm] = r;
      };
      default: return (m) => {
        const a = m.regs[rm]!;
        const r = ((a >>> count) | (a << (32 - count))) >>> 0;
        const msb = r >>> 31;
        m.eflags = (m.eflags & ~(CF | OF)) | msb | (msb ^ ((r >>> 30) & 1) ? OF : 0);
        m.regs[rm] = r;
      };
    }
  }
  return null;
}
