// The whole `objdump -d` style listing of an ELF32 file: the file-format header, then each
// code section (or the sections asked for) through section-disassembly-listing.ts, with the
// file's symbols (and those of a System.map) for labels and branch targets.

import { SectionSymbolView } from '../binfmt/disassembly-symbols';
import type { ListingSymbol } from '../binfmt/disassembly-symbols';
import { SHF_EXECINSTR, SHT_NOBITS } from '../binfmt/elf32-constants';
import { sectionContents } from '../binfmt/elf32-reader';
import { readSectionRelocations } from '../binfmt/elf32-relocations';
import type { Elf32File, Elf32Section } from '../binfmt/elf32-types';
import type { Syntax } from './instruction-text';
import { listSection } from './section-disassembly-listing';

export interface ElfListingOptions {
  /** The name printed in the header line (the path as given). */
  displayName: string;
  symbols: readonly ListingSymbol[];
  syntax: Syntax;
  /** Section names to list; empty for every code section. */
  sections: readonly string[];
  symbolName: string | null;
  startAddress: number | null;
  stopAddress: number | null;
  showRelocations: boolean;
}

export interface ElfListingResult {
  /** Fatal problems (a section's bytes missing from a truncated file...). */
  errors: string[];
  warnings: string[];
}

/** The sections a listing covers, in file order. */
export function sectionsToList(file: Elf32File, names: readonly string[]): Elf32Section[] {
  if (names.length > 0) return file.sections.filter((s) => s.index !== 0 && names.includes(s.name) && s.type !== SHT_NOBITS);
  return file.sections.filter((s) => (s.flags & SHF_EXECINSTR) !== 0 && s.type !== SHT_NOBITS && s.size > 0);
}

function relocationSymbolName(file: Elf32File, table: ReturnType<typeof readSectionRelocations>, index: number): string {
  if (index === 0) return '*ABS*';
  const s = table.symbols[index - 1];
  if (s === undefined) return '*unknown*';
  if (s.type === 'section' || s.name === '') return file.sections[s.sectionIndex]?.name || '*unknown*';
  return s.name;
}

export function writeElfListing(file: Elf32File, options: ElfListingOptions, out: (text: string) => void): ElfListingResult {
  const result: ElfListingResult = { errors: [], warnings: [] };
  const sections = sectionsToList(file, options.sections);
  const names = file.sections.map((s) => s.name);
  out(`\n${options.displayName}:     file format elf32-i386\n\n`);
  for (const section of sections) {
    const data = sectionContents(file, section);
    if (typeof data === 'string') {
      result.errors.push(data);
      return result;
    }
    const view = new SectionSymbolView(
      options.symbols, names, section.index, section.address, section.address + section.size, file.kind === 'relocatable',
    );
    let relocations = null;
    if (options.showRelocations) {
      const table = readSectionRelocations(file, section);
      result.warnings.push(...table.errors);
      relocations = { list: table.relocations, symbolName: (i: number) => relocationSymbolName(file, table, i) };
    }
    listSection({
      section, data, symbols: view, syntax: options.syntax, startAddress: options.startAddress,
      stopAddress: options.stopAddress, symbolName: options.symbolName, relocations,
    }, out);
  }
  return result;
}
