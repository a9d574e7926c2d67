// Compares kboost's assembly of one gcc-made .s file with `as --32`'s object, function by function:
// each function symbol's bytes and the relocations inside it (offset from the function's start,
// type, symbol), then every other section whole. A mismatch names the source line where the bytes
// first differ, so a failure can be reproduced with that one line. Also the ELF symbol table and
// section groups, and each source line's (address, bytes) against as's `-aln` listing.

import { readFileSync } from 'node:fs';
import { assemble, lineAtAddress, writeElfObject } from '../../server/src/asm';
import { readElf32 } from '../../server/src/binfmt/elf32-reader';
import type { Elf32File } from '../../server/src/binfmt/elf32-types';
import { symbolRows } from './elf-symbol-table-rows';
import { groupRows } from './elf-section-group-rows';
import { compareLineMap, parseGnuAsListing, relocatedFields } from './gnu-as-listing-line-map';
import type { Image, ImageRelocation } from '../../server/src/asm';
import { decodeInto, newDecodedInstruction } from '../../server/src/isa';
import { assembleFileWithGnuAs } from './gnu-as-oracle';
import type { OracleFunction, OracleSection } from './gnu-as-oracle';

const RELOCATION_TYPES: Record<ImageRelocation['type'], number> = {
  R_386_32: 1, R_386_PC32: 2, R_386_GOT32: 3, R_386_PLT32: 4, R_386_GOTOFF: 9, R_386_GOTPC: 10,
  R_386_16: 20, R_386_PC16: 21, R_386_8: 22, R_386_PC8: 23, R_386_GOT32X: 43,
};
const RELOCATION_NAMES = new Map(Object.entries(RELOCATION_TYPES).map(([name, n]) => [n, name]));
// Sections as makes that kboost does not and that hold no code: unwind tables from .cfi_*, the
// .ident string, notes. COMDAT group tables (.group) are compared as groups: signature and members.
const IGNORED_SECTIONS = /^(\.eh_frame|\.comment|\.note\..*)$/;

export interface CorpusTally {
  files: number;
  lines: number;
  functions: number;
  exactFunctions: number;
  /** Instructions inside byte-exact functions (decoded from as's bytes). */
  instructions: number;
  relocations: number;
  /** Those relocations by type name. */
  relocationTypes: Record<string, number>;
  problems: string[];
  /** Differences outside the code and its relocations (such as symbols kboost's image lacks). */
  notes: string[];
  /** Files whose ELF symbol table (name, value, size, type, binding, visibility, section) equals as's. */
  equalSymbolTables: number;
  symbols: number;
  /** Source lines with bytes (on either side) whose (address, bytes) were compared with `as -aln`, and the equal ones. */
  listedLines: number;
  equalListedLines: number;
}

export function emptyTally(): CorpusTally {
  return { files: 0, lines: 0, functions: 0, exactFunctions: 0, instructions: 0, relocations: 0, relocationTypes: {}, problems: [], notes: [], equalSymbolTables: 0, symbols: 0, listedLines: 0, equalListedLines: 0 };
}

const insn = newDecodedInstruction();

function countInstructions(bytes: Uint8Array): number {
  let n = 0;
  for (let at = 0; at < bytes.length; n++) {
    decodeInto(insn, bytes, at, at);
    at += Math.max(1, insn.length);
  }
  return n;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && firstDifference(a, b) === a.length;
}

/** Relocations of `section` in [start, end), as "offset-from-start type symbol" strings. */
function ourRelocations(image: Image, section: string, start: number, end: number): string[] {
  return image.relocations
    .filter((r) => r.section === section && r.offset >= start && r.offset < end)
    .sort((x, y) => x.offset - y.offset)
    .map((r) => `${r.offset - start} ${RELOCATION_TYPES[r.type]} ${r.symbol}`);
}

function theirRelocations(section: OracleSection, start: number, end: number): string[] {
  return section.relocations
    .filter((r) => r.offset >= start && r.offset < end)
    .map((r) => `${r.offset - start} ${r.type} ${r.symbol}`);
}

