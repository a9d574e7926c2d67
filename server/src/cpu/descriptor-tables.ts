// The machine's system registers for descriptor tables (GDTR, IDTR, LDTR, TR) and its GDT: the
// flat descriptors of the Linux GDT a 32-bit process sees on an x86-64 kernel, whose selectors the
// ELF loader uses (0x23 code, 0x2b data), with the ring-0 flat code (0x08) and data (0x18) beside
// them. Until lgdt names a table in guest memory, the GDT lives here, outside guest memory;
// set_thread_area writes its TLS descriptors into it. Also the CPL (CS.RPL, SDM Vol. 3A 5.5).

import type { Machine } from './machine';

export interface TableRegister {
  base: number;
  limit: number;
}

/** Eight descriptor bytes from their fields (SDM Vol. 3A 3.4.5, Figure 3-8). */
export function encodeDescriptor(base: number, limit: number, access: number, flags: number): Uint8Array {
  const d = new Uint8Array(8);
  d[0] = limit & 0xff;
  d[1] = (limit >>> 8) & 0xff;
  d[2] = base & 0xff;
  d[3] = (base >>> 8) & 0xff;
  d[4] = (base >>> 16) & 0xff;
  d[5] = access;
  d[6] = ((flags & 0xf) << 4) | ((limit >>> 16) & 0xf);
  d[7] = (base >>> 24) & 0xff;
  return d;
}

/** Access bytes and G/D/L/AVL flags of the built-in descriptors. */
const CODE_DPL0 = 0x9b, DATA_DPL0 = 0x93, CODE_DPL3 = 0xfb, DATA_DPL3 = 0xf3, TSS_BUSY_32 = 0x8b;
const FLAT_32 = 0xc, FLAT_64 = 0xa;

/** GDT entries: index -> descriptor. 16 entries, as on x86-64 Linux (limit 0x7f). */
function builtInGdt(): Uint8Array {
  const gdt = new Uint8Array(16 * 8);
  const put = (index: number, d: Uint8Array): void => gdt.set(d, index * 8);
  put(1, encodeDescriptor(0, 0xfffff, CODE_DPL0, FLAT_32)); // 0x08: ring-0 32-bit code
  put(2, encodeDescriptor(0, 0xfffff, CODE_DPL0, FLAT_64)); // 0x10: ring-0 64-bit code
  put(3, encodeDescriptor(0, 0xfffff, DATA_DPL0, FLAT_32)); // 0x18: ring-0 data
  put(4, encodeDescriptor(0, 0xfffff, CODE_DPL3, FLAT_32)); // 0x23: user 32-bit code
  put(5, encodeDescriptor(0, 0xfffff, DATA_DPL3, FLAT_32)); // 0x2b: user data
  put(6, encodeDescriptor(0, 0xfffff, CODE_DPL3, FLAT_64)); // 0x33: user 64-bit code
  put(8, encodeDescriptor(0, 0x67, TSS_BUSY_32, 0)); // 0x40: the task register's TSS (busy)
  return gdt;
}

/** The selector TR holds at start (the busy TSS above). */
export const INITIAL_TASK_REGISTER = 0x40;

export class DescriptorTables {
  gdtr: TableRegister;
  idtr: TableRegister = { base: 0, limit: 0x3ff };
  ldtr = 0;
  /** The LDT's base and limit, cached by lldt from its descriptor. */
  ldt: TableRegister = { base: 0, limit: 0 };
  tr = INITIAL_TASK_REGISTER;
  /** The built-in GDT while lgdt has not pointed GDTR into guest memory. */
  builtIn: Uint8Array | null;

  constructor() {
    this.builtIn = builtInGdt();
    this.gdtr = { base: 0, limit: this.builtIn.length - 1 };
  }

  clone(): DescriptorTables {
    const c = new DescriptorTables();
    c.gdtr = { ...this.gdtr };
    c.idtr = { ...this.idtr };
    c.ldtr = this.ldtr;
    c.ldt = { ...this.ldt };
    c.tr = this.tr;
    c.builtIn = this.builtIn ? this.builtIn.slice() : null;
    return c;
  }
}

/** A descriptor's two dwords, or null when the selector is outside its table or unreadable. */
export interface Descriptor {
  low: number;
  high: number;
}

/** Where a selector's descriptor lives: the built-in GDT, or a linear address in guest memory. */
function descriptorPlace(m: Machine, selector: number): { builtIn: Uint8Array; offset: number } | { address: number } | null {
  const t = m.descriptorTables;
  const index = selector & 0xfff8;
  if (selector & 4) {
    if ((t.ldtr & 0xfffc) === 0 || index + 7 > t.ldt.limit) return null;
    return { address: (t.ldt.base + index) >>> 0 };
  }
  if (index + 7 > t.gdtr.limit) return null;
  if (t.builtIn !== null) return index + 8 <= t.builtIn.length ? { builtIn: t.builtIn, offset: index } : null;
  return { address: (t.gdtr.base + index) >>> 0 };
}

/** Reads the descriptor a selector names (the null selector's entry too); null when outside. */
export function readDescriptor(m: Machine, selector: number): Descriptor | null {
  const place = descriptorPlace(m, selector);
  if (place === null) return null;
  if ('builtIn' in place) {
    const b = place.builtIn, o = place.offset;
    const low = (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
    const high = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
    return { low, high };
  }
  // Descriptor-table reads are supervisor accesses: a page fault here is a #PF like any other.
  return { low: m.readMem(place.address, 4) >>> 0, high: m.readMem((place.address + 4) >>> 0, 4) >>> 0 };
}

/** Writes a descriptor's high dword back (ltr marks the TSS busy). */
export function writeDescriptorHigh(m: Machine, selector: number, high: number): void {
  const place = descriptorPlace(m, selector);
  if (place === null) return;
  if ('builtIn' in place) {
    for (let k = 0; k < 4; k++) place.builtIn[place.offset + 4 + k] = (high >>> (8 * k)) & 0xff;
  } else m.writeMem((place.address + 4) >>> 0, 4, high);
}

/** Stores a GDT entry (set_thread_area's TLS descriptors); false when GDTR is not the built-in table. */
export function setGdtEntry(m: Machine, index: number, descriptor: Uint8Array): boolean {
  const gdt = m.descriptorTables.builtIn;
  if (gdt === null || index * 8 + 8 > gdt.length) return false;
  gdt.set(descriptor, index * 8);
  return true;
}

export const descriptorDpl = (d: Descriptor): number => (d.high >>> 13) & 3;
export const descriptorPresent = (d: Descriptor): boolean => (d.high & 0x8000) !== 0;
/** S flag: code or data (true) or system (false). */
export const isCodeOrData = (d: Descriptor): boolean => (d.high & 0x1000) !== 0;
/** The 4-bit type field. */
export const descriptorType = (d: Descriptor): number => (d.high >>> 8) & 0xf;
export const descriptorBase = (d: Descriptor): number => ((d.low >>> 16) | ((d.high & 0xff) << 16) | (d.high & 0xff000000)) >>> 0;

/** The segment limit in bytes, scaled by the G flag (SDM Vol. 3A 3.4.5). */
export function descriptorLimit(d: Descriptor): number {
  const raw = (d.low & 0xffff) | (d.high & 0xf0000);
  return d.high & 0x800000 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}

/** The current privilege level: the RPL of CS (SDM Vol. 3A 5.5). */
export function currentPrivilegeLevel(m: Machine): number {
  return m.segments[1]! & 3;
}
