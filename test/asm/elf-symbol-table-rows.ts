// Symbol tables in a form two objects can be compared by: one row per symbol with its name, value,
// size, type, binding, visibility and section *name* (section indices differ between writers:
// GNU as puts each .rel section right after its section). Rows are sorted, since the order of
// symbols within the local and global groups is not part of what the comparison is about. Two
// readers: kboost's own ELF reader (fast, for the corpus) and `readelf -sW` (for the fixtures).

import { spawnSync } from 'node:child_process';
import { SHN_ABS, SHN_COMMON } from '../../server/src/binfmt/elf32-constants';
import type { Elf32File } from '../../server/src/binfmt/elf32-types';

const VISIBILITY = ['DEFAULT', 'INTERNAL', 'HIDDEN', 'PROTECTED'];

function row(name: string, value: number, size: number, type: string, bind: string, visibility: string, section: string): string {
  return `${name} ${value.toString(16).padStart(8, '0')} ${size} ${type.toUpperCase()} ${bind.toUpperCase()} ${visibility} ${section}`;
}

/** Rows of the .symtab of `elf`, read by kboost's ELF reader; section symbols are named after their section. */
export function symbolRows(elf: Elf32File): string[] {
  return elf.symbols
    .filter((s) => s.table === 'symtab')
    .map((s) => {
      const section = s.sectionIndex === 0 ? 'UND' : s.sectionIndex === SHN_ABS ? 'ABS' : s.sectionIndex === SHN_COMMON ? 'COM' : elf.sections[s.sectionIndex]?.name ?? `#${s.sectionIndex}`;
      const type = s.type === 'func' ? 'FUNC' : s.type;
      return row(s.type === 'section' ? section : s.name, s.value, s.size, type, s.binding, VISIBILITY[s.visibility]!, section);
    })
    .sort();
}

/** Rows of the symbol table of the object `file`, read by `readelf -sW` and `readelf -SW`. */
export function readelfSymbolRows(file: string): string[] {
  const read = (option: string): string => {
    const r = spawnSync('readelf', [option, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`readelf ${option} ${file}: ${r.stderr}`);
    return r.stdout;
  };
  const sections = new Map<string, string>();
  for (const line of read('-SW').split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s+(\S+)/.exec(line);
    if (m) sections.set(m[1]!, m[2]!);
  }
  const rows: string[] = [];
  for (const line of read('-sW').split('\n')) {
    // "  12: 00000004     4 OBJECT  GLOBAL DEFAULT  COM cm" (sizes from 100000 up are in hex)
    const m = /^\s*(\d+): ([0-9a-f]{8})\s+(\d+|0x[0-9a-f]+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+) ?(.*)$/.exec(line);
    if (m === null || m[1] === '0') continue;
    const section = sections.get(m[7]!) ?? m[7]!;
    rows.push(row(m[4] === 'SECTION' ? section : m[8]!, parseInt(m[2]!, 16), Number(m[3]), m[4]!, m[5]!, m[6]!, section));
  }
  return rows.sort();
}
