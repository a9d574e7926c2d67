// Control flow: jmp, jcc, call, ret near and far (flat model), loop/loope/loopne/jcxz/jecxz,
// int n / int3 / into / int1 / iret, bound (#BR), hlt, and the ud0/ud1/ud2 traps.

import type { HandlerFactory, HandlerFamily } from './dispatch-table';
import type { Insn } from './instruction-record';
import type { Machine } from './machine';
import { CpuSignal, fault, trap } from './cpu-signals';
import { condition } from './flags-arithmetic';
import { FIXED_ONE, OF, POPF_WRITABLE, ZF } from './eflags-bits';
import { flagsWritableAtCpl } from './privilege-checks';

function target(i: Insn): number {
  const t = (i.next + i.imm) >>> 0;
  return i.osize === 2 ? t & 0xffff : t;
}

function nearIndirect(m: Machine, i: Insn): number {
  return m.readE(i, i.osize);
}

/** Far pointer operand in memory: offset then selector. */
function farPointer(m: Machine, i: Insn): [number, number] {
  const offset = m.readMem(m.linear, i.osize);
  const selector = m.readMem((m.linear + i.osize) >>> 0, 2);
  return [offset, selector];
}

const jmp: HandlerFactory = (entry) => {
  const code = entry.operands[0];
  if (!code || code.kind !== 'method') return null;
  if (code.method === 'J') return (m, i) => { m.eip = target(i); };
  if (code.method === 'E') return (m, i) => { m.eip = nearIndirect(m, i); };
  if (code.method === 'A') return (m, i) => { m.segments[1] = i.imm2; m.eip = i.imm >>> 0; };
  if (code.method === 'M') return (m, i) => {
    const [offset, selector] = farPointer(m, i);
    m.segments[1] = selector;
    m.eip = offset;
  };
  return null;
};

const call: HandlerFactory = (entry) => {
  const code = entry.operands[0];
  if (!code || code.kind !== 'method') return null;
  if (code.method === 'J') return (m, i) => {
    m.push(i.osize, i.next);
    m.eip = target(i);
  };
  if (code.method === 'E') return (m, i) => {
    const t = nearIndirect(m, i);
    m.push(i.osize, i.next);
    m.eip = t;
  };
  const far = (m: Machine, i: Insn, offset: number, selector: number): void => {
    m.memory.probeWrite((m.regs[4]! - 2 * i.osize) >>> 0, 2 * i.osize);
    m.push(i.osize, m.segments[1]!);
    m.push(i.osize, i.next);
    m.segments[1] = selector;
    m.eip = offset;
  };
  if (code.method === 'A') return (m, i) => far(m, i, i.imm >>> 0, i.imm2);
  if (code.method === 'M') return (m, i) => {
    const [offset, selector] = farPointer(m, i);
    far(m, i, offset, selector);
  };
  return null;
};

const ret: HandlerFactory = (entry) => {
  const release = entry.operands.length > 0;
  return (m, i) => {
    const t = m.readMem(m.regs[4]!, i.osize);
    m.regs[4] = m.regs[4]! + i.osize + (release ? i.imm & 0xffff : 0);
    m.eip = t;
  };
};

const retf: HandlerFactory = (entry) => {
  const release = entry.operands.length > 0;
  return (m, i) => {
    const esp = m.regs[4]!;
    const t = m.readMem(esp, i.osize);
    const selector = m.readMem((esp + i.osize) >>> 0, 2);
    m.regs[4] = esp + 2 * i.osize + (release ? i.imm & 0xffff : 0);
    m.segments[1] = selector;
    m.eip = t;
  };
};

function counter(m: Machine, i: Insn): number {
  if (i.asize16) {
    const cx = (m.regs[1]! - 1) & 0xffff;
    m.setReg(1, 2, cx);
    return cx;
  }
  m.regs[1] = m.regs[1]! - 1;
  return m.regs[1]!;
}

const iret: HandlerFactory = () => (m, i) => {
  const esp = m.regs[4]!;
  const size = i.osize;
  const eip = m.readMem(esp, size);
  const cs = m.readMem((esp + size) >>> 0, 2);
  const flags = m.readMem((esp + 2 * size) >>> 0, size);
  m.regs[4] = esp + 3 * size;
  // IOPL and IF as popf at the CPL iret starts from (a return to the same level is all it models).
  const writable = flagsWritableAtCpl(m, size === 4 ? POPF_WRITABLE : POPF_WRITABLE & 0xffff);
  m.segments[1] = cs;
  m.eflags = ((m.eflags & ~writable) | (flags & writable) | FIXED_ONE) >>> 0;
  m.eip = size === 2 ? eip & 0xffff : eip;
};

export const CONTROL_FLOW: HandlerFamily = {
  jmp,
  call,
  ret,
  retf,
  iret,
  iretw: iret,
  loop: () => (m, i) => { if (counter(m, i) !== 0) m.eip = target(i); },
  loope: () => (m, i) => { if (counter(m, i) !== 0 && m.eflags & ZF) m.eip = target(i); },
  loopne: () => (m, i) => { if (counter(m, i) !== 0 && !(m.eflags & ZF)) m.eip = target(i); },
  jecxz: () => (m, i) => { if (m.regs[1] === 0) m.eip = target(i); },
  jcxz: () => (m, i) => { if ((m.regs[1]! & 0xffff) === 0) m.eip = target(i); },
  int3: () => () => { throw trap(3, 'breakpoint (int3)'); },
  int1: () => () => { throw trap(1, 'int1 (icebp)'); },
  int: () => (_m, i) => { throw trap(i.imm & 0xff, `software interrupt int $0x${(i.imm & 0xff).toString(16)}`); },
  into: () => (m) => { if (m.eflags & OF) throw trap(4, 'overflow (into with OF set)'); },
  bound: () => (m, i) => {
    const index = i.osize === 4 ? m.regs[i.reg]! | 0 : (m.getReg(i.reg, 2) << 16) >> 16;
    const low = i.osize === 4 ? m.readMem(m.linear, 4) | 0 : (m.readMem(m.linear, 2) << 16) >> 16;
    const high = i.osize === 4 ? m.readMem((m.linear + 4) >>> 0, 4) | 0 : (m.readMem((m.linear + 2) >>> 0, 2) << 16) >> 16;
    if (index < low || index > high) throw fault(5, `bound range exceeded at 0x${i.address.toString(16)}`);
  },
  hlt: () => () => { throw new CpuSignal('halt', 0, 'hlt'); },
  ud2: () => (_m, i) => { throw fault(6, `ud2 at 0x${i.address.toString(16).padStart(8, '0')}`); },
  ud1: () => (_m, i) => { throw fault(6, `ud1 at 0x${i.address.toString(16).padStart(8, '0')}`); },
  ud0: () => (_m, i) => { throw fault(6, `ud0 at 0x${i.address.toString(16).padStart(8, '0')}`); },
};

// Conditional jumps: the condition is the low four bits of the opcode (70-7F, 0F 80-8F).
for (const cc of ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']) {
  CONTROL_FLOW[`j${cc}`] = (entry) => {
    const code = entry.opcode & 0xf;
    return (m, i) => { if (condition(m.eflags, code)) m.eip = target(i); };
  };
}
