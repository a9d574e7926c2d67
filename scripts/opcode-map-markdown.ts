// Renders the compiled opcode table as a Markdown opcode map (docs/opcode-map.md): one section
// per map, one line per entry, with the facts the kprobe rules and the emulator read. The
// generator script writes it; a test renders it again and requires the committed copy to match.

import type { OpcodeEntry } from '../server/src/isa';
import { OPCODE_TABLE } from '../server/src/isa';

const FLAG_LETTERS: Array<[string, number]> = [
  ['O', 1 << 11], ['S', 1 << 7], ['Z', 1 << 6], ['A', 1 << 4], ['P', 1 << 2], ['C', 1 << 0],
  ['D', 1 << 10], ['I', 1 << 9], ['T', 1 << 8],
];

function flags(mask: number): string {
  return FLAG_LETTERS.filter(([, bit]) => mask & bit).map(([l]) => l).join('');
}

function facts(e: OpcodeEntry): string {
  const parts: string[] = [];
  if (e.flow) parts.push([e.far ? 'far' : '', e.indirect ? 'indirect' : '', e.relative ? 'relative' : '', e.flow].filter(Boolean).join(' '));
  if (e.flagsRead) parts.push(`reads ${flags(e.flagsRead)}`);
  if (e.flagsWritten) parts.push(`writes ${flags(e.flagsWritten)}`);
  if (e.flagsUndefined) parts.push(`undefined ${flags(e.flagsUndefined)}`);
  if (e.lockable) parts.push('lock');
  if (e.rep) parts.push(e.rep);
  if (e.privileged) parts.push('CPL0');
  if (e.undocumented) parts.push('undocumented');
  return parts.join('; ');
}

const MAP_TITLES: Array<[string, string]> = [
  ['primary', 'One-byte map'], ['0f', 'Two-byte map (0F)'], ['0f38', 'Three-byte map (0F 38)'],
  ['0f3a', 'Three-byte map (0F 3A)'], ['vex0f', 'VEX map 0F'], ['vex0f38', 'VEX map 0F38'], ['vex0f3a', 'VEX map 0F3A'],
];

export function renderOpcodeMap(): string {
  const out: string[] = [
    '# The i386 opcode map of kboost',
    '',
    'Generated from `server/src/isa/opcode-table-*.ts` by `npm run generate`; do not edit by hand.',
    'A test fails when this file is not what the table generates.',
    '',
    `${OPCODE_TABLE.entries.length} entries. Flags: O S Z A P C, D (direction), I (interrupt), T (trap).`,
    '',
  ];
  for (const [key, title] of MAP_TITLES) {
    const entries = OPCODE_TABLE.entries.filter((e) => (e.vex ? `vex${e.map}` : e.map) === key);
    out.push(`## ${title}`, '', '| encoding | Intel | AT&T | operands | group | ext | facts |', '|---|---|---|---|---|---|---|');
    for (const e of [...entries].sort((a, b) => a.opcode - b.opcode || a.id - b.id)) {
      const osize = e.osize ? ` (o${e.osize})` : e.asize ? ` (a${e.asize})` : '';
      out.push(`| \`${e.row.enc}\`${osize} | ${e.mnemonic} | ${e.att} | ${e.row.ops ?? ''} | ${e.group ?? ''} | ${e.ext} | ${facts(e)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
