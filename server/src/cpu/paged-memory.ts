// Sparse 4 KiB pages with read/write/execute permissions: the emulator's physical = linear memory.
//
// The CPU path (read8..write32, fetch) throws a MemoryFault that machine.ts turns into #PF with
// CR2; the public helpers (map, readBytes, writeBytes, peek) never throw and return errors instead.
// A write to a page that holds decoded instructions drops them (self-modifying code, int3 arming).

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;

export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_EXECUTE = 4;

const PAGE_COUNT = 1 << (32 - PAGE_SHIFT);
/** An entry of PagedMemory.entries: slot << 3 | permissions. */
export const SLOT_SHIFT = 3;
const EMPTY_BYTES = new Uint8Array(PAGE_SIZE);
const EMPTY_WORDS = new Int32Array(EMPTY_BYTES.buffer);

export interface Page {
  data: Uint8Array;
  /** The same bytes as little-endian 32-bit words (the compiled blocks' aligned fast path). */
  words: Int32Array;
  perms: number;
  /** Decoded instructions by page offset; null when none were decoded here since the last write. */
  code: unknown[] | null;
  /** Compiled blocks by start offset (block-compiler.ts); dropped together with `code`. */
  blocks: unknown[] | null;
}

/** Thrown on the CPU path only; machine.ts turns it into #PF. errorCode follows the SDM bits. */
export class MemoryFault {
  constructor(readonly address: number, readonly errorCode: number) {}
}

/** #PF error code bits: P (page present, protection violation), W/R, I/D (instruction fetch). */
export const PF_PRESENT = 1;
export const PF_WRITE = 2;
export const PF_FETCH = 16;

export function parsePerms(perms: string): number {
  return (perms.includes('r') ? PERM_READ : 0) | (perms.includes('w') ? PERM_WRITE : 0) | (perms.includes('x') ? PERM_EXECUTE : 0);
}

function newPage(data: Uint8Array, perms: number): Page {
  return { data, words: new Int32Array(data.buffer, data.byteOffset, PAGE_SIZE >> 2), perms, code: null, blocks: null };
}

export class PagedMemory {
  /**
   * Per page number (address >>> 12): the page's slot in the lists below times 8, plus its
   * permissions (0: not mapped), where PERM_WRITE is left out while the page holds decoded code or
   * blocks (a write there must drop them: the slow path). A zeroed typed array: a new memory costs
   * a calloc (under 1 ms), where a million-entry JS array (packed, one load per lookup) cost
   * 8-13 ms. Compiled blocks read an entry and then `bytesList`/`wordsList`, as many loads as the
   * flat array took.
   */
  entries = new Int32Array(PAGE_COUNT);
  /** The mapped pages by slot; slot 0 is never used, unmapped slots are reused. */
  pageList: Array<Page | undefined> = [undefined];
  /** Each slot's page.data and page.words (the compiled blocks' fast path). */
  bytesList: Uint8Array[] = [EMPTY_BYTES];
  wordsList: Int32Array[] = [EMPTY_WORDS];
  private freeSlots: number[] = [];
  /** When set, every CPU write is appended here (address, size) for lockstep comparison. */
  writeLog: Array<{ address: number; size: number }> | null = null;
  /** While set (with writeLog), the value each logged write replaced, in the same order (step back). */
  overwritten: number[] | null = null;
  /** Called with the page number when a write drops decoded code there. */
  onCodeInvalidated: ((pageNumber: number) => void) | null = null;
  /** Bumped whenever decoded code or compiled blocks are dropped; a running block checks it. */
  codeEpoch = 0;

  /** The page holding `address`, or undefined. */
  page(address: number): Page | undefined {
    return this.pageList[this.entries[address >>> PAGE_SHIFT]! >>> SLOT_SHIFT];
  }

  /** The page numbered `n` (address >>> 12). */
  pageNumbered(n: number): Page | undefined {
    return this.pageList[this.entries[n]! >>> SLOT_SHIFT];
  }

  /** Puts `page` (or nothing) at page number `n`; call again after changing its permissions. */
  private setPage(n: number, page: Page | undefined): void {
    let slot = this.entries[n]! >>> SLOT_SHIFT;
    if (page === undefined) {
      if (slot === 0) return;
      this.pageList[slot] = undefined;
      this.bytesList[slot] = EMPTY_BYTES;
      this.wordsList[slot] = EMPTY_WORDS;
      this.freeSlots.push(slot);
      this.entries[n] = 0;
      return;
    }
    if (slot === 0) {
      slot = this.freeSlots.pop() ?? this.pageList.length;
      this.pageList[slot] = page;
      this.bytesList[slot] = page.data;
      this.wordsList[slot] = page.words;
    }
    const holdsCode = page.code !== null || page.blocks !== null;
    this.entries[n] = (slot << SLOT_SHIFT) | (holdsCode ? page.perms & ~PERM_WRITE : page.perms);
  }

