// Decimal adjust instructions: daa das aaa aas aam aad (aam with a zero base raises #DE).

import type { HandlerFamily } from './dispatch-table';
import type { Handler } from './instruction-record';
import { AF, CF, OF, STATUS } from './eflags-bits';
import { fault } from './cpu-signals';
import { szpFlags } from './flags-arithmetic';

/**
 * daa and das: one body, the adjustment added (daa) or subtracted (das). CF comes from the low
 * adjustment's carry/borrow or the old CF; OF is undefined, Intel sets it from the signed overflow.
 */
function decimalAdjust(direction: 1 | -1): Handler {
  return (m) => {
    const old = m.regs[0]! & 0xff;
    const oldCf = m.eflags & CF;
    let al = old;
    let cf = 0;
    let af = 0;
    if ((al & 0xf) > 9 || m.eflags & AF) {
      al = (al + direction * 6) & 0xff;
      const lowCarry = direction > 0 ? old + 6 > 0xff : old < 6;
      cf = oldCf || lowCarry ? CF : 0;
      af = AF;
    }
    if (old > 0x99 || oldCf) {
      al = (al + direction * 0x60) & 0xff;
      cf = CF;
    }
    m.setReg(0, 1, al);
    const of = ((direction > 0 ? ~old & al : old & ~al) & 0x80) ? OF : 0;
    m.eflags = (m.eflags & ~STATUS) | cf | af | of | szpFlags(al, 1);
  };
}

export const BCD: HandlerFamily = {
  daa: () => decimalAdjust(1),
  das: () => decimalAdjust(-1),
  aaa: () => (m) => {
    let ax = m.regs[0]! & 0xffff;
    let flags = 0;
    if ((ax & 0xf) > 9 || m.eflags & AF) {
      ax = (ax + 0x106) & 0xffff;
      flags = AF | CF;
    }
    m.setReg(0, 2, ax & 0xff0f);
    m.eflags = (m.eflags & ~STATUS) | flags | szpFlags(ax & 0x0f, 1);
  },
  aas: () => (m) => {
    let ax = m.regs[0]! & 0xffff;
    let flags = 0;
    if ((ax & 0xf) > 9 || m.eflags & AF) {
      // The CPU subtracts 6 from all of AX (AL below 6 borrows from AH), then 1 from AH.
      ax = (ax - 0x106) & 0xffff;
      flags = AF | CF;
    }
    m.setReg(0, 2, ax & 0xff0f);
    m.eflags = (m.eflags & ~STATUS) | flags | szpFlags(ax & 0x0f, 1);
  },
  aam: () => (m, i) => {
    const base = i.imm & 0xff;
    if (base === 0) throw fault(0, `divide error (aam 0) at 0x${i.address.toString(16)}`);
    const al = m.regs[0]! & 0xff;
    const result = al % base;
    m.setReg(0, 2, (Math.floor(al / base) << 8) | result);
    m.eflags = (m.eflags & ~STATUS) | szpFlags(result, 1);
  },
  aad: () => (m, i) => {
    const base = i.imm & 0xff;
    const ax = m.regs[0]! & 0xffff;
    const al = ((ax & 0xff) + (ax >> 8) * base) & 0xff;
    m.setReg(0, 2, al);
    m.eflags = (m.eflags & ~STATUS) | szpFlags(al, 1);
  },
};
