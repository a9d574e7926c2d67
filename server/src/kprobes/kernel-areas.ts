// Builds the KernelAreas of a kernel image from plain inputs: the kprobes blacklist file
// (/sys/kernel/debug/kprobes/blacklist: `0xstart-0xend<TAB>symbol` lines), the marker symbols of
// the text areas that can never be probed, and the __ex_table section. Never throws: a line that
// cannot be read is reported with its line number.

import type { KernelAreas } from './function-probe-analysis';

export interface AreaSymbol {
  name: string;
  address: number;
}

/** Marker pairs bounding text that kprobes refuses, with the reason the kernel would give. */
const MARKED_AREAS: ReadonlyArray<[string, string]> = [
  ['__kprobes_text', '.kprobes.text (NOKPROBE code)'],
  ['__entry_text', 'the entry text'],
  ['__noinstr_text', 'noinstr text'],
  ['__irqentry_text', 'the irqentry text'],
];

export interface AreasResult {
  areas: KernelAreas;
  errors: string[];
}

export function parseKprobesBlacklist(text: string): { ranges: KernelAreas['refusedRanges']; errors: string[] } {
  const ranges: Array<{ start: number; end: number; reason: string }> = [];
  const errors: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^\s*0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\s+(\S+)/.exec(line);
    if (!m) {
      errors.push(`blacklist line ${i + 1}: expected '0xSTART-0xEND<TAB>symbol', got '${line.slice(0, 60)}'`);
      return;
    }
    ranges.push({ start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16), reason: `${m[3]} is in the kprobes blacklist` });
  });
  return { ranges, errors };
}

export function markedAreas(symbols: readonly AreaSymbol[]): KernelAreas['refusedRanges'] {
  const byName = new Map(symbols.map((s) => [s.name, s.address]));
  const ranges: Array<{ start: number; end: number; reason: string }> = [];
  for (const [prefix, reason] of MARKED_AREAS) {
    const start = byName.get(`${prefix}_start`);
    const end = byName.get(`${prefix}_end`);
    if (start !== undefined && end !== undefined && end > start) ranges.push({ start, end, reason });
  }
  return ranges;
}

/**
 * Instruction addresses of an __ex_table section: entries of three signed 32-bit offsets (insn,
 * fixup, data), each relative to the address of its own field.
 */
export function exceptionTableSites(section: Uint8Array, sectionAddress: number): Set<number> {
  const sites = new Set<number>();
  const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
  for (let at = 0; at + 12 <= section.byteLength; at += 12) {
    sites.add((sectionAddress + at + view.getInt32(at, true)) >>> 0);
  }
  return sites;
}