  /** Called after decoded code or blocks were attached to the page at `address`. */
  codeAttached(address: number, page: Page): void {
    this.setPage(address >>> PAGE_SHIFT, page);
  }

  /** Every mapped page with its number, in ascending order. */
  *mappedPages(): Generator<[number, Page]> {
    const numbers: number[] = [];
    for (let n = 0; n < PAGE_COUNT; n++) if (this.entries[n] !== 0) numbers.push(n);
    for (const n of numbers) yield [n, this.pageNumbered(n)!];
  }

  /** Maps [address, address+size) with perms 'rwx' (any subset). Remaps keep the contents. */
  map(address: number, size: number, perms: string): { error: string | null } {
    if (size <= 0) return { error: null };
    const first = address >>> PAGE_SHIFT;
    const last = (address + size - 1) >>> PAGE_SHIFT;
    if (address + size - 1 > 0xffffffff) return { error: `mapping 0x${address.toString(16)}+0x${size.toString(16)} wraps past 4 GiB` };
    const p = parsePerms(perms);
    for (let n = first; n <= last; n++) {
      const page = this.pageNumbered(n);
      if (page) {
        page.perms = p;
        page.code = null;
        page.blocks = null;
        this.setPage(n, page);
      } else this.setPage(n, newPage(new Uint8Array(PAGE_SIZE), p));
    }
    this.codeEpoch++;
    return { error: null };
  }

  unmap(address: number, size: number): void {
    const first = address >>> PAGE_SHIFT;
    const last = (address + size - 1) >>> PAGE_SHIFT;
    for (let n = first; n <= last; n++) this.setPage(n, undefined);
    this.codeEpoch++;
  }

  isMapped(address: number): boolean {
    return this.page(address) !== undefined;
  }

