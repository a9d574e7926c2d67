// Data movement: mov (control/debug register forms delegate to execute-system.ts), lea, xchg,
// movzx/movsx, push/pop of registers, memory, immediates and segment registers, les/lds/lss/lfs/lgs,
// cbw/cwde/cwd/cdq, xlat, bswap, nops.

import type { OpcodeEntry } from '../isa';
import type { HandlerFamily } from './dispatch-table';
import type { Handler } from './instruction-record';
import { signExtend } from './flags-arithmetic';
import { SEG_CS, SEG_SS } from './instruction-record';
import { fault } from './cpu-signals';
import { controlRegisterMove } from './execute-system';
import { readWrite, reader, sizeOf, writer } from './operand-access';

const SEGMENT_NAMES = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];

function segmentOperand(name: string): number {
  return SEGMENT_NAMES.indexOf(name);
}

/** les/lds/lss/lfs/lgs: offset into the register, selector into the segment register. */
function farPointerLoad(seg: number): Handler {
  return (m, i) => {
    const offset = m.readMem(m.linear, i.osize);
    const selector = m.readMem((m.linear + i.osize) >>> 0, 2);
    m.loadSegment(seg, selector);
    m.setReg(i.reg, i.osize, offset);
    if (seg === SEG_SS) m.inhibitSingleStep = true;
  };
}

/** movzx/movsx: the source size comes from the row (Eb or Ew), the destination from the operand size. */
function widen(entry: OpcodeEntry, signed: boolean): Handler {
  const from = entry.operands[1]?.kind === 'method' && entry.operands[1].size === 'b' ? 1 : 2;
  return signed
    ? (m, i) => m.setReg(i.reg, i.osize, signExtend(m.readE(i, from), from))
    : (m, i) => m.setReg(i.reg, i.osize, m.readE(i, from));
}

export const DATA_MOVEMENT: HandlerFamily = {
  mov: (entry) => {
    const [dst, src] = entry.operands;
    if (!dst || !src) return null;
    // Segment register forms: 8C (Ew <- Sw) and 8E (Sw <- Ew).
    if (src.kind === 'method' && src.method === 'S') {
      return (m, i) => {
        if (i.reg > 5) throw fault(6, 'mov from a segment register that does not exist');
        m.writeE(i, i.mem ? 2 : i.osize, m.segments[i.reg]!);
      };
    }
    if (dst.kind === 'method' && dst.method === 'S') {
      return (m, i) => {
        if (i.reg === SEG_CS || i.reg > 5) throw fault(6, 'mov to %cs is invalid');
        m.loadSegment(i.reg, m.readE(i, 2));
        // mov ss holds back the single-step trap for one instruction.
        if (i.reg === SEG_SS) m.inhibitSingleStep = true;
      };
    }
    if ((src.kind === 'method' && (src.method === 'C' || src.method === 'D')) || (dst.kind === 'method' && (dst.method === 'C' || dst.method === 'D'))) {
      return controlRegisterMove(entry);
    }
    const r = reader(src);
    const w = writer(dst);
    if (!r || !w) return null;
    const size = sizeOf(entry);
    return (m, i) => {
      const s = size(i);
      w(m, i, s, r(m, i, s));
    };
  },
  lea: () => (m, i) => m.setReg(i.reg, i.osize, m.ea),
  xchg: (entry) => {
    const a = readWrite(entry, 0);
    const b = readWrite(entry, 1);
    if (!a || !b) return null;
    const size = sizeOf(entry);
    return (m, i) => {
      const s = size(i);
      const x = a[0](m, i, s);
      const y = b[0](m, i, s);
      // Memory first, so a fault leaves the register untouched.
      a[1](m, i, s, y);
      b[1](m, i, s, x);
    };
  },
  nop: () => () => undefined,
  pause: () => () => undefined,
  fwait: () => () => undefined,
  movzx: (entry) => widen(entry, false),
  movsx: (entry) => widen(entry, true),
  push: (entry) => {
    const code = entry.operands[0];
    if (!code) return null;
    if (code.kind === 'fixed') {
      const seg = segmentOperand(code.name);
      if (seg < 0) return null;
      // A segment push at 32 bits writes only the low word on modern CPUs, but moves ESP by 4.
      return (m, i) => {
        if (i.osize === 4) {
          const esp = (m.regs[4]! - 4) >>> 0;
          m.writeMem(esp, 2, m.segments[seg]!);
          m.regs[4] = esp;
        } else m.push(2, m.segments[seg]!);
      };
    }
    const r = reader(code);
    if (!r) return null;
    return (m, i) => m.push(i.osize, r(m, i, i.osize));
  },
  pushw: (entry) => DATA_MOVEMENT.push!(entry),
  pop: (entry) => {
    const code = entry.operands[0];
    if (!code) return null;
    if (code.kind === 'fixed') {
      const seg = segmentOperand(code.name);
      if (seg < 0) return null;
      return (m, i) => {
        const value = m.readMem(m.regs[4]!, 2);
        m.loadSegment(seg, value);
        m.regs[4] = m.regs[4]! + i.osize;
        if (seg === SEG_SS) m.inhibitSingleStep = true;
      };
    }
    if (code.kind === 'method' && code.method === 'E') {
      // pop to memory: the address uses ESP after the increment (SDM), recomputed here.
      return (m, i) => {
        const value = m.readMem(m.regs[4]!, i.osize);
        if (i.mem) {
          const uses = i.base === 4 || i.index === 4;
          const address = uses ? (m.linear + i.osize) >>> 0 : m.linear;
          m.writeMem(address, i.osize, value);
        } else m.setReg(i.rm, i.osize, value);
        if (!(!i.mem && i.rm === 4)) m.regs[4] = m.regs[4]! + i.osize;
      };
    }
    const w = writer(code);
    if (!w) return null;
    return (m, i) => {
      const value = m.readMem(m.regs[4]!, i.osize);
      m.regs[4] = m.regs[4]! + i.osize;
      w(m, i, i.osize, value);
    };
  },
  popw: (entry) => DATA_MOVEMENT.pop!(entry),
  cwde: () => (m) => { m.regs[0] = signExtend(m.regs[0]! & 0xffff, 2); },
  cbw: () => (m) => m.setReg(0, 2, signExtend(m.regs[0]! & 0xff, 1)),
  cdq: () => (m) => { m.regs[2] = (m.regs[0]! | 0) < 0 ? 0xffffffff : 0; },
  cwd: () => (m) => m.setReg(2, 2, m.regs[0]! & 0x8000 ? 0xffff : 0),
  xlat: () => (m, i) => {
    const offset = i.asize16 ? (m.regs[3]! + (m.regs[0]! & 0xff)) & 0xffff : (m.regs[3]! + (m.regs[0]! & 0xff)) >>> 0;
    m.setReg(0, 1, m.readMem(m.segmentAddress(i.seg, offset), 1));
  },
  les: () => farPointerLoad(0),
  lds: () => farPointerLoad(3),
  lss: () => farPointerLoad(SEG_SS),
  lfs: () => farPointerLoad(4),
  lgs: () => farPointerLoad(5),
  bswap: () => (m, i) => {
    const v = m.regs[i.opReg]!;
    if (i.osize === 2) m.setReg(i.opReg, 2, 0); // undefined by the SDM; real CPUs zero the word
    else m.regs[i.opReg] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
  },
};
