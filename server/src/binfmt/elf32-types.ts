// The parsed shape of an ELF32 i386 file: header, sections, program headers and symbols, as the
// reader (elf32-reader.ts) returns them. Numbers are unsigned 32-bit values, as in the file.

export type Elf32Kind = 'relocatable' | 'executable' | 'shared';

export interface Elf32Header {
  /** ET_REL, ET_EXEC or ET_DYN. */
  type: number;
  machine: number;
  entry: number;
  programHeaderOffset: number;
  sectionHeaderOffset: number;
  flags: number;
  programHeaderEntrySize: number;
  programHeaderCount: number;
  sectionHeaderEntrySize: number;
  sectionHeaderCount: number;
  sectionNameTableIndex: number;
}

export interface Elf32Section {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** Run-time address (sh_addr); 0 in relocatable objects, whose code is placed at link time. */
  address: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  alignment: number;
  entrySize: number;
  /** False when the section's bytes run past the end of the file (a truncated file). */
  contentsInFile: boolean;
}

export interface Elf32ProgramHeader {
  type: number;
  offset: number;
  virtualAddress: number;
  physicalAddress: number;
  fileSize: number;
  memorySize: number;
  flags: number;
  alignment: number;
}

export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'ifunc' | 'other';
export type SymbolBinding = 'local' | 'global' | 'weak' | 'unique' | 'other';

export interface Elf32Symbol {
  name: string;
  value: number;
  size: number;
  type: SymbolType;
  binding: SymbolBinding;
  /** st_other & 3: default, internal, hidden, protected. */
  visibility: number;
  /** Section index (after SHN_XINDEX resolution); SHN_UNDEF, SHN_ABS, SHN_COMMON kept as is. */
  sectionIndex: number;
  /** Position in its table (relocations refer to symbols by this). */
  tableIndex: number;
  table: 'symtab' | 'dynsym';
}

export interface Elf32File {
  bytes: Uint8Array;
  kind: Elf32Kind;
  header: Elf32Header;
  sections: Elf32Section[];
  programHeaders: Elf32ProgramHeader[];
  /** Symbols of .symtab (empty when stripped). */
  symbols: Elf32Symbol[];
  /** Symbols of .dynsym (empty for objects and static executables). */
  dynamicSymbols: Elf32Symbol[];
}

export interface Elf32Relocation {
  /** Offset within the section the relocation applies to (r_offset). */
  offset: number;
  type: number;
  /** Index into the symbol table named by the relocation section's sh_link. */
  symbolIndex: number;
  /** Explicit addend for RELA sections; null for REL, whose addend is stored in place. */
  addend: number | null;
}
