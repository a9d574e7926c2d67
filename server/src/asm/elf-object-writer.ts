// Writes an Image as an ELF32 i386 relocatable object (ET_REL), the kind `as --32` writes: a
// SHT_GROUP section for each section group ("G" flag, COMDAT or not), the Image's sections, a
// .rel section for each one with relocations (REL: addends are in place),
// and .symtab/.strtab with FILE symbols, section symbols (of sections that relocations name),
// local labels and `.set` symbols (absolute ones SHN_ABS), then global, weak, undefined and
// common symbols. `ld -m elf_i386` links it like as's output.

import type { Image, ImageRelocation } from './assembled-image';
import {
  SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHN_ABS, SHN_COMMON, SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_STRTAB,
  SHT_SYMTAB, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FILE, STT_FUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION,
} from '../binfmt/elf32-constants';

const RELOCATION_NUMBERS: Record<ImageRelocation['type'], number> = {
  R_386_32: 1, R_386_PC32: 2, R_386_GOT32: 3, R_386_PLT32: 4, R_386_GOTOFF: 9, R_386_GOTPC: 10,
  R_386_16: 20, R_386_PC16: 21, R_386_8: 22, R_386_PC8: 23, R_386_GOT32X: 43,
};
const SHF_MERGE = 0x10;
const SHF_STRINGS = 0x20;
const SHF_INFO_LINK = 0x40;
const SHF_GROUP = 0x200;
const SHT_GROUP = 17;
const GRP_COMDAT = 1;

class StringTable {
  readonly bytes: number[] = [0];
  private readonly offsets = new Map<string, number>([['', 0]]);
  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const at = this.bytes.length;
    this.bytes.push(...Buffer.from(s, 'utf8'), 0);
    this.offsets.set(s, at);
    return at;
  }
}

interface SectionOut {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array;
  size: number;
  link: number;
  info: number;
  alignment: number;
  entrySize: number;
}

function sectionFlags(flags: string): number {
  let f = 0;
  if (flags.includes('a')) f |= SHF_ALLOC;
  if (flags.includes('w')) f |= SHF_WRITE;
  if (flags.includes('x')) f |= SHF_EXECINSTR;
  if (flags.includes('M')) f |= SHF_MERGE;
  if (flags.includes('S')) f |= SHF_STRINGS;
  if (flags.includes('G')) f |= SHF_GROUP;
  return f;
}

