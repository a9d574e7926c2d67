// Reads an ELF32 little-endian i386 file (ET_EXEC, ET_DYN, ET_REL): header, section headers with
// their names, program headers, and the .symtab/.dynsym symbols.
//
// Any byte string may arrive here, so every field is range-checked and every problem becomes a
// message: a file that cannot be read gives `value: null` and one message saying why (not ELF,
// ELF64, another machine, a truncated table...); damage in optional parts gives warnings.

import { BinaryResult, failure, hex, success } from './binary-input-result';
import {
  ELF32_HEADER_SIZE, ELF32_PROGRAM_HEADER_SIZE, ELF32_SECTION_HEADER_SIZE, ELF_MAGIC, ELFCLASS32,
  ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, EM_386, ET_DYN, ET_EXEC, ET_REL, PT_LOAD, SHN_XINDEX, SHT_DYNSYM,
  SHT_NOBITS, SHT_STRTAB, SHT_SYMTAB, fileTypeName, machineName, machinePlainName,
} from './elf32-constants';
import { StringTable } from './elf32-string-table';
import { readSymbolTable } from './elf32-symbol-table';
import type { Elf32File, Elf32Header, Elf32Kind, Elf32ProgramHeader, Elf32Section } from './elf32-types';

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** Checks the identification bytes; returns a message when this is not an ELF32 LE i386 file. */
function checkIdentification(bytes: Uint8Array): string | null {
  if (!isElf(bytes)) return 'not an ELF file';
  if (bytes.length < 20) return `truncated ELF header (${bytes.length} bytes)`;
  const cls = bytes[4]!;
  const data = bytes[5]!;
  const machine = data === ELFDATA2MSB ? (bytes[18]! << 8) | bytes[19]! : bytes[18]! | (bytes[19]! << 8);
  if (cls === ELFCLASS64) return `ELF64 file (${machinePlainName(machine)}): kboost reads ELF32 i386 only`;
  if (cls !== ELFCLASS32) return `invalid ELF class ${cls} in the identification bytes`;
  if (data === ELFDATA2MSB) return `big-endian ELF32 file (${machinePlainName(machine)}): kboost reads little-endian ELF32 i386 only`;
  if (data !== ELFDATA2LSB) return `invalid ELF data encoding ${data} in the identification bytes`;
  if (bytes.length < ELF32_HEADER_SIZE) {
    return `truncated ELF header (${bytes.length} bytes, an ELF32 header has ${ELF32_HEADER_SIZE})`;
  }
  if (machine !== EM_386) return `ELF32 for machine ${machineName(machine)}, not i386`;
  return null;
}

function readHeader(view: DataView): Elf32Header {
  return {
    type: view.getUint16(16, true),
    machine: view.getUint16(18, true),
    entry: view.getUint32(24, true),
    programHeaderOffset: view.getUint32(28, true),
    sectionHeaderOffset: view.getUint32(32, true),
    flags: view.getUint32(36, true),
    programHeaderEntrySize: view.getUint16(42, true),
    programHeaderCount: view.getUint16(44, true),
    sectionHeaderEntrySize: view.getUint16(46, true),
    sectionHeaderCount: view.getUint16(48, true),
    sectionNameTableIndex: view.getUint16(50, true),
  };
}

function kindOf(type: number): Elf32Kind | null {
  if (type === ET_REL) return 'relocatable';
  if (type === ET_EXEC) return 'executable';
  if (type === ET_DYN) return 'shared';
  return null;
}

function readSectionHeader(view: DataView, at: number, index: number, fileLength: number): Elf32Section {
  const type = view.getUint32(at + 4, true);
  const offset = view.getUint32(at + 16, true);
  const size = view.getUint32(at + 20, true);
  return {
    index,
    name: '',
    type,
    flags: view.getUint32(at + 8, true),
    address: view.getUint32(at + 12, true),
    offset,
    size,
    link: view.getUint32(at + 24, true),
    info: view.getUint32(at + 28, true),
    alignment: view.getUint32(at + 32, true),
    entrySize: view.getUint32(at + 36, true),
    contentsInFile: type === SHT_NOBITS || offset + size <= fileLength,
  };
}

