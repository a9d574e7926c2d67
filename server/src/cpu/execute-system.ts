// System and identification instructions: cpuid (a fixed, deterministic P6-class identity with
// no MMX/SSE, so libraries pick plain integer code), rdtsc (the TSC MSR: instruction count plus
// an offset), rdmsr/wrmsr, rdpmc, sysenter/sysexit, in/out through the port callback, mov to/from
// control and debug registers, movbe, fences, cache and TLB no-ops. Privileged rows #GP above CPL 0
// (dispatch-table.ts); in/out check IOPL and the TSS I/O bitmap, rdtsc CR4.TSD (privilege-checks.ts).

import type { HandlerFamily, HandlerFactory } from './dispatch-table';
import type { Handler, Insn } from './instruction-record';
import type { Machine } from './machine';
import { fault } from './cpu-signals';
import { currentPrivilegeLevel } from './descriptor-tables';
import { IF, RF, VM } from './eflags-bits';
import { requireIoPermission, ring0Only, withOwnPrivilegeCheck } from './privilege-checks';
import { IA32_SYSENTER_CS, IA32_SYSENTER_EIP, IA32_SYSENTER_ESP, IA32_TSC_AUX } from './model-specific-registers';

/** CPUID.1:EDX: FPU, DE, TSC, MSR, CX8, SEP, CMOV. Also the AT_HWCAP the loader passes. */
export const CPUID_FEATURES_EDX = (1 << 0) | (1 << 2) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 11) | (1 << 15);
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
    const port = portOf(m, i, immediate);
    requireIoPermission(m, port, size, 'in');
    const value = m.ioPort ? m.ioPort.read(port, size as 1 | 2 | 4) : 0xffffffff;
    m.setReg(0, size, value);
  };
};

const outFactory: HandlerFactory = (entry) => {
  const byte = entry.operands[1]?.kind === 'fixed' && entry.operands[1].name === 'AL';
  const immediate = entry.operands[0]?.kind === 'method';
  return (m, i) => {
    const size = byte ? 1 : i.osize;
    const port = portOf(m, i, immediate);
    requireIoPermission(m, port, size, 'out');
    m.ioPort?.write(port, size as 1 | 2 | 4, m.getReg(0, size));
  };
};

/**
 * mov to/from CRn and DRn (register operand only; the table's rows say which direction). CPL 0
 * only (the rows are privileged), but CR1 and CR5-7 are #UD first, as the real CPU reports them.
 */
export const controlRegisterMove: HandlerFactory = (entry) => {
  const [dst, src] = entry.operands;
  if (!dst || !src || dst.kind !== 'method' || src.kind !== 'method') return null;
  const fromControl = src.method === 'C';
  const fromDebug = src.method === 'D';
  const toControl = dst.method === 'C';
  const toDebug = dst.method === 'D';
  if (!fromControl && !fromDebug && !toControl && !toDebug) return null;
  const move: Handler = (m, i) => {
    const n = i.reg;
    if (fromControl || toControl) {
      if (fromControl) m.regs[i.rm] = m.control[n]!;
      else m.control[n] = m.regs[i.rm]!;
    } else if (fromDebug) m.regs[i.rm] = m.debug[n === 4 ? 6 : n === 5 ? 7 : n]!;
    else m.debug[n === 4 ? 6 : n === 5 ? 7 : n] = m.regs[i.rm]!;
  };
  const privileged = ring0Only(entry, move);
  return withOwnPrivilegeCheck((m, i) => {
    if ((fromControl || toControl) && (i.reg === 1 || i.reg > 4)) throw fault(6, `mov with %cr${i.reg} is invalid`);
    privileged(m, i);
  });
};

const nothing: HandlerFactory = () => () => undefined;

const CR0_PE = 1;
const CR4_TSD = 1 << 2;
const CR4_PCE = 1 << 8;
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

function writeTsc(m: Machine, value: bigint, withAux: boolean): void {
  m.regs[0] = Number(value & 0xffffffffn);
  m.regs[2] = Number(value >> 32n);
  if (withAux) m.regs[1] = m.msrs.low32(IA32_TSC_AUX);
}

