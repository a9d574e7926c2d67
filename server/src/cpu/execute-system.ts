// System and identification instructions: cpuid (a fixed, deterministic P6-class identity with
// no MMX/SSE, so libraries pick plain integer code), rdtsc (the instruction count), in/out through
// the port callback, mov to/from control and debug registers, movbe, fences, cache and TLB no-ops.

import type { HandlerFamily, HandlerFactory } from './dispatch-table';
import type { Insn } from './instruction-record';
import type { Machine } from './machine';
import { fault } from './cpu-signals';

/** CPUID.1:EDX: FPU, DE, TSC, CX8, CMOV. Also the AT_HWCAP the loader passes. */
export const CPUID_FEATURES_EDX = (1 << 0) | (1 << 2) | (1 << 4) | (1 << 8) | (1 << 15);
/** Family 6, model 15, stepping 6. */
const CPUID_SIGNATURE = 0x000006f6;

function vendorWords(text: string): number[] {
  const b = new TextEncoder().encode(text);
  return [0, 4, 8].map((o) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0);
}
const VENDOR = vendorWords('GenuineIntel');

function cpuid(m: Machine): void {
  const leaf = m.regs[0]!;
  let out = [0, 0, 0, 0];
  if (leaf === 0) out = [1, VENDOR[0]!, VENDOR[2]!, VENDOR[1]!];
  else if (leaf === 1) out = [CPUID_SIGNATURE, 0, 0, CPUID_FEATURES_EDX];
  m.regs[0] = out[0]!;
  m.regs[3] = out[1]!;
  m.regs[1] = out[2]!;
  m.regs[2] = out[3]!;
}

function portOf(m: Machine, i: Insn, immediate: boolean): number {
  return immediate ? i.imm & 0xff : m.regs[2]! & 0xffff;
}

const inFactory: HandlerFactory = (entry) => {
  const byte = entry.operands[0]?.kind === 'fixed' && entry.operands[0].name === 'AL';
  const immediate = entry.operands[1]?.kind === 'method';
  return (m, i) => {
    const size = byte ? 1 : i.osize;
    const value = m.ioPort ? m.ioPort.read(portOf(m, i, immediate), size as 1 | 2 | 4) : 0xffffffff;
    m.setReg(0, size, value);
  };
};

const outFactory: HandlerFactory = (entry) => {
  const byte = entry.operands[1]?.kind === 'fixed' && entry.operands[1].name === 'AL';
  const immediate = entry.operands[0]?.kind === 'method';
  return (m, i) => {
    const size = byte ? 1 : i.osize;
    m.ioPort?.write(portOf(m, i, immediate), size as 1 | 2 | 4, m.getReg(0, size));
  };
};

/** mov to/from CRn and DRn (register operand only; the table's rows say which direction). */
export const controlRegisterMove: HandlerFactory = (entry) => {
  const [dst, src] = entry.operands;
  if (!dst || !src || dst.kind !== 'method' || src.kind !== 'method') return null;
  const fromControl = src.method === 'C';
  const fromDebug = src.method === 'D';
  const toControl = dst.method === 'C';
  const toDebug = dst.method === 'D';
  if (!fromControl && !fromDebug && !toControl && !toDebug) return null;
  return (m, i) => {
    const n = i.reg;
    if (fromControl || toControl) {
      if (n === 1 || n > 4) throw fault(6, `mov with %cr${n} is invalid`);
      if (fromControl) m.regs[i.rm] = m.control[n]!;
      else m.control[n] = m.regs[i.rm]!;
    } else if (fromDebug) m.regs[i.rm] = m.debug[n === 4 ? 6 : n === 5 ? 7 : n]!;
    else m.debug[n === 4 ? 6 : n === 5 ? 7 : n] = m.regs[i.rm]!;
  };
};

const nothing: HandlerFactory = () => () => undefined;

export const SYSTEM: HandlerFamily = {
  cpuid: () => cpuid,
  rdtsc: () => (m) => {
    m.regs[0] = m.instructionCount >>> 0;
    m.regs[2] = Math.floor(m.instructionCount / 0x100000000);
  },
  in: inFactory,
  out: outFactory,
  lfence: nothing,
  mfence: nothing,
  sfence: nothing,
  wbinvd: nothing,
  invd: nothing,
  invlpg: nothing,
  clflush: nothing,
  endbr32: nothing,
  endbr64: nothing,
  prefetchnta: nothing,
  prefetcht0: nothing,
  prefetcht1: nothing,
  prefetcht2: nothing,
  prefetch: nothing,
  prefetchw: nothing,
  clts: () => (m) => { m.control[0] = m.control[0]! & ~8; },
  clwb: nothing,
  clflushopt: nothing,
  serialize: nothing,
  rdtscp: () => (m) => {
    m.regs[0] = m.instructionCount >>> 0;
    m.regs[2] = Math.floor(m.instructionCount / 0x100000000);
    m.regs[1] = 0; // IA32_TSC_AUX: processor 0
  },
  movbe: (entry) => {
    const toMemory = entry.operands[0]?.kind === 'method' && entry.operands[0].method === 'M';
    // The 66 forms are separate rows (66 is their mandatory prefix): the row gives the size.
    const size = entry.operands[0]?.kind === 'method' && entry.operands[0].size === 'w' ? 2 : 4;
    return (m, i) => {
      const swap = (v: number): number => (size === 2 ? ((v & 0xff) << 8) | ((v >>> 8) & 0xff)
        : (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0);
      if (toMemory) m.writeMem(m.linear, size, swap(m.getReg(i.reg, size)));
      else m.setReg(i.reg, size, swap(m.readMem(m.linear, size)));
    };
  },
};
