// The symbols a disassembly listing labels and annotates with, chosen and ordered the way GNU
// objdump does, so `kboost disasm` prints the same `<name>` and `<name+0x10>` as `objdump -d`.
//
// The rules (observable objdump behaviour): symbols without a name, section and file symbols,
// undefined and common symbols are dropped; the rest sort by address, then (per section being
// listed) those of that section first, then functions, objects, non-local, global, larger size,
// names not starting with '.', and finally by name. A lookup takes the first symbol at the
// greatest address not above the target; in a relocatable file, or when labelling, the symbol
// must belong to the section being listed.

import { SHF_ALLOC, SHN_ABS, SHN_COMMON, SHN_UNDEF } from './elf32-constants';
import type { Elf32File, Elf32Symbol } from './elf32-types';
import type { KernelSymbol } from './system-map-parser';
import { isTextSymbolType } from './system-map-parser';

export interface ListingSymbol {
  name: string;
  /** Address (section offset plus section address, which is 0 in relocatable files). */
  value: number;
  size: number;
  /** ELF section index, or -1 when the symbol belongs to no section of the file (absolute). */
  section: number;
  isFunction: boolean;
  isObject: boolean;
  isLocal: boolean;
  isGlobal: boolean;
}

/** The symbols of an ELF file usable for listing: .symtab, or .dynsym when there is none. */
export function listingSymbolsOfElf(file: Elf32File): ListingSymbol[] {
  const table: Elf32Symbol[] = file.symbols.length > 0 ? file.symbols : file.dynamicSymbols;
  const out: ListingSymbol[] = [];
  for (const s of table) {
    if (s.name === '' || s.type === 'section' || s.type === 'file') continue;
    if (s.sectionIndex === SHN_UNDEF || s.sectionIndex === SHN_COMMON || s.type === 'common') continue;
    const section = s.sectionIndex === SHN_ABS || s.sectionIndex >= file.sections.length ? -1 : s.sectionIndex;
    const base = file.kind === 'relocatable' && section >= 0 ? file.sections[section]!.address : 0;
    out.push({
      name: s.name,
      value: (s.value + base) >>> 0,
      size: s.size,
      section,
      isFunction: s.type === 'func',
      isObject: s.type === 'object',
      isLocal: s.binding === 'local',
      isGlobal: s.binding === 'global',
    });
  }
  return out;
}

/**
 * Symbols of a System.map for the image being listed: kernel (not module) symbols whose
 * address falls in one of the file's allocated sections. Each gets the size up to the next
 * greater address, so a function without ELF size information still ends somewhere.
 */
export function listingSymbolsOfSystemMap(file: Elf32File, map: readonly KernelSymbol[]): ListingSymbol[] {
  const allocated = file.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0 && s.size > 0);
  const sectionOf = (address: number): number => {
    // A symbol at a section's end (`_etext`) belongs to it, as the linker assigns it.
    const s = allocated.find((x) => address >= x.address && address < x.address + x.size) ??
      allocated.find((x) => address === x.address + x.size);
    return s === undefined ? -1 : s.index;
  };
  const kernel = map.filter((s) => s.module === null);
  const out: ListingSymbol[] = [];
  let next = 0;
  for (let i = 0; i < kernel.length; i++) {
    const s = kernel[i]!;
    const section = sectionOf(s.address);
    if (section < 0) continue;
    if (next <= i) {
      next = i + 1;
      while (next < kernel.length && kernel[next]!.address === s.address) next++;
    }
    const end = next < kernel.length ? kernel[next]!.address : file.sections[section]!.address + file.sections[section]!.size;
    out.push({
      name: s.name,
      value: s.address,
      size: end - s.address,
      section,
      isFunction: isTextSymbolType(s.type),
      isObject: !isTextSymbolType(s.type) && s.type !== 'a' && s.type !== 'A',
      isLocal: s.type === s.type.toLowerCase(),
      isGlobal: s.type === s.type.toUpperCase() && s.type !== 'W' && s.type !== 'V',
    });
  }
  return out;
}

function isFileLike(name: string): boolean {
  return name.length > 2 && name[name.length - 2] === '.' && (name.endsWith('o') || name.endsWith('a'));
}

function isCompilerMarker(name: string): boolean {
  return name.includes('gnu_compiled') || name.includes('gcc2_compiled');
}

