// Reading the symbols of an ELF32 .symtab or .dynsym section: name, value, size, type, binding
// and section index, with SHN_XINDEX resolved through a SHT_SYMTAB_SHNDX section when present.

import { hex } from './binary-input-result';
import {
  ELF32_SYMBOL_SIZE, SHN_XINDEX, SHT_STRTAB, SHT_SYMTAB_SHNDX, STB_GLOBAL, STB_GNU_UNIQUE, STB_LOCAL,
  STB_WEAK, STT_COMMON, STT_FILE, STT_FUNC, STT_GNU_IFUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION, STT_TLS,
} from './elf32-constants';
import { StringTable } from './elf32-string-table';
import type { Elf32Section, Elf32Symbol, SymbolBinding, SymbolType } from './elf32-types';

function symbolType(t: number): SymbolType {
  switch (t) {
    case STT_NOTYPE: return 'notype';
    case STT_OBJECT: return 'object';
    case STT_FUNC: return 'func';
    case STT_SECTION: return 'section';
    case STT_FILE: return 'file';
    case STT_COMMON: return 'common';
    case STT_TLS: return 'tls';
    case STT_GNU_IFUNC: return 'ifunc';
    default: return 'other';
  }
}

function symbolBinding(b: number): SymbolBinding {
  switch (b) {
    case STB_LOCAL: return 'local';
    case STB_GLOBAL: return 'global';
    case STB_WEAK: return 'weak';
    case STB_GNU_UNIQUE: return 'unique';
    default: return 'other';
  }
}

/**
 * Reads every symbol of `table` (a SHT_SYMTAB or SHT_DYNSYM section). Entry 0, the null symbol,
 * is skipped. Problems (a table past the end of the file, a bad string table link) come back as
 * messages and leave the list short or the names empty.
 */
export function readSymbolTable(
  bytes: Uint8Array,
  sections: readonly Elf32Section[],
  table: Elf32Section,
  which: 'symtab' | 'dynsym',
): { symbols: Elf32Symbol[]; errors: string[] } {
  const errors: string[] = [];
  const symbols: Elf32Symbol[] = [];
  if (!table.contentsInFile) {
    errors.push(`symbol table ${table.name} extends past the end of the file (truncated file?); symbols ignored`);
    return { symbols, errors };
  }
  const entrySize = table.entrySize === 0 ? ELF32_SYMBOL_SIZE : table.entrySize;
  if (entrySize < ELF32_SYMBOL_SIZE) {
    errors.push(`symbol table ${table.name} has entry size ${entrySize}, ELF32 symbols need ${ELF32_SYMBOL_SIZE}; symbols ignored`);
    return { symbols, errors };
  }

  let names = StringTable.empty();
  const strtab = sections[table.link];
  if (strtab !== undefined && strtab.type === SHT_STRTAB && strtab.contentsInFile) {
    names = new StringTable(bytes, strtab.offset, strtab.offset + strtab.size);
  } else {
    errors.push(`symbol table ${table.name} links to section ${table.link}, which is not a string table; names are empty`);
  }

  // Extended section indices live in a parallel table whose sh_link names this symbol table.
  const shndxSection = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === table.index && s.contentsInFile);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Math.floor(table.size / entrySize);
  for (let i = 1; i < count; i++) {
    const at = table.offset + i * entrySize;
    const nameOffset = view.getUint32(at, true);
    const info = bytes[at + 12]!;
    let sectionIndex = view.getUint16(at + 14, true);
    if (sectionIndex === SHN_XINDEX) {
      const x = shndxSection === undefined ? -1 : shndxSection.offset + i * 4;
      if (shndxSection !== undefined && x + 4 <= shndxSection.offset + shndxSection.size) {
        sectionIndex = view.getUint32(x, true);
      } else {
        errors.push(`symbol ${i} of ${table.name} uses an extended section index but no SHT_SYMTAB_SHNDX entry covers it`);
      }
    }
    symbols.push({
      name: names.nameAt(nameOffset),
      value: view.getUint32(at + 4, true),
      size: view.getUint32(at + 8, true),
      type: symbolType(info & 0xf),
      binding: symbolBinding(info >> 4),
      visibility: bytes[at + 13]! & 3,
      sectionIndex,
      tableIndex: i,
      table: which,
    });
  }
  if (table.size % entrySize !== 0) {
    errors.push(`symbol table ${table.name} size ${hex(table.size)} is not a multiple of its entry size ${entrySize}`);
  }
  return { symbols, errors };
}
