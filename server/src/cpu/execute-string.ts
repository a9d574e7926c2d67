// String instructions movs cmps stos lods scas ins outs, with rep/repe/repne. A repeated
// instruction runs to completion in run(), but one iteration per step() or under TF, leaving
// EIP on itself until the count is exhausted, as the real CPU's single-step does.

import type { HandlerFactory, HandlerFamily } from './dispatch-table';
import type { Insn } from './instruction-record';
import type { Machine } from './machine';
import { DF, ZF } from './eflags-bits';
import { sub } from './flags-arithmetic';
import { SEG_ES } from './instruction-record';
import { requireIoPermission } from './privilege-checks';

type Iteration = (m: Machine, i: Insn, size: number, step: number) => void;

function advance(m: Machine, i: Insn, reg: number, delta: number): void {
  if (i.asize16) m.setReg(reg, 2, m.regs[reg]! + delta);
  else m.regs[reg] = m.regs[reg]! + delta;
}

function source(m: Machine, i: Insn): number {
  return m.segmentAddress(i.seg, i.asize16 ? m.regs[6]! & 0xffff : m.regs[6]!);
}

function destination(m: Machine, i: Insn): number {
  return m.segmentAddress(SEG_ES, i.asize16 ? m.regs[7]! & 0xffff : m.regs[7]!);
}

function stringFactory(iteration: Iteration, compares: boolean): HandlerFactory {
  return (entry) => {
    const byte = entry.operands.some((o) => o.kind === 'method' && o.size === 'b') || entry.operands.some((o) => o.kind === 'fixed' && o.name === 'AL');
    return (m, i) => {
      const size = byte ? 1 : i.osize;
      const step = m.eflags & DF ? -size : size;
      if (i.rep === 0) {
        iteration(m, i, size, step);
        return;
      }
      const counterMask = i.asize16 ? 0xffff : 0xffffffff;
      for (;;) {
        const count = m.regs[1]! & counterMask;
        if (count === 0) return;
        iteration(m, i, size, step);
        if (i.asize16) m.setReg(1, 2, count - 1);
        else m.regs[1] = count - 1;
        if (compares) {
          const zero = (m.eflags & ZF) !== 0;
          if ((i.rep === 0xf3 && !zero) || (i.rep === 0xf2 && zero)) return;
        }
        if (count - 1 === 0) return;
        if (m.repOneIteration) {
          m.eip = i.address;
          return;
        }
      }
    };
  };
}

const movs: Iteration = (m, i, size, step) => {
  m.writeMem(destination(m, i), size, m.readMem(source(m, i), size));
  advance(m, i, 6, step);
  advance(m, i, 7, step);
};

const cmps: Iteration = (m, i, size, step) => {
  const a = m.readMem(source(m, i), size);
  const b = m.readMem(destination(m, i), size);
  sub(m, size, a, b, 0);
  advance(m, i, 6, step);
  advance(m, i, 7, step);
};

const stos: Iteration = (m, i, size, step) => {
  m.writeMem(destination(m, i), size, m.getReg(0, size));
  advance(m, i, 7, step);
};

const lods: Iteration = (m, i, size, step) => {
  m.setReg(0, size, m.readMem(source(m, i), size));
  advance(m, i, 6, step);
};

const scas: Iteration = (m, i, size, step) => {
  sub(m, size, m.getReg(0, size), m.readMem(destination(m, i), size), 0);
  advance(m, i, 7, step);
};

const ins: Iteration = (m, i, size, step) => {
  const port = m.regs[2]! & 0xffff;
  requireIoPermission(m, port, size, 'ins');
  const address = destination(m, i);
  m.memory.probeWrite(address, size);
  m.writeMem(address, size, m.ioPort ? m.ioPort.read(port, size as 1 | 2 | 4) : 0xffffffff);
  advance(m, i, 7, step);
};

const outs: Iteration = (m, i, size, step) => {
  const port = m.regs[2]! & 0xffff;
  requireIoPermission(m, port, size, 'outs');
  const value = m.readMem(source(m, i), size);
  m.ioPort?.write(port, size as 1 | 2 | 4, value);
  advance(m, i, 6, step);
};

export const STRING_INSTRUCTIONS: HandlerFamily = {
  movs: stringFactory(movs, false),
  cmps: stringFactory(cmps, true),
  stos: stringFactory(stos, false),
  lods: stringFactory(lods, false),
  scas: stringFactory(scas, true),
  ins: stringFactory(ins, false),
  outs: stringFactory(outs, false),
};
