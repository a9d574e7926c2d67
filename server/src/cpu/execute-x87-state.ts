// x87 state instructions: fnstenv/fldenv, fnsave/frstor and fxsave/fxrstor in their 32-bit
// protected-mode layouts (SDM Vol. 1 8.1.10 Figures 8-9/8-10 and 8.1.11; Vol. 2A FXSAVE Table
// 3-53), and the last instruction/data pointers they store, which every non-control x87
// instruction updates (SDM Vol. 1 8.1.8-8.1.9).

import type { HandlerFactory, HandlerFamily } from './dispatch-table';
import type { Handler } from './instruction-record';
import type { Machine } from './machine';
import { fault } from './cpu-signals';
import { SEG_CS } from './instruction-record';
import { readReal80, writeReal80 } from './x87-memory-formats';

/**
 * The x87 control instructions: they leave FIP, FOP and FDP as they were. fincstp, fdecstp and
 * ffree are not among them: the real CPU records them (the oracle test checks it).
 */
const CONTROL_INSTRUCTIONS = new Set([
  'fninit', 'fnclex', 'fldcw', 'fnstcw', 'fnstsw', 'fnstenv', 'fldenv', 'fnsave', 'frstor', 'fxsave', 'fxrstor',
  'fwait', 'fneni', 'fndisi', 'fnsetpm',
]);

/** Wraps the non-control x87 handlers of a family so they record FIP/FCS/FOP and FDP/FDS. */
export function withX87Pointers(family: HandlerFamily): HandlerFamily {
  const wrapped: HandlerFamily = {};
  for (const [mnemonic, factory] of Object.entries(family)) {
    if (CONTROL_INSTRUCTIONS.has(mnemonic) || !mnemonic.startsWith('f')) {
      wrapped[mnemonic] = factory;
      continue;
    }
    wrapped[mnemonic] = (entry) => {
      const handler = factory(entry);
      if (handler === null) return null;
      const opcodeHigh = (entry.opcode & 7) << 8;
      return (m, i) => {
        handler(m, i);
        const x = m.x87;
        x.fip = i.address;
        x.fcs = m.segments[SEG_CS]!;
        x.fop = opcodeHigh | (i.decoded.modrm & 0xff);
        if (i.mem) {
          x.fdp = m.ea >>> 0;
          x.fds = m.segments[i.seg]!;
        }
      };
    };
  }
  return wrapped;
}

/** The tag word fldenv/frstor load: 11 marks a register empty; others keep their contents. */
function loadTagWord(m: Machine, tags: number): void {
  for (let p = 0; p < 8; p++) m.x87.empty[p] = ((tags >>> (2 * p)) & 3) === 3 ? 1 : 0;
}

/** The 28-byte (32-bit) or 14-byte (16-bit) environment at address (SDM Vol. 1 Figures 8-9, 8-10/8-11). */
function storeEnvironment(m: Machine, address: number, o16: boolean): number {
  const x = m.x87;
  if (o16) {
    const words = [x.control, x.statusWord(), x.tagWord(), x.fip & 0xffff, x.fcs, x.fdp & 0xffff, x.fds];
    words.forEach((w, k) => m.writeMem((address + 2 * k) >>> 0, 2, w));
    return 14;
  }
  // The unused upper halves read as ones on real CPUs.
  const dwords = [
    0xffff0000 | x.control, 0xffff0000 | x.statusWord(), 0xffff0000 | x.tagWord(), x.fip,
    (x.fcs & 0xffff) | ((x.fop & 0x7ff) << 16), x.fdp, 0xffff0000 | x.fds,
  ];
  dwords.forEach((w, k) => m.writeMem((address + 4 * k) >>> 0, 4, w >>> 0));
  return 28;
}

function loadEnvironment(m: Machine, address: number, o16: boolean): number {
  const x = m.x87;
  const read = (k: number): number => (o16 ? m.readMem((address + 2 * k) >>> 0, 2) : m.readMem((address + 4 * k) >>> 0, 4) >>> 0);
  const control = read(0), status = read(1), tags = read(2), fip = read(3), fcsFop = read(4), fdp = read(5), fds = read(6);
  x.setControl(control);
  x.status = status & 0xffff & ~0x3800;
  x.top = (status >>> 11) & 7;
  loadTagWord(m, tags & 0xffff);
  x.fip = fip;
  x.fcs = fcsFop & 0xffff;
  x.fop = o16 ? 0 : (fcsFop >>> 16) & 0x7ff;
  x.fdp = fdp;
  x.fds = fds & 0xffff;
  return o16 ? 14 : 28;
}

