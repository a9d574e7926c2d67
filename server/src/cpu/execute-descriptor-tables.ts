// Descriptor-table instructions (SDM Vol. 2A/2B, one section each): sgdt/sidt/lgdt/lidt,
// sldt/lldt, str/ltr, smsw/lmsw, and the selector checks lar/lsl/verr/verw against the machine's
// GDT and LDT (descriptor-tables.ts). Rows the table marks privileged raise #GP(0) unless CPL is 0
// (dispatch-table.ts wraps their handlers in ring0Only).

import type { HandlerFamily } from './dispatch-table';
import type { Handler } from './instruction-record';
import type { Machine } from './machine';
import { fault } from './cpu-signals';
import {
  currentPrivilegeLevel, descriptorBase, descriptorDpl, descriptorLimit, descriptorPresent, descriptorType, isCodeOrData,
  readDescriptor, writeDescriptorHigh, type Descriptor,
} from './descriptor-tables';
import { ZF } from './eflags-bits';

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** sgdt/sidt: limit in the low word, then the 32-bit base, at either operand size (SDM SGDT). */
function storeTableRegister(which: 'gdtr' | 'idtr'): Handler {
  return (m) => {
    const t = m.descriptorTables[which];
    m.writeMem(m.linear, 2, t.limit);
    m.writeMem((m.linear + 2) >>> 0, 4, t.base);
  };
}

/** lgdt/lidt: with a 16-bit operand size only 24 bits of the base are loaded (SDM LGDT/LIDT). */
function loadTableRegister(which: 'gdtr' | 'idtr'): Handler {
  return (m, i) => {
    const limit = m.readMem(m.linear, 2);
    let base = m.readMem((m.linear + 2) >>> 0, 4) >>> 0;
    if (i.osize === 2) base &= 0xffffff;
    const t = m.descriptorTables;
    t[which] = { base, limit };
    if (which === 'gdtr') t.builtIn = null; // from now on descriptors come from guest memory
  };
}

/** sldt/str/smsw: a memory operand takes 16 bits; a register the operand size, zero-extended (P6 and later). */
function storeSystemWord(value: (m: Machine) => number): Handler {
  return (m, i) => {
    if (i.mem) m.writeMem(m.linear, 2, value(m) & 0xffff);
    else m.setReg(i.rm, i.osize, value(m));
  };
}

const conformingCode = (d: Descriptor): boolean => isCodeOrData(d) && (descriptorType(d) & 0xc) === 0xc;

/**
 * The checks lar, lsl, verr and verw share (SDM LAR, LSL, VERR/VERW): the selector's descriptor is
 * inside its table, of a type the instruction accepts, and (unless conforming code) no more
 * privileged than CPL and RPL. Null when ZF is to be cleared.
 */
function accessibleDescriptor(m: Machine, selector: number, validSystemTypes: readonly number[] | null): Descriptor | null {
  const d = readDescriptor(m, selector);
  if (d === null) return null;
  if (!isCodeOrData(d)) {
    if (validSystemTypes === null || !validSystemTypes.includes(descriptorType(d))) return null;
  }
  if (!conformingCode(d)) {
    const dpl = descriptorDpl(d);
    if (currentPrivilegeLevel(m) > dpl || (selector & 3) > dpl) return null;
  }
  return d;
}

/** System types LAR accepts in protected mode: TSS (16/32, available/busy), LDT, call gates, task gate. */
const LAR_SYSTEM_TYPES = [1, 2, 3, 4, 5, 9, 0xb, 0xc];
/** LSL: the segments with a limit (TSSs and LDTs). */
const LSL_SYSTEM_TYPES = [1, 2, 3, 9, 0xb];

function setZf(m: Machine, on: boolean): void {
  m.eflags = on ? m.eflags | ZF : m.eflags & ~ZF;
}