/** Where a difference at `address` of `section` comes from, as "file:line: text". */
function sourcePlace(file: string, lines: string[], image: Image, section: string, address: number): string {
  const at = lineAtAddress(image, section, address);
  return at === null ? `${file}: ${section}+0x${address.toString(16)}` : `${file}:${at.line + 1}: ${lines[at.line]!.trim()}`;
}

/**
 * Our ELF object's symbol table against as's, row by row. as writes a section symbol only for
 * sections that relocations name; those named only from .eh_frame (made from .cfi_*, which
 * kboost does not make) are left out of as's rows.
 */
function compareSymbolTables(label: string, elf: Elf32File, sections: Map<string, OracleSection>, theirs: string[], tally: CorpusTally): void {
  const named = new Set<string>();
  for (const [name, s] of sections) if (!IGNORED_SECTIONS.test(name)) for (const r of s.relocations) named.add(r.symbol);
  const want = theirs.filter((r) => !/ SECTION LOCAL /.test(r) || named.has(r.split(' ')[0]!));
  const got = symbolRows(elf);
  tally.symbols += want.length;
  const count = new Map<string, number>();
  for (const r of got) count.set(r, (count.get(r) ?? 0) + 1);
  const missing = want.filter((r) => { const n = count.get(r) ?? 0; count.set(r, n - 1); return n <= 0; });
  const extra = [...count].flatMap(([r, n]) => (n > 0 ? Array<string>(n).fill(r) : []));
  if (missing.length === 0 && extra.length === 0) return void tally.equalSymbolTables++;
  tally.problems.push(`${label}: symbol table differs from as's: ${missing.length} rows missing (first "${missing[0] ?? ''}"), ` +
    `${extra.length} extra (first "${extra[0] ?? ''}")`);
}