/** Registers in stack order, ST(0) first, 10 bytes apart (fnsave/frstor). */
function storeStack(m: Machine, address: number, stride: number): void {
  for (let k = 0; k < 8; k++) writeReal80(m, (address + stride * k) >>> 0, m.x87.regs[(m.x87.top + k) & 7]!);
}

function loadStack(m: Machine, address: number, stride: number): void {
  for (let k = 0; k < 8; k++) m.x87.regs[(m.x87.top + k) & 7] = readReal80(m, (address + stride * k) >>> 0);
}

/** fxsave/fxrstor need a 16-byte aligned area: #GP(0) otherwise (SDM FXSAVE). */
function alignedArea(m: Machine, name: string): number {
  if (m.linear & 15) throw fault(13, `${name} with a misaligned area 0x${m.linear.toString(16)}`);
  return m.linear;
}

/** MXCSR's power-on value and the mask of its writable bits the SDM gives for MXCSR_MASK = 0. */
const MXCSR_DEFAULT = 0x1f80;
const MXCSR_MASK = 0xffbf;

const fxsave: Handler = (m) => {
  const a = alignedArea(m, 'fxsave');
  const x = m.x87;
  // The area is written in full first so a #PF leaves no partial image.
  m.memory.probeWrite(a, 288);
  let abridged = 0;
  for (let p = 0; p < 8; p++) if (!x.empty[p]) abridged |= 1 << p;
  m.writeMem(a, 2, x.control);
  m.writeMem(a + 2, 2, x.statusWord());
  m.writeMem(a + 4, 2, abridged);
  m.writeMem(a + 6, 2, x.fop & 0x7ff);
  m.writeMem(a + 8, 4, x.fip);
  m.writeMem(a + 12, 4, x.fcs & 0xffff);
  m.writeMem(a + 16, 4, x.fdp);
  m.writeMem(a + 20, 4, x.fds & 0xffff);
  m.writeMem(a + 24, 4, MXCSR_DEFAULT);
  m.writeMem(a + 28, 4, MXCSR_MASK);
  for (let k = 0; k < 8; k++) {
    const slot = a + 32 + 16 * k;
    writeReal80(m, slot, x.regs[(x.top + k) & 7]!);
    m.writeMem(slot + 10, 2, 0);
    m.writeMem(slot + 12, 4, 0);
  }
  // XMM0-7: this machine has no SSE registers; they read as zero. Bytes 288-511 are left alone.
  for (let k = 160; k < 288; k += 4) m.writeMem(a + k, 4, 0);
};

const fxrstor: Handler = (m) => {
  const a = alignedArea(m, 'fxrstor');
  const x = m.x87;
  // Reserved MXCSR bits set raise #GP(0) (SDM FXRSTOR).
  if (m.readMem(a + 24, 4) & ~MXCSR_MASK) throw fault(13, 'fxrstor with reserved MXCSR bits set');
  x.setControl(m.readMem(a, 2));
  const status = m.readMem(a + 2, 2);
  x.status = status & ~0x3800;
  x.top = (status >>> 11) & 7;
  const abridged = m.readMem(a + 4, 1);
  for (let p = 0; p < 8; p++) x.empty[p] = (abridged >>> p) & 1 ? 0 : 1;
  x.fop = m.readMem(a + 6, 2) & 0x7ff;
  x.fip = m.readMem(a + 8, 4) >>> 0;
  x.fcs = m.readMem(a + 12, 2);
  x.fdp = m.readMem(a + 16, 4) >>> 0;
  x.fds = m.readMem(a + 20, 2);
  loadStack(m, a + 32, 16);
};

const osize16 = (entryOsize: number): boolean => entryOsize === 2;

export const X87_STATE: HandlerFamily = {
  // fnstenv then masks every x87 exception (SDM FSTENV/FNSTENV).
  fnstenv: (() => (m, i) => {
    storeEnvironment(m, m.linear, osize16(i.osize));
    m.x87.control |= 0x3f;
  }) satisfies HandlerFactory,
  fldenv: () => (m, i) => { loadEnvironment(m, m.linear, osize16(i.osize)); },
  // fnsave stores the environment and the eight registers, then initializes the FPU (SDM FSAVE/FNSAVE).
  fnsave: () => (m, i) => {
    m.memory.probeWrite(m.linear, osize16(i.osize) ? 94 : 108);
    const size = storeEnvironment(m, m.linear, osize16(i.osize));
    storeStack(m, (m.linear + size) >>> 0, 10);
    m.x87.reset();
  },
  frstor: () => (m, i) => {
    const size = loadEnvironment(m, m.linear, osize16(i.osize));
    loadStack(m, (m.linear + size) >>> 0, 10);
  },
  fxsave: () => fxsave,
  fxrstor: () => fxrstor,
};
