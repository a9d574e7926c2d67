// Atomic-style exchanges (atomic by construction in a one-CPU emulator): xadd, cmpxchg and
// cmpxchg8b. cmpxchg writes the destination back even when the compare fails, as the CPU does.

import type { HandlerFamily } from './dispatch-table';
import { ZF } from './eflags-bits';
import { add, sub } from './flags-arithmetic';

function byteForm(entry: { operands: readonly { kind: string; size?: string }[] }): boolean {
  const first = entry.operands[0];
  return first !== undefined && first.kind === 'method' && first.size === 'b';
}

export const EXCHANGE: HandlerFamily = {
  xadd: (entry) => {
    const byte = byteForm(entry);
    return (m, i) => {
      const size = byte ? 1 : i.osize;
      const dst = m.readE(i, size);
      const src = m.getReg(i.reg, size);
      const sum = add(m, size, dst, src, 0);
      m.writeE(i, size, sum);
      // With a register destination equal to the source register the sum wins (written last).
      if (i.mem || i.rm !== i.reg) m.setReg(i.reg, size, dst);
    };
  },
  cmpxchg: (entry) => {
    const byte = byteForm(entry);
    return (m, i) => {
      const size = byte ? 1 : i.osize;
      const dst = m.readE(i, size);
      const accumulator = m.getReg(0, size);
      sub(m, size, accumulator, dst, 0);
      if (accumulator === dst) m.writeE(i, size, m.getReg(i.reg, size));
      else {
        if (i.mem) m.writeE(i, size, dst);
        m.setReg(0, size, dst);
      }
    };
  },
  cmpxchg8b: () => (m) => {
    const low = m.readMem(m.linear, 4);
    const high = m.readMem((m.linear + 4) >>> 0, 4);
    m.memory.probeWrite(m.linear, 8);
    if (low === m.regs[0] && high === m.regs[2]) {
      m.writeMem(m.linear, 4, m.regs[3]!);
      m.writeMem((m.linear + 4) >>> 0, 4, m.regs[1]!);
      m.eflags |= ZF;
    } else {
      m.writeMem(m.linear, 4, low);
      m.writeMem((m.linear + 4) >>> 0, 4, high);
      m.regs[0] = low;
      m.regs[2] = high;
      m.eflags &= ~ZF;
    }
  },
};
