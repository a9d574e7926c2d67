// Section groups (SHT_GROUP) of an object in a form two objects can be compared by: one row per
// group, "COMDAT signature: member member...", with member sections by name (indices differ between
// writers). Two readers: kboost's own ELF reader (for the corpus) and `readelf -gW` (fixtures).

import { spawnSync } from 'node:child_process';
import type { Elf32File } from '../../server/src/binfmt/elf32-types';

const SHT_GROUP = 17;

/** Group rows of `elf`, read by kboost's ELF reader, in section order. */
export function groupRows(elf: Elf32File): string[] {
  return elf.sections.filter((s) => s.type === SHT_GROUP).map((s) => {
    const view = new DataView(elf.bytes.buffer, elf.bytes.byteOffset + s.offset, s.size);
    const words = Array.from({ length: s.size / 4 }, (_, i) => view.getUint32(4 * i, true));
    const signature = elf.symbols.find((x) => x.table === 'symtab' && x.tableIndex === s.info)?.name ?? `#${s.info}`;
    const members = words.slice(1).map((i) => elf.sections[i]?.name ?? `#${i}`);
    return `${words[0] === 1 ? 'COMDAT' : 'group'} ${signature}: ${members.join(' ')}`;
  });
}

/** Group rows of the object `file`, read by `readelf -gW`. */
export function readelfGroupRows(file: string): string[] {
  const r = spawnSync('readelf', ['-gW', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`readelf -gW ${file}: ${r.stderr}`);
  const rows: string[] = [];
  for (const line of r.stdout.split('\n')) {
    // "COMDAT group section [    1] `.group' [foo] contains 3 sections:", then "   [    7]   .text.foo"
    const head = /^(COMDAT group|group) section \[\s*\d+\] `[^']*' \[([^\]]*)\] contains/.exec(line);
    if (head) rows.push(`${head[1] === 'COMDAT group' ? 'COMDAT' : 'group'} ${head[2]}:`);
    const member = /^\s+\[\s*\d+\]\s+(\S+)\s*$/.exec(line);
    if (member && rows.length > 0) rows[rows.length - 1] += ` ${member[1]}`;
  }
  return rows;
}
