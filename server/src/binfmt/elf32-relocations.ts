// Reading the relocations that apply to one section of an ELF32 object (.rel.text for .text),
// so a disassembly of a .o or .ko can name what a call or an address operand refers to, the way
// `objdump -dr` does. i386 objects use REL (addend stored in the instruction bytes); RELA is read
// too for completeness.

import { hex } from './binary-input-result';
import { ELF32_REL_SIZE, ELF32_RELA_SIZE, SHT_DYNSYM, SHT_REL, SHT_RELA } from './elf32-constants';
import type { Elf32File, Elf32Relocation, Elf32Section, Elf32Symbol } from './elf32-types';

export interface SectionRelocations {
  relocations: Elf32Relocation[];
  /** The symbol table the relocations index (symbols[i - 1] is entry i). */
  symbols: readonly Elf32Symbol[];
  errors: string[];
}

/** All REL/RELA entries whose sh_info names `target`, sorted by offset. */
export function readSectionRelocations(file: Elf32File, target: Elf32Section): SectionRelocations {
  const errors: string[] = [];
  const relocations: Elf32Relocation[] = [];
  let symbols: readonly Elf32Symbol[] = file.symbols;
  const view = new DataView(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
  for (const s of file.sections) {
    if ((s.type !== SHT_REL && s.type !== SHT_RELA) || s.info !== target.index) continue;
    if (!s.contentsInFile) {
      errors.push(`relocation section ${s.name} extends past the end of the file; its relocations are ignored`);
      continue;
    }
    const linked = file.sections[s.link];
    if (linked !== undefined && linked.type === SHT_DYNSYM) symbols = file.dynamicSymbols;
    const rela = s.type === SHT_RELA;
    const entrySize = s.entrySize === 0 ? (rela ? ELF32_RELA_SIZE : ELF32_REL_SIZE) : s.entrySize;
    if (entrySize < (rela ? ELF32_RELA_SIZE : ELF32_REL_SIZE)) {
      errors.push(`relocation section ${s.name} has entry size ${entrySize}; its relocations are ignored`);
      continue;
    }
    const count = Math.floor(s.size / entrySize);
    for (let i = 0; i < count; i++) {
      const at = s.offset + i * entrySize;
      const info = view.getUint32(at + 4, true);
      relocations.push({
        offset: view.getUint32(at, true),
        type: info & 0xff,
        symbolIndex: info >>> 8,
        addend: rela ? view.getInt32(at + 8, true) : null,
      });
    }
    if (s.size % entrySize !== 0) errors.push(`relocation section ${s.name} size ${hex(s.size)} is not a multiple of ${entrySize}`);
  }
  relocations.sort((a, b) => a.offset - b.offset);
  return { relocations, symbols, errors };
}