function flagOrder(a: boolean, b: boolean): number {
  return a === b ? 0 : a ? -1 : 1;
}

/** objdump's ordering of symbols, given the name of the section being listed. */
function compareForSection(sectionName: (s: ListingSymbol) => string, listed: string) {
  return (a: ListingSymbol, b: ListingSymbol): number => {
    if (a.value !== b.value) return a.value < b.value ? -1 : 1;
    let c = flagOrder(sectionName(a) === listed, sectionName(b) === listed);
    if (c !== 0) return c;
    c = flagOrder(!isCompilerMarker(a.name), !isCompilerMarker(b.name));
    if (c !== 0) return c;
    c = flagOrder(!isFileLike(a.name), !isFileLike(b.name));
    if (c !== 0) return c;
    c = flagOrder(a.isFunction, b.isFunction);
    if (c !== 0) return c;
    c = flagOrder(a.isObject, b.isObject);
    if (c !== 0) return c;
    c = flagOrder(!a.isLocal, !b.isLocal);
    if (c !== 0) return c;
    c = flagOrder(a.isGlobal, b.isGlobal);
    if (c !== 0) return c;
    if (a.size !== b.size) return a.size > b.size ? -1 : 1;
    c = flagOrder(!a.name.startsWith('.'), !b.name.startsWith('.'));
    if (c !== 0) return c;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

export interface SymbolHit {
  symbol: ListingSymbol;
  /** Position in the sorted order (for walking to the next symbol). */
  place: number;
}

/** Symbols sorted for listing one section, with objdump's address-to-symbol lookup. */
export class SectionSymbolView {
  readonly sorted: ListingSymbol[];

  constructor(
    symbols: readonly ListingSymbol[],
    private readonly sectionNames: readonly string[],
    readonly sectionIndex: number,
    /** Start and end address of the listed section. */
    private readonly sectionStart: number,
    private readonly sectionEnd: number,
    private readonly relocatable: boolean,
  ) {
    const nameOf = (s: ListingSymbol): string => (s.section >= 0 ? this.sectionNames[s.section] ?? '' : '*ABS*');
    this.sorted = [...symbols].sort(compareForSection(nameOf, this.sectionNames[sectionIndex] ?? ''));
  }

  get count(): number {
    return this.sorted.length;
  }

  inListedSection(s: ListingSymbol): boolean {
    // objdump compares section names; within one file that is the same as comparing indices
    // except for same-named sections, which it keeps apart by identity.
    return s.section === this.sectionIndex;
  }

  /**
   * The symbol objdump names for `address`: `requireSection` for labels; otherwise a symbol
   * of the listed section is required only in relocatable files for addresses inside it.
   */
  find(address: number, requireSection: boolean): SymbolHit | null {
    const syms = this.sorted;
    if (syms.length === 0) return null;
    // Last symbol at or below the address (or the first symbol when all lie above it).
    let lo = 0;
    let hi = syms.length - 1;
    let at = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (syms[mid]!.value <= address) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    let place = at;
    while (place > 0 && syms[place - 1]!.value === syms[place]!.value) place--;
    let end = place;
    for (; end < syms.length && syms[end]!.value === syms[place]!.value; end++) {
      if (this.inListedSection(syms[end]!)) return { symbol: syms[end]!, place: end };
    }
    const wantSection = requireSection || (this.relocatable && address >= this.sectionStart && address < this.sectionEnd);
    const ok = (i: number): boolean => !wantSection || this.inListedSection(syms[i]!);
    if (!ok(place)) {
      let found = -1;
      for (let i = end - 1; i >= 0; i--) {
        if (!ok(i)) continue;
        if (found >= 0 && syms[i]!.value !== syms[found]!.value) break;
        found = i;
      }
      if (found < 0) {
        for (let i = place + 1; i < syms.length; i++) {
          if (ok(i)) {
            found = i;
            break;
          }
        }
      }
      if (found < 0) return null;
      place = found;
    }
    return { symbol: syms[place]!, place };
  }

  /** The first symbol after `place` in the listed section with a greater address than `value`. */
  nextAfter(place: number, value: number): SymbolHit | null {
    for (let i = place; i < this.sorted.length; i++) {
      const s = this.sorted[i]!;
      if (this.inListedSection(s) && s.value > value) return { symbol: s, place: i };
    }
    return null;
  }
}
