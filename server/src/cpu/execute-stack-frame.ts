// Stack frames and flag images: pusha/popa, enter/leave, pushf/popf. popf at ring 0 may change
// IF, IOPL and TF; above ring 0 it leaves IOPL, and IF too when CPL > IOPL (privilege-checks.ts); a popf that sets TF traps only after the following instruction (machine.ts
// decides the single-step trap from TF at the start of each instruction).

import type { HandlerFamily } from './dispatch-table';
import type { Handler } from './instruction-record';
import { FIXED_ONE, POPF_WRITABLE, RF, VM } from './eflags-bits';
import { flagsWritableAtCpl } from './privilege-checks';

const popf: Handler = (m, i) => {
  const size = i.osize;
  const value = m.pop(size);
  const writable = flagsWritableAtCpl(m, size === 4 ? POPF_WRITABLE & ~RF : POPF_WRITABLE & 0xffff);
  m.eflags = ((m.eflags & ~writable) | (value & writable) | FIXED_ONE) >>> 0;
};

const pusha: Handler = (m, i) => {
  const size = i.osize;
  const esp = m.regs[4]!;
  m.memory.probeWrite((esp - 8 * size) >>> 0, 8 * size);
  for (let n = 0; n < 8; n++) m.writeMem((esp - (n + 1) * size) >>> 0, size, n === 4 ? esp : m.regs[n]!);
  m.regs[4] = esp - 8 * size;
};

const popa: Handler = (m, i) => {
  const size = i.osize;
  const esp = m.regs[4]!;
  const values: number[] = [];
  for (let n = 7; n >= 0; n--) values[n] = m.readMem((esp + (7 - n) * size) >>> 0, size);
  for (let n = 0; n < 8; n++) if (n !== 4) m.setReg(n, size, values[n]!);
  m.regs[4] = esp + 8 * size;
};

export const STACK_FRAME: HandlerFamily = {
  pusha: () => pusha,
  pushaw: () => pusha,
  popa: () => popa,
  popaw: () => popa,
  enter: () => (m, i) => {
    const size = i.osize;
    const frameSize = i.imm & 0xffff;
    const level = i.imm2 & 31;
    let esp = m.regs[4]!;
    let ebp = m.regs[5]!;
    esp = (esp - size) >>> 0;
    m.writeMem(esp, size, ebp);
    const frame = esp;
    for (let k = 1; k < level; k++) {
      ebp = (ebp - size) >>> 0;
      esp = (esp - size) >>> 0;
      m.writeMem(esp, size, m.readMem(ebp, size));
    }
    if (level > 0) {
      esp = (esp - size) >>> 0;
      m.writeMem(esp, size, frame);
    }
    m.setReg(5, size, frame);
    m.regs[4] = esp - frameSize;
  },
  leave: () => (m, i) => {
    const size = i.osize;
    const ebp = m.regs[5]!;
    const value = m.readMem(size === 2 ? ebp & 0xffff : ebp, size);
    m.regs[4] = ebp + size;
    m.setReg(5, size, value);
  },
  pushf: () => (m, i) => m.push(i.osize, m.eflags & ~(RF | VM)),
  pushfw: () => (m, i) => m.push(i.osize, m.eflags & ~(RF | VM)),
  popf: () => popf,
  popfw: () => popf,
};