/** Section headers, with the ELF extended numbering (count or name index in section 0). */
function readSections(bytes: Uint8Array, view: DataView, header: Elf32Header, warnings: string[]): Elf32Section[] | string {
  const offset = header.sectionHeaderOffset;
  if (offset === 0) {
    warnings.push('no section header table');
    return [];
  }
  if (header.sectionHeaderEntrySize !== ELF32_SECTION_HEADER_SIZE) {
    return `unexpected section header entry size ${header.sectionHeaderEntrySize} (ELF32 uses ${ELF32_SECTION_HEADER_SIZE})`;
  }
  if (offset + ELF32_SECTION_HEADER_SIZE > bytes.length) {
    return `truncated section header table (it starts at ${hex(offset)}, the file has ${hex(bytes.length)} bytes)`;
  }
  const first = readSectionHeader(view, offset, 0, bytes.length);
  const count = header.sectionHeaderCount === 0 ? first.size : header.sectionHeaderCount;
  const end = offset + count * ELF32_SECTION_HEADER_SIZE;
  if (end > bytes.length) {
    return `truncated section header table (${count} headers end at ${hex(end)}, the file has ${hex(bytes.length)} bytes)`;
  }
  const sections: Elf32Section[] = [];
  for (let i = 0; i < count; i++) {
    sections.push(readSectionHeader(view, offset + i * ELF32_SECTION_HEADER_SIZE, i, bytes.length));
  }

  const nameIndex = header.sectionNameTableIndex === SHN_XINDEX ? first.link : header.sectionNameTableIndex;
  const names = sections[nameIndex];
  if (nameIndex === 0) {
    warnings.push('no section name table; sections have no names');
  } else if (names === undefined || names.type !== SHT_STRTAB || !names.contentsInFile) {
    warnings.push(`section name table index ${nameIndex} does not name a string table in the file; sections have no names`);
  } else {
    const table = new StringTable(bytes, names.offset, names.offset + names.size);
    for (const s of sections) s.name = table.nameAt(view.getUint32(offset + s.index * ELF32_SECTION_HEADER_SIZE, true));
  }
  return sections;
}

function readProgramHeaders(bytes: Uint8Array, view: DataView, header: Elf32Header, warnings: string[]): Elf32ProgramHeader[] {
  const count = header.programHeaderCount;
  const offset = header.programHeaderOffset;
  if (count === 0 || offset === 0) return [];
  if (header.programHeaderEntrySize !== ELF32_PROGRAM_HEADER_SIZE) {
    warnings.push(`unexpected program header entry size ${header.programHeaderEntrySize} (ELF32 uses ${ELF32_PROGRAM_HEADER_SIZE}); program headers ignored`);
    return [];
  }
  const end = offset + count * ELF32_PROGRAM_HEADER_SIZE;
  if (end > bytes.length) {
    warnings.push(`truncated program header table (ends at ${hex(end)}, the file has ${hex(bytes.length)} bytes); program headers ignored`);
    return [];
  }
  const result: Elf32ProgramHeader[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + i * ELF32_PROGRAM_HEADER_SIZE;
    result.push({
      type: view.getUint32(at, true),
      offset: view.getUint32(at + 4, true),
      virtualAddress: view.getUint32(at + 8, true),
      physicalAddress: view.getUint32(at + 12, true),
      fileSize: view.getUint32(at + 16, true),
      memorySize: view.getUint32(at + 20, true),
      flags: view.getUint32(at + 24, true),
      alignment: view.getUint32(at + 28, true),
    });
  }
  return result;
}

/** Parses `bytes` as an ELF32 i386 file. Never throws. */
export function readElf32(bytes: Uint8Array): BinaryResult<Elf32File> {
  const problem = checkIdentification(bytes);
  if (problem !== null) return failure(problem);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(view);
  const kind = kindOf(header.type);
  if (kind === null) {
    return failure(`ELF32 file of type ${fileTypeName(header.type)}: kboost reads executables, shared objects and relocatable objects`);
  }
  const warnings: string[] = [];
  const sections = readSections(bytes, view, header, warnings);
  if (typeof sections === 'string') return failure(sections);
  const programHeaders = readProgramHeaders(bytes, view, header, warnings);

  const file: Elf32File = { bytes, kind, header, sections, programHeaders, symbols: [], dynamicSymbols: [] };
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab !== undefined) {
    const r = readSymbolTable(bytes, sections, symtab, 'symtab');
    file.symbols = r.symbols;
    warnings.push(...r.errors);
  }
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  if (dynsym !== undefined) {
    const r = readSymbolTable(bytes, sections, dynsym, 'dynsym');
    file.dynamicSymbols = r.symbols;
    warnings.push(...r.errors);
  }
  return success(file, warnings);
}

/** The bytes of a section, or a message when they are not in the file (NOBITS reads as zeros). */
export function sectionContents(file: Elf32File, section: Elf32Section): Uint8Array | string {
  if (section.type === SHT_NOBITS) return new Uint8Array(section.size);
  if (!section.contentsInFile) {
    return `section ${section.name || section.index} (offset ${hex(section.offset)}, size ${hex(section.size)}) extends past the end of the file (${hex(file.bytes.length)} bytes): truncated file?`;
  }
  return file.bytes.subarray(section.offset, section.offset + section.size);
}

/** The file offset holding virtual address `address`, through the PT_LOAD program headers. */
export function fileOffsetOfAddress(file: Elf32File, address: number): number | null {
  for (const ph of file.programHeaders) {
    if (ph.type !== PT_LOAD) continue;
    if (address >= ph.virtualAddress && address < ph.virtualAddress + ph.fileSize) {
      return ph.offset + (address - ph.virtualAddress);
    }
  }
  return null;
}
