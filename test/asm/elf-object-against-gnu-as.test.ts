// The ELF object writer: for every fixture without expected errors, `objdump -dr` reads our
// object exactly as it reads the one `as --32` makes (code, relocations, symbol names), and
// `ld -m elf_i386` links both to the same section bytes, and `readelf -sW` reads the same symbol
// table (name, value, size, type, binding, visibility, section) and section groups (`readelf -gW`:
// COMDAT or not, signature, members) from both. (`.cfi_*` directives are
// accepted but make no .eh_frame yet, so fixtures using them are not compared after linking, and
// their symbol tables are compared with as's object of the source without the `.cfi_*`, `.loc`
// and `.file N` lines: the relocations of .eh_frame and .debug_line would add section symbols.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assemble, writeElfObject } from '../../server/src/asm';
import { readElf32, sectionContents } from '../../server/src/binfmt/elf32-reader';
import { readAsmFixtures } from './asm-fixture-files';
import { gnuAsAvailable, hex } from './gnu-as-oracle';
import { readelfSymbolRows } from './elf-symbol-table-rows';
import { readelfGroupRows } from './elf-section-group-rows';

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function tool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** objdump's listing without the line naming the file. */
function objdump(file: string): string {
  return run('objdump', ['-dr', file]).split('\n').filter((l) => !l.includes(file)).join('\n');
}

function linkedSections(file: string): Map<string, string> {
  const elf = readElf32(new Uint8Array(readFileSync(file))).value!;
  const out = new Map<string, string>();
  for (const s of elf.sections) {
    if (s.type !== 1 || s.address === 0) continue;
    const bytes = sectionContents(elf, s);
    out.set(s.name, typeof bytes === 'string' ? bytes : hex(bytes));
  }
  return out;
}

const ready = gnuAsAvailable() && tool('objdump') && tool('readelf');
const canLink = ready && tool('ld');

for (const fixture of readAsmFixtures().filter((f) => !f.expectations.some((e) => e.kind === 'error'))) {
  test(`ELF object of ${fixture.name} reads and links like as --32's`, { skip: !ready && 'as or objdump not installed' }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kboost-elf-'));
    try {
      const source = path.join(dir, 'in.s');
      const ours = path.join(dir, 'ours.o');
      const theirs = path.join(dir, 'theirs.o');
      writeFileSync(source, fixture.source);
      writeFileSync(ours, writeElfObject(assemble(fixture.source)));
      run('as', ['--32', '-o', theirs, source]);
      assert.equal(objdump(ours), objdump(theirs));
      assert.deepEqual(readelfGroupRows(ours), readelfGroupRows(theirs));
      const withoutDebug = fixture.source.replace(/^\s*(\.cfi_|\.loc\b|\.file\s+\d).*$/gm, '');
      if (withoutDebug !== fixture.source) {
        writeFileSync(source, withoutDebug);
        run('as', ['--32', '-o', theirs, source]);
      }
      assert.deepEqual(readelfSymbolRows(ours), readelfSymbolRows(theirs));
      if (!canLink || /^\s*\.cfi_/m.test(fixture.source)) return;
      const link = (input: string, output: string): void => {
        run('ld', ['-m', 'elf_i386', '--unresolved-symbols=ignore-all', '-e', '0', '-o', output, input]);
      };
      link(ours, path.join(dir, 'ours'));
      link(theirs, path.join(dir, 'theirs'));
      assert.deepEqual(linkedSections(path.join(dir, 'ours')), linkedSections(path.join(dir, 'theirs')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
