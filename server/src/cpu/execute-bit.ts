// Bit instructions: bt/bts/btr/btc (register offsets reach outside the operand in memory),
// bsf/bsr (destination kept when the source is zero), popcnt/tzcnt/lzcnt, setcc and cmovcc.

import type { HandlerFactory, HandlerFamily } from './dispatch-table';
import { CF, STATUS, ZF } from './eflags-bits';
import { condition } from './flags-arithmetic';

type BitOperation = 'test' | 'set' | 'reset' | 'complement';

function bitTest(operation: BitOperation): HandlerFactory {
  return (entry) => {
    const immediate = entry.operands[1]?.kind === 'method' && entry.operands[1].method === 'I';
    return (m, i) => {
      const size = i.osize;
      const width = size * 8;
      let offset: number;
      let address = m.linear;
      if (immediate) offset = i.imm & (width - 1);
      else {
        const raw = m.getReg(i.reg, size);
        const signed = size === 4 ? raw | 0 : (raw << 16) >> 16;
        if (i.mem) {
          // A register bit offset selects any bit relative to the operand's address.
          address = (address + Math.floor(signed / width) * size) >>> 0;
          offset = ((signed % width) + width) % width;
        } else offset = signed & (width - 1);
      }
      const value = i.mem ? m.readMem(address, size) : m.getReg(i.rm, size);
      const bit = (value >>> offset) & 1;
      m.eflags = (m.eflags & ~CF) | (bit ? CF : 0);
      if (operation === 'test') return;
      const maskBit = (1 << offset) >>> 0;
      const r = operation === 'set' ? value | maskBit : operation === 'reset' ? value & ~maskBit : value ^ maskBit;
      if (i.mem) m.writeMem(address, size, r);
      else m.setReg(i.rm, size, r);
    };
  };
}

function scan(reverse: boolean): HandlerFactory {
  return () => (m, i) => {
    const v = m.readE(i, i.osize);
    if (v === 0) {
      m.eflags |= ZF;
      return;
    }
    m.eflags &= ~ZF;
    m.setReg(i.reg, i.osize, reverse ? 31 - Math.clz32(v) : 31 - Math.clz32(v & -v));
  };
}

export const BIT: HandlerFamily = {
  bt: bitTest('test'),
  bts: bitTest('set'),
  btr: bitTest('reset'),
  btc: bitTest('complement'),
  bsf: scan(false),
  bsr: scan(true),
  popcnt: () => (m, i) => {
    let v = m.readE(i, i.osize);
    let count = 0;
    for (; v; v &= v - 1) count++;
    m.setReg(i.reg, i.osize, count);
    m.eflags = (m.eflags & ~STATUS) | (count === 0 ? ZF : 0);
  },
  tzcnt: () => (m, i) => {
    const width = i.osize * 8;
    const v = m.readE(i, i.osize);
    const count = v === 0 ? width : 31 - Math.clz32(v & -v);
    m.setReg(i.reg, i.osize, count);
    m.eflags = (m.eflags & ~(CF | ZF)) | (v === 0 ? CF : 0) | (count === 0 ? ZF : 0);
  },
  lzcnt: () => (m, i) => {
    const width = i.osize * 8;
    const v = m.readE(i, i.osize);
    const count = v === 0 ? width : Math.clz32(v) - (32 - width);
    m.setReg(i.reg, i.osize, count);
    m.eflags = (m.eflags & ~(CF | ZF)) | (v === 0 ? CF : 0) | (count === 0 ? ZF : 0);
  },
};

const CONDITION_NAMES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
for (const cc of CONDITION_NAMES) {
  BIT[`set${cc}`] = (entry) => {
    const code = entry.opcode & 0xf;
    return (m, i) => m.writeE(i, 1, condition(m.eflags, code) ? 1 : 0);
  };
  BIT[`cmov${cc}`] = (entry) => {
    const code = entry.opcode & 0xf;
    // The source is read (and may fault) whatever the condition.
    return (m, i) => {
      const v = m.readE(i, i.osize);
      if (condition(m.eflags, code)) m.setReg(i.reg, i.osize, v);
    };
  };
}