  /** Reads bytes regardless of permissions (debugger view); null where a page is not mapped. */
  readBytes(address: number, length: number): Uint8Array | { error: string } {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const a = (address + i) >>> 0;
      const page = this.page(a);
      if (!page) return { error: `address 0x${a.toString(16)} is not mapped` };
      out[i] = page.data[a & PAGE_MASK]!;
    }
    return out;
  }

  /** A little-endian dword read regardless of permissions (debuggers, stack scans); null where a byte is unmapped. */
  peek32(address: number): number | null {
    const b = this.readBytes(address >>> 0, 4);
    return b instanceof Uint8Array ? (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 : null;
  }

  /** Writes bytes regardless of permissions (loader, kprobe engine); drops decoded code there. */
  writeBytes(address: number, bytes: Uint8Array): { error: string | null } {
    for (let i = 0; i < bytes.length; i++) {
      const a = (address + i) >>> 0;
      if (!this.page(a)) return { error: `address 0x${a.toString(16)} is not mapped` };
    }
    for (let i = 0; i < bytes.length; i++) {
      const a = (address + i) >>> 0;
      const page = this.page(a)!;
      if (page.code !== null || page.blocks !== null) this.dropCode(a >>> PAGE_SHIFT, page);
      page.data[a & PAGE_MASK] = bytes[i]!;
    }
    return { error: null };
  }

  private dropCode(pageNumber: number, page: Page): void {
    page.code = null;
    page.blocks = null;
    this.setPage(pageNumber, page);
    this.codeEpoch++;
    // An instruction that starts on the previous page may end on this one (blocks stay in one page).
    const previousNumber = (pageNumber - 1) & 0xfffff;
    const previous = this.pageNumbered(previousNumber);
    if (previous && previous.code !== null) {
      previous.code = null;
      this.setPage(previousNumber, previous);
    }
    this.onCodeInvalidated?.(pageNumber);
  }

  // ---- CPU path: throws MemoryFault ----

  private pageFor(address: number, need: number, write: boolean): Page {
    const page = this.page(address);
    if (page === undefined) throw new MemoryFault(address, write ? PF_WRITE : 0);
    if ((page.perms & need) === 0) throw new MemoryFault(address, PF_PRESENT | (write ? PF_WRITE : 0));
    return page;
  }

  /** The bytes of a readable page (from its entry, without the Page object), else the fault. */
  private readableBytes(address: number): Uint8Array {
    const e = this.entries[address >>> PAGE_SHIFT]!;
    return (e & PERM_READ) !== 0 ? this.bytesList[e >>> SLOT_SHIFT]! : this.pageFor(address, PERM_READ, false).data;
  }

  read8(address: number): number {
    return this.readableBytes(address)[address & PAGE_MASK]!;
  }

  read16(address: number): number {
    const o = address & PAGE_MASK;
    if (o <= PAGE_SIZE - 2) {
      const d = this.readableBytes(address);
      return d[o]! | (d[o + 1]! << 8);
    }
    return this.read8(address) | (this.read8((address + 1) >>> 0) << 8);
  }

  read32(address: number): number {
    const o = address & PAGE_MASK;
    if (o <= PAGE_SIZE - 4) {
      const d = this.readableBytes(address);
      return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;
    }
    // Check both pages before assembling, so a fault leaves nothing half-read.
    this.pageFor(address, PERM_READ, false);
    this.pageFor((address + 3) >>> 0, PERM_READ, false);
    return (this.read16(address) | (this.read16((address + 2) >>> 0) << 16)) >>> 0;
  }

  /** The bytes of a writable page, its decoded code and blocks dropped first; else the fault. */
  private writableBytes(address: number): Uint8Array {
    const e = this.entries[address >>> PAGE_SHIFT]!;
    if ((e & PERM_WRITE) !== 0) return this.bytesList[e >>> SLOT_SHIFT]!;
    const page = this.pageFor(address, PERM_WRITE, true);
    if (page.code !== null || page.blocks !== null) this.dropCode(address >>> PAGE_SHIFT, page);
    return page.data;
  }

  /** The bytes at `address` as a little-endian number, 0 where unmapped (never faults). */
  private oldValue(address: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const a = (address + i) >>> 0;
      v = v * 256 + (this.page(a)?.data[a & PAGE_MASK] ?? 0);
    }
    return v;
  }

  write8(address: number, value: number): void {
    const old = this.overwritten !== null && this.writeLog !== null ? this.oldValue(address, 1) : 0;
    this.writableBytes(address)[address & PAGE_MASK] = value;
    if (this.writeLog !== null) this.logWrite(address, 1, old);
  }

  write16(address: number, value: number): void {
    const o = address & PAGE_MASK;
    // The replaced value is read first and logged only once the write went through (a fault logs nothing).
    const old = this.overwritten !== null && this.writeLog !== null ? this.oldValue(address, 2) : 0;
    if (o <= PAGE_SIZE - 2) {
      const d = this.writableBytes(address);
      d[o] = value;
      d[o + 1] = value >>> 8;
    } else {
      this.pageFor((address + 1) >>> 0, PERM_WRITE, true);
      this.splitWrite(address, value, 2);
    }
    if (this.writeLog !== null) this.logWrite(address, 2, old);
  }

  write32(address: number, value: number): void {
    const o = address & PAGE_MASK;
    const old = this.overwritten !== null && this.writeLog !== null ? this.oldValue(address, 4) : 0;
    if (o <= PAGE_SIZE - 4) {
      const d = this.writableBytes(address);
      d[o] = value;
      d[o + 1] = value >>> 8;
      d[o + 2] = value >>> 16;
      d[o + 3] = value >>> 24;
    } else {
      this.pageFor(address, PERM_WRITE, true);
      this.pageFor((address + 3) >>> 0, PERM_WRITE, true);
      this.splitWrite(address, value, 4);
    }
    if (this.writeLog !== null) this.logWrite(address, 4, old);
  }

  /** A write across a page boundary, byte by byte, logged once by the caller (both pages checked writable). */
  private splitWrite(address: number, value: number, size: number): void {
    const log = this.writeLog;
    const overwritten = this.overwritten;
    this.writeLog = null;
    this.overwritten = null;
    for (let i = 0; i < size; i++) this.write8((address + i) >>> 0, value >>> (8 * i));
    this.writeLog = log;
    this.overwritten = overwritten;
  }

  private logWrite(address: number, size: number, old: number): void {
    this.writeLog!.push({ address, size });
    this.overwritten?.push(old);
  }

  /** Checks that [address, address+size) is writable without writing (multi-part stores). */
  probeWrite(address: number, size: number): void {
    this.pageFor(address, PERM_WRITE, true);
    this.pageFor((address + size - 1) >>> 0, PERM_WRITE, true);
  }

  /**
   * Copies up to 15 instruction bytes at `address` into `out`; returns how many were fetchable
   * (stops at the first byte on an unmapped or non-executable page).
   */
  fetch(address: number, out: Uint8Array): number {
    for (let i = 0; i < out.length; i++) {
      const a = (address + i) >>> 0;
      const page = this.page(a);
      if (page === undefined || (page.perms & PERM_EXECUTE) === 0) return i;
      out[i] = page.data[a & PAGE_MASK]!;
    }
    return out.length;
  }

  /** A deep copy of every page (contents and permissions) by page number, for snapshots. */
  clonePages(): Map<number, Page> {
    const copy = new Map<number, Page>();
    for (const [n, page] of this.mappedPages()) copy.set(n, newPage(page.data.slice(), page.perms));
    return copy;
  }

  /** Replaces every page by a copy of `pages` (snapshot restore); decoded code is dropped. */
  restorePages(pages: ReadonlyMap<number, Page>): void {
    this.entries = new Int32Array(PAGE_COUNT);
    this.pageList = [undefined];
    this.bytesList = [EMPTY_BYTES];
    this.wordsList = [EMPTY_WORDS];
    this.freeSlots = [];
    for (const [n, page] of pages) this.setPage(n, newPage(page.data.slice(), page.perms));
    this.codeEpoch++;
  }
}