/** rdmsr/wrmsr: EDX:EAX, MSR number in ECX; an MSR the machine lacks is #GP(0) (SDM RDMSR/WRMSR). */
const rdmsr: HandlerFactory = () => (m) => {
  const value = m.msrs.read(m.regs[1]!, m.instructionCount);
  if (value === null) throw fault(13, `rdmsr of MSR ${hex(m.regs[1]!)}, which is not implemented`);
  m.regs[0] = Number(value & 0xffffffffn);
  m.regs[2] = Number(value >> 32n);
};

const wrmsr: HandlerFactory = () => (m) => {
  const value = (BigInt(m.regs[2]!) << 32n) | BigInt(m.regs[0]!);
  if (!m.msrs.write(m.regs[1]!, value, m.instructionCount)) throw fault(13, `wrmsr to MSR ${hex(m.regs[1]!)}, which is not implemented`);
};

/** rdtsc/rdtscp: #GP(0) at CPL > 0 when CR4.TSD is set (SDM RDTSC, RDTSCP). */
function readTsc(withAux: boolean): HandlerFactory {
  return () => (m) => {
    if ((m.control[4]! & CR4_TSD) !== 0 && currentPrivilegeLevel(m) !== 0) throw fault(13, `rdtsc${withAux ? 'p' : ''} at CPL > 0 with CR4.TSD set`);
    writeTsc(m, m.msrs.tsc(m.instructionCount), withAux);
  };
}

/**
 * rdpmc (SDM RDPMC): at CPL 0, or with CR4.PCE set, reads counter ECX; this machine counts no
 * events, so the two P6 counters it has read 0. Any other counter, or CPL > 0 without PCE, is #GP(0).
 */
const rdpmc: HandlerFactory = () => (m) => {
  if (currentPrivilegeLevel(m) !== 0 && (m.control[4]! & CR4_PCE) === 0) throw fault(13, 'rdpmc at CPL > 0 with CR4.PCE clear');
  if (m.regs[1]! > 1) throw fault(13, `rdpmc of counter ${m.regs[1]}, which does not exist`);
  m.regs[0] = 0;
  m.regs[2] = 0;
};

/**
 * sysenter (SDM SYSENTER): to CPL 0 at IA32_SYSENTER_EIP/ESP with flat CS = SYSENTER_CS and
 * SS = SYSENTER_CS + 8; VM, IF and RF cleared. #GP(0) when SYSENTER_CS[15:2] is 0.
 */
const sysenter: HandlerFactory = () => (m) => {
  const cs = m.msrs.low32(IA32_SYSENTER_CS) & 0xffff;
  if ((m.control[0]! & CR0_PE) === 0 || (cs & 0xfffc) === 0) throw fault(13, 'sysenter with IA32_SYSENTER_CS zero');
  m.eflags &= ~(VM | IF | RF);
  m.segments[1] = cs & 0xfffc;
  m.segments[2] = ((cs & 0xfffc) + 8) & 0xffff;
  m.regs[4] = m.msrs.low32(IA32_SYSENTER_ESP);
  m.eip = m.msrs.low32(IA32_SYSENTER_EIP);
};

/**
 * sysexit (SDM SYSEXIT): to CPL 3 at EDX with ESP = ECX, CS = SYSENTER_CS + 16 and
 * SS = SYSENTER_CS + 24, both with RPL 3. #GP(0) above CPL 0 or when SYSENTER_CS[15:2] is 0.
 */
const sysexit: HandlerFactory = () => (m) => {
  const cs = m.msrs.low32(IA32_SYSENTER_CS) & 0xffff;
  if ((m.control[0]! & CR0_PE) === 0 || (cs & 0xfffc) === 0 || currentPrivilegeLevel(m) !== 0) {
    throw fault(13, 'sysexit at CPL > 0 or with IA32_SYSENTER_CS zero');
  }
  m.segments[1] = ((cs + 16) | 3) & 0xffff;
  m.segments[2] = ((cs + 24) | 3) & 0xffff;
  m.regs[4] = m.regs[1]!;
  m.eip = m.regs[2]!;
};

export const SYSTEM: HandlerFamily = {
  cpuid: () => cpuid,
  rdtsc: readTsc(false),
  rdmsr,
  wrmsr,
  rdpmc,
  sysenter,
  sysexit,
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
  rdtscp: readTsc(true),
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