/** Serializes the image; the result is a complete `.o` file. */
export function writeElfObject(image: Image): Uint8Array {
  const sections: SectionOut[] = [{ name: '', type: 0, flags: 0, data: new Uint8Array(0), size: 0, link: 0, info: 0, alignment: 0, entrySize: 0 }];
  const sectionIndex = new Map<string, number>();
  // Section groups first, as GNU as places them: one SHT_GROUP per signature, filled in below.
  const groups = new Map<string, { index: number; comdat: boolean; members: string[] }>();
  for (const s of image.sections) {
    if (s.group === undefined || !s.flags.includes('G')) continue;
    let g = groups.get(s.group.signature);
    if (g === undefined) {
      g = { index: sections.length, comdat: s.group.comdat, members: [] };
      groups.set(s.group.signature, g);
      sections.push({ name: '.group', type: SHT_GROUP, flags: 0, data: new Uint8Array(0), size: 0, link: 0, info: 0, alignment: 4, entrySize: 4 });
    }
    g.members.push(s.name);
  }
  const groupOf = new Map([...groups].flatMap(([, g]) => g.members.map((m) => [m, g] as const)));
  for (const s of image.sections) {
    sectionIndex.set(s.name, sections.length);
    const merge = s.flags.includes('M') ? s.entrySize ?? 1 : 0;
    sections.push({
      name: s.name, type: s.type === 'nobits' ? SHT_NOBITS : SHT_PROGBITS, flags: sectionFlags(groupOf.has(s.name) ? s.flags : s.flags.replace('G', '')),
      data: s.type === 'nobits' ? new Uint8Array(0) : s.bytes, size: s.size, link: 0, info: 0, alignment: s.alignment, entrySize: merge,
    });
  }
  // Symbols: null, FILE, sections, other locals, then globals (ELF wants locals first).
  const strtab = new StringTable();
  const symbols: Array<{ name: number; value: number; size: number; info: number; other?: number; shndx: number }> = [{ name: 0, value: 0, size: 0, info: 0, shndx: 0 }];
  const visibilityBits = { internal: 1, hidden: 2, protected: 3 } as const;
  const symbolIndex = new Map<string, number>();
  const typeBits = { notype: STT_NOTYPE, function: STT_FUNC, object: STT_OBJECT, file: STT_FILE } as const;
  const locals = image.symbols.filter((s) => s.binding === 'local');
  const files = locals.filter((s) => s.type === 'file');
  const ordered = [...files, ...locals.filter((s) => s.type !== 'file'), ...image.symbols.filter((s) => s.binding !== 'local')];
  // Like GNU as, a section symbol only for sections that relocations name.
  const relocated = new Set(image.relocations.map((r) => r.symbol));
  const sectionSymbols = image.sections.filter((s) => relocated.has(s.name));
  let firstGlobal = -1;
  const sectionSymbol = (name: string): void => {
    symbolIndex.set(name, symbols.length);
    symbols.push({ name: 0, value: 0, size: 0, info: (STB_LOCAL << 4) | STT_SECTION, shndx: sectionIndex.get(name)! });
  };
  ordered.forEach((s, i) => {
    if (i === files.length) sectionSymbols.forEach((x) => sectionSymbol(x.name));
    if (s.binding !== 'local' && firstGlobal < 0) firstGlobal = symbols.length;
    const bind = s.binding === 'local' ? STB_LOCAL : s.binding === 'weak' ? STB_WEAK : STB_GLOBAL;
    symbolIndex.set(s.name, symbols.length);
    symbols.push({
      name: strtab.add(s.name), value: s.value, size: s.size, info: (bind << 4) | typeBits[s.type], other: s.visibility ? visibilityBits[s.visibility] : 0,
      shndx: s.common ? SHN_COMMON : s.section !== null ? sectionIndex.get(s.section) ?? 0 : s.defined ? SHN_ABS : 0,
    });
  });
  if (ordered.length === files.length) sectionSymbols.forEach((x) => sectionSymbol(x.name));
  // A signature that names no symbol of the image becomes a local symbol of its group section
  // (GNU as does the same); it goes last among the locals.
  const signatures: Array<[string, number]> = [];
  for (const [signature, g] of groups) {
    if (image.symbols.some((s) => s.name === signature && s.defined)) continue;
    signatures.push([signature, g.index]);
  }
  if (signatures.length > 0) {
    const at = firstGlobal < 0 ? symbols.length : firstGlobal;
    const added = signatures.map(([signature, index]) => ({ name: strtab.add(signature), value: 0, size: 0, info: (STB_LOCAL << 4) | STT_NOTYPE, shndx: index }));
    symbols.splice(at, 0, ...added);
    for (const [name, i] of symbolIndex) if (i >= at) symbolIndex.set(name, i + added.length);
    signatures.forEach(([signature], k) => symbolIndex.set(signature, at + k));
    if (firstGlobal >= 0) firstGlobal += added.length;
  }
  if (firstGlobal < 0) firstGlobal = symbols.length;
  const symtabIndex = sections.length + new Set(image.relocations.map((r) => r.section)).size;
  for (const s of image.sections) {
    const rels = image.relocations.filter((r) => r.section === s.name);
    if (rels.length === 0) continue;
    const data = new Uint8Array(8 * rels.length);
    const view = new DataView(data.buffer);
    rels.forEach((r, i) => {
      view.setUint32(8 * i, r.offset, true);
      view.setUint32(8 * i + 4, ((symbolIndex.get(r.symbol) ?? 0) << 8) | RELOCATION_NUMBERS[r.type], true);
    });
    const group = groupOf.get(s.name);
    // Listed right after its section, where GNU as (which places .rel sections there) has it.
    group?.members.splice(group.members.indexOf(s.name) + 1, 0, `.rel${s.name}`);
    sectionIndex.set(`.rel${s.name}`, sections.length);
    sections.push({ name: `.rel${s.name}`, type: SHT_REL, flags: SHF_INFO_LINK | (group ? SHF_GROUP : 0), data, size: data.length, link: symtabIndex, info: sectionIndex.get(s.name)!, alignment: 4, entrySize: 8 });
  }
  for (const [signature, g] of groups) {
    const data = new Uint8Array(4 * (1 + g.members.length));
    const view = new DataView(data.buffer);
    view.setUint32(0, g.comdat ? GRP_COMDAT : 0, true);
    g.members.forEach((m, i) => view.setUint32(4 * (i + 1), sectionIndex.get(m)!, true));
    Object.assign(sections[g.index]!, { data, size: data.length, link: symtabIndex, info: symbolIndex.get(signature)! });
  }
  const symData = new Uint8Array(16 * symbols.length);
  const symView = new DataView(symData.buffer);
  symbols.forEach((s, i) => {
    symView.setUint32(16 * i, s.name, true);
    symView.setUint32(16 * i + 4, s.value >>> 0, true);
    symView.setUint32(16 * i + 8, s.size >>> 0, true);
    symView.setUint8(16 * i + 12, s.info);
    symView.setUint8(16 * i + 13, s.other ?? 0);
    symView.setUint16(16 * i + 14, s.shndx, true);
  });
  sections.push({ name: '.symtab', type: SHT_SYMTAB, flags: 0, data: symData, size: symData.length, link: symtabIndex + 1, info: firstGlobal, alignment: 4, entrySize: 16 });
  const strData = Uint8Array.from(strtab.bytes);
  sections.push({ name: '.strtab', type: SHT_STRTAB, flags: 0, data: strData, size: strData.length, link: 0, info: 0, alignment: 1, entrySize: 0 });
  const shstrtab = new StringTable();
  const nameOffsets = sections.map((s) => shstrtab.add(s.name));
  const shstrIndex = sections.length;
  nameOffsets.push(shstrtab.add('.shstrtab'));
  const shstrData = Uint8Array.from(shstrtab.bytes);
  sections.push({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, data: shstrData, size: shstrData.length, link: 0, info: 0, alignment: 1, entrySize: 0 });

  // File layout: header, section contents (aligned), section header table.
  const offsets: number[] = [];
  let at = 52;
  for (const s of sections) {
    const align = Math.max(1, s.alignment);
    at = Math.ceil(at / align) * align;
    offsets.push(at);
    at += s.data.length;
  }
  const shoff = Math.ceil(at / 4) * 4;
  const file = new Uint8Array(shoff + 40 * sections.length);
  const v = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0], 0); // ELF, 32-bit, little-endian, version 1, System V
  v.setUint16(16, 1, true); // ET_REL
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(20, 1, true);
  v.setUint32(32, shoff, true);
  v.setUint16(40, 52, true);
  v.setUint16(46, 40, true);
  v.setUint16(48, sections.length, true);
  v.setUint16(50, shstrIndex, true);
  sections.forEach((s, i) => {
    file.set(s.data, offsets[i]!);
    const h = shoff + 40 * i;
    if (i === 0) return;
    v.setUint32(h, nameOffsets[i]!, true);
    v.setUint32(h + 4, s.type, true);
    v.setUint32(h + 8, s.flags, true);
    v.setUint32(h + 16, offsets[i]!, true);
    v.setUint32(h + 20, s.size, true);
    v.setUint32(h + 24, s.link, true);
    v.setUint32(h + 28, s.info, true);
    v.setUint32(h + 32, s.alignment, true);
    v.setUint32(h + 36, s.entrySize, true);
  });
  return file;
}
