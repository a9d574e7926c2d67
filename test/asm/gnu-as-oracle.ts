// GNU as (`as --32`) as a test oracle: assembles a source text in a temporary directory and returns
// each section's bytes, relocations, function symbols, symbol table and group rows, read back with
// kboost's own ELF reader. Tests skip when `as` is not installed.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readElf32, sectionContents } from '../../server/src/binfmt/elf32-reader';
import { readSectionRelocations } from '../../server/src/binfmt/elf32-relocations';
import { symbolRows } from './elf-symbol-table-rows';
import { groupRows } from './elf-section-group-rows';
import { GNU_AS_LISTING_OPTIONS } from './gnu-as-listing-line-map';

export interface OracleSection {
  bytes: Uint8Array;
  relocations: Array<{ offset: number; type: number; symbol: string }>;
}

/** A function symbol (STT_FUNC) of the object: where its code lies. */
export interface OracleFunction {
  name: string;
  section: string;
  value: number;
  size: number;
}

export type OracleResult =
  | { ok: true; sections: Map<string, OracleSection>; functions: OracleFunction[]; symbols: string[]; groups: string[]; listing: string }
  | { ok: false; stderr: string };

let available: boolean | null = null;

export function gnuAsAvailable(): boolean {
  if (available === null) {
    try {
      execFileSync('as', ['--version'], { stdio: 'ignore' });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** Assembles `source` with `as --32` and reads the object back. */
export function assembleWithGnuAs(source: string): OracleResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-as-'));
  try {
    const input = path.join(dir, 'in.s');
    writeFileSync(input, source);
    return assembleInDirectory(input, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Assembles the file `input` with `as --32` (large corpus files need not be copied); with
 * `listing`, the result's listing is as's `-aln` listing of it.
 */
export function assembleFileWithGnuAs(input: string, listing = false): OracleResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-as-'));
  try {
    return assembleInDirectory(input, dir, listing);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assembleInDirectory(input: string, dir: string, listing = false): OracleResult {
  const output = path.join(dir, 'out.o');
  const run = spawnSync('as', ['--32', ...(listing ? GNU_AS_LISTING_OPTIONS : []), '-o', output, input], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) return { ok: false, stderr: run.stderr };
  const elf = readElf32(new Uint8Array(readFileSync(output)));
  if (elf.value === null) return { ok: false, stderr: elf.errors.join('\n') };
  const file = elf.value;
  const sections = new Map<string, OracleSection>();
  for (const s of file.sections) {
    if (s.name === '' || s.type === 2 || s.type === 3 || s.type === 9) continue; // symtab, strtab, rel
    const bytes = sectionContents(file, s);
    const rel = readSectionRelocations(file, s);
    const relocations = rel.relocations.map((r) => {
      const sym = rel.symbols[r.symbolIndex - 1];
      const name = sym === undefined ? '' : sym.type === 'section' ? file.sections[sym.sectionIndex]?.name ?? '' : sym.name;
      return { offset: r.offset, type: r.type, symbol: name };
    });
    sections.set(s.name, { bytes: typeof bytes === 'string' ? new Uint8Array(0) : bytes, relocations });
  }
  const functions = file.symbols
    .filter((sym) => sym.type === 'func' && file.sections[sym.sectionIndex] !== undefined && sym.sectionIndex !== 0)
    .map((sym) => ({ name: sym.name, section: file.sections[sym.sectionIndex]!.name, value: sym.value, size: sym.size }));
  return { ok: true, sections, functions, symbols: symbolRows(file), groups: groupRows(file), listing: listing ? run.stdout : '' };
}

/**
 * Assembles many independent one-line snippets in few `as` runs, each in its own section. A
 * snippet `as` rejects comes back as null: its line is read from as's messages and the rest is
 * assembled again without it.
 */
export function assembleSnippetsWithGnuAs(snippets: readonly string[]): Array<Uint8Array | null> {
  const results: Array<Uint8Array | null> = snippets.map(() => null);
  let pending = snippets.map((_, i) => i);
  for (let attempt = 0; attempt < 20 && pending.length > 0; attempt++) {
    const source = pending.map((i) => `.section .s${i},"ax",@progbits\n${snippets[i]}\n`).join('');
    const r = assembleWithGnuAs(source);
    if (r.ok) {
      for (const i of pending) results[i] = r.sections.get(`.s${i}`)?.bytes ?? new Uint8Array(0);
      return results;
    }
    // Each snippet takes two lines: its .section line, then its own text.
    const rejected = new Set<number>();
    for (const m of r.stderr.matchAll(/:(\d+): Error:/g)) rejected.add(pending[Math.floor((Number(m[1]) - 1) / 2)]!);
    if (rejected.size === 0) return results;
    pending = pending.filter((i) => !rejected.has(i));
  }
  return results;
}

export function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
