// Memory access for compiled blocks: an inline-friendly fast path for the common case (the page is
// mapped with the permission, the access is aligned and, for a write, the page holds no decoded
// code and no write log is kept), otherwise the PagedMemory method, which faults, invalidates code
// and logs exactly as the interpreter's accesses do. Values are int32; the host is little-endian
// (x86-64, arm64), which the Int32Array view of a page relies on.

import { PERM_READ, PERM_WRITE, SLOT_SHIFT, type PagedMemory } from './paged-memory';

// The permissions come from PagedMemory.entries (whose write bit is off while the page holds
// decoded code or blocks) and the bytes from its lists, without loading the Page object.
export function read32(mem: PagedMemory, ad: number): number {
  const e = mem.entries[ad >>> 12]!;
  if ((e & PERM_READ) !== 0 && (ad & 3) === 0) return mem.wordsList[e >>> SLOT_SHIFT]![(ad & 0xfff) >>> 2]!;
  return mem.read32(ad) | 0;
}

export function write32(mem: PagedMemory, ad: number, value: number): void {
  const e = mem.entries[ad >>> 12]!;
  if ((e & PERM_WRITE) !== 0 && (ad & 3) === 0 && mem.writeLog === null) {
    mem.wordsList[e >>> SLOT_SHIFT]![(ad & 0xfff) >>> 2] = value;
    return;
  }
  mem.write32(ad, value);
}

export function read8(mem: PagedMemory, ad: number): number {
  const e = mem.entries[ad >>> 12]!;
  if ((e & PERM_READ) !== 0) return mem.bytesList[e >>> SLOT_SHIFT]![ad & 0xfff]!;
  return mem.read8(ad);
}

export function write8(mem: PagedMemory, ad: number, value: number): void {
  const e = mem.entries[ad >>> 12]!;
  if ((e & PERM_WRITE) !== 0 && mem.writeLog === null) {
    mem.bytesList[e >>> SLOT_SHIFT]![ad & 0xfff] = value;
    return;
  }
  mem.write8(ad, value);
}

export function read16(mem: PagedMemory, ad: number): number {
  return mem.read16(ad);
}

const PARITY_FLAG = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let bits = 0;
  for (let x = v; x; x >>= 1) bits += x & 1;
  PARITY_FLAG[v] = bits % 2 === 0 ? 0x4 : 0;
}

/**
 * The six status flags of a pending operation left by a compiled block (kind 1 add, 2 sub/cmp,
 * 3 and/or/xor/test; a, b and the result t as int32), exactly as flags-arithmetic.ts sets them.
 */
export function lazyStatusFlags(kind: number, a: number, b: number, t: number): number {
  const szp = (t === 0 ? 0x40 : 0) | (t < 0 ? 0x80 : 0) | PARITY_FLAG[t & 0xff]!;
  if (kind === 3) return szp;
  if (kind === 1) return ((t >>> 0) < (a >>> 0) ? 1 : 0) | (((a ^ t) & (b ^ t)) < 0 ? 0x800 : 0) | ((a ^ b ^ t) & 0x10) | szp;
  return ((a >>> 0) < (b >>> 0) ? 1 : 0) | (((a ^ b) & (a ^ t)) < 0 ? 0x800 : 0) | ((a ^ b ^ t) & 0x10) | szp;
}