/** Assembles `file` both ways and adds what it finds to `tally`. */
export function compareAssemblyFile(file: string, label: string, tally: CorpusTally): void {
  const source = readFileSync(file, 'utf8');
  const lines = source.split('\n');
  tally.files++;
  tally.lines += lines.length;
  const ours = assemble(source);
  for (const d of ours.diagnostics) {
    if (d.severity === 'error') tally.problems.push(`${label}:${d.line + 1}: ${d.message}: ${lines[d.line]?.trim() ?? ''}`);
  }
  const theirs = assembleFileWithGnuAs(file, true);
  if (!theirs.ok) return void tally.problems.push(`${label}: as --32 failed: ${theirs.stderr.slice(0, 300)}`);

  const ourSymbols = new Map(ours.symbols.map((s) => [s.name, s]));
  const ourSections = new Map(ours.sections.map((s) => [s.name, s]));
  // Aliases (`.set alias, function`) share one piece of code: it is compared once.
  const aliases = new Map<string, OracleFunction[]>();
  for (const fn of theirs.functions) {
    const key = `${fn.section} ${fn.value} ${fn.size}`;
    aliases.set(key, [...(aliases.get(key) ?? []), fn]);
  }
  for (const names of aliases.values()) {
    tally.functions++;
    const fn = names.find((f) => ourSymbols.has(f.name)) ?? names[0]!;
    const sym = ourSymbols.get(fn.name);
    const section = ourSections.get(fn.section);
    const ref = theirs.sections.get(fn.section)!;
    if (sym === undefined || section === undefined || sym.section !== fn.section) {
      tally.problems.push(`${label}: function ${fn.name} (${fn.section}) is missing from kboost's image`);
      continue;
    }
    for (const alias of names) {
      if (!ourSymbols.has(alias.name)) tally.notes.push(`${label}: symbol ${alias.name} (an alias of ${fn.name}) is missing from kboost's image`);
    }
    const want = ref.bytes.subarray(fn.value, fn.value + fn.size);
    const got = section.bytes.subarray(sym.value, sym.value + sym.size);
    const wantRelocs = theirRelocations(ref, fn.value, fn.value + fn.size);
    const gotRelocs = ourRelocations(ours, fn.section, sym.value, sym.value + sym.size);
    if (sym.size === fn.size && sameBytes(got, want) && gotRelocs.join() === wantRelocs.join()) {
      tally.exactFunctions++;
      tally.instructions += countInstructions(want);
      tally.relocations += wantRelocs.length;
      for (const r of wantRelocs) {
        const type = RELOCATION_NAMES.get(Number(r.split(' ')[1])) ?? r.split(' ')[1]!;
        tally.relocationTypes[type] = (tally.relocationTypes[type] ?? 0) + 1;
      }
      continue;
    }
    const at = firstDifference(got, want);
    let what = sym.size !== fn.size ? `size ${sym.size}, as says ${fn.size}` : `bytes differ at +0x${at.toString(16)}`;
    let offset = at;
    if (sym.size === fn.size && at === want.length) {
      const k = wantRelocs.findIndex((r, i) => r !== gotRelocs[i]);
      const reloc = k < 0 ? gotRelocs[wantRelocs.length]! : wantRelocs[k]!;
      what = `relocation "${gotRelocs[k < 0 ? wantRelocs.length : k] ?? 'none'}", as says "${k < 0 ? 'none' : reloc}"`;
      offset = Number(reloc.split(' ')[0]);
    }
    tally.problems.push(`${label}: function ${fn.name}: ${what}; first at ${sourcePlace(label, lines, ours, fn.section, sym.value + offset)}`);
  }

  const elf = readElf32(writeElfObject(ours)).value;
  if (elf === null) return void tally.problems.push(`${label}: kboost's ELF object does not read back`);
  compareSymbolTables(label, elf, theirs.sections, theirs.symbols, tally);
  const lineMap = compareLineMap(ours, parseGnuAsListing(theirs.listing), relocatedFields(theirs.sections));
  tally.listedLines += lineMap.compared;
  tally.equalListedLines += lineMap.equal;
  for (const d of lineMap.differences) tally.problems.push(`${label}: line map differs from as -aln: ${d}`);
  const ourGroups = groupRows(elf);
  if (ourGroups.join('\n') !== theirs.groups.join('\n')) {
    tally.problems.push(`${label}: section groups differ: ours ${JSON.stringify(ourGroups)}, as's ${JSON.stringify(theirs.groups)}`);
  }

  // Whole sections too: data, read-only data, and code outside function symbols.
  for (const [name, ref] of theirs.sections) {
    if (IGNORED_SECTIONS.test(name)) continue;
    const section = ourSections.get(name);
    if (name === '.group') continue; // compared as groups below: several share the name
    if (section === undefined) {
      if (ref.bytes.length > 0) tally.problems.push(`${label}: section ${name} is missing from kboost's image`);
      continue;
    }
    if (section.type === 'nobits' && section.size !== ref.bytes.length) {
      tally.problems.push(`${label}: section ${name} has size ${section.size}, as says ${ref.bytes.length}`);
      continue;
    }
    if (section.type !== 'nobits' && !sameBytes(section.bytes, ref.bytes)) {
      const at = firstDifference(section.bytes, ref.bytes);
      tally.problems.push(`${label}: section ${name} differs; first at ${sourcePlace(label, lines, ours, name, at)}`);
      continue;
    }
    const gotRelocs = ourRelocations(ours, name, 0, 2 ** 32);
    const wantRelocs = theirRelocations(ref, 0, 2 ** 32);
    const k = wantRelocs.findIndex((r, i) => r !== gotRelocs[i]);
    if (k >= 0 || gotRelocs.length !== wantRelocs.length) {
      const got = gotRelocs[k < 0 ? wantRelocs.length : k] ?? 'none';
      const offset = Number((k < 0 ? got : wantRelocs[k]!).split(' ')[0]);
      tally.problems.push(`${label}: section ${name}: relocation "${got}", as says "${k < 0 ? 'none' : wantRelocs[k]}"; ` +
        `first at ${sourcePlace(label, lines, ours, name, offset)}`);
    }
  }
}