/** verr/verw: readable (data, or code with R) / writable (data with W), accessible at CPL and RPL. */
function verify(write: boolean): Handler {
  return (m, i) => {
    const d = accessibleDescriptor(m, m.readE(i, 2), null);
    const type = d ? descriptorType(d) : 0;
    const code = (type & 8) !== 0;
    const ok = d !== null && (write ? !code && (type & 2) !== 0 : !code || (type & 2) !== 0);
    setZf(m, ok);
  };
}

export const DESCRIPTOR_TABLES: HandlerFamily = {
  sgdtd: () => storeTableRegister('gdtr'),
  sgdtw: () => storeTableRegister('gdtr'),
  sidtd: () => storeTableRegister('idtr'),
  sidtw: () => storeTableRegister('idtr'),
  lgdtd: () => loadTableRegister('gdtr'),
  lgdtw: () => loadTableRegister('gdtr'),
  lidtd: () => loadTableRegister('idtr'),
  lidtw: () => loadTableRegister('idtr'),
  sldt: () => storeSystemWord((m) => m.descriptorTables.ldtr),
  str: () => storeSystemWord((m) => m.descriptorTables.tr),
  // The register form gives all of CR0 at 32 bits (the SDM leaves bits 31:16 undefined; P6 and later copy CR0's).
  smsw: () => storeSystemWord((m) => m.control[0]!),
  // lmsw loads PE MP EM TS; it can set PE but never clear it (SDM LMSW).
  lmsw: () => (m, i) => {
    const cr0 = m.control[0]!;
    m.control[0] = (cr0 & ~0xe) | (m.readE(i, 2) & 0xf) | (cr0 & 1);
  },
  lldt: () => (m, i) => {
    const selector = m.readE(i, 2);
    const t = m.descriptorTables;
    if ((selector & 0xfffc) === 0) {
      // A null selector marks LDTR invalid; later LDT references fault (SDM LLDT).
      t.ldtr = selector;
      t.ldt = { base: 0, limit: 0 };
      return;
    }
    const d = selector & 4 ? null : readDescriptor(m, selector);
    if (d === null || isCodeOrData(d) || descriptorType(d) !== 2) throw fault(13, `lldt ${hex(selector)}: not an LDT descriptor`, selector & 0xfffc);
    if (!descriptorPresent(d)) throw fault(11, `lldt ${hex(selector)}: segment not present`, selector & 0xfffc);
    t.ldtr = selector;
    t.ldt = { base: descriptorBase(d), limit: descriptorLimit(d) };
  },
  ltr: () => (m, i) => {
    const selector = m.readE(i, 2);
    if ((selector & 0xfffc) === 0) throw fault(13, 'ltr with a null selector', 0);
    const d = selector & 4 ? null : readDescriptor(m, selector);
    const type = d ? descriptorType(d) : 0;
    if (d === null || isCodeOrData(d) || (type !== 1 && type !== 9)) throw fault(13, `ltr ${hex(selector)}: not an available TSS`, selector & 0xfffc);
    if (!descriptorPresent(d)) throw fault(11, `ltr ${hex(selector)}: segment not present`, selector & 0xfffc);
    writeDescriptorHigh(m, selector, d.high | 0x200); // busy
    m.descriptorTables.tr = selector;
  },
  lar: () => (m, i) => {
    const d = accessibleDescriptor(m, m.readE(i, 2), LAR_SYSTEM_TYPES);
    // The SDM writes the mask 00FxFF00H (x: limit bits 19:16, undefined); real CPUs copy them.
    if (d !== null) m.setReg(i.reg, i.osize, i.osize === 2 ? d.high & 0xff00 : d.high & 0x00ffff00);
    setZf(m, d !== null);
  },
  lsl: () => (m, i) => {
    const d = accessibleDescriptor(m, m.readE(i, 2), LSL_SYSTEM_TYPES);
    if (d !== null) m.setReg(i.reg, i.osize, descriptorLimit(d));
    setZf(m, d !== null);
  },
  verr: () => verify(false),
  verw: () => verify(true),
};
