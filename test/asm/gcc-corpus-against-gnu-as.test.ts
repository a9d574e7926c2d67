// Real compiler output, byte for byte: every C file under $KBOOST_ASM_CORPUS is compiled with
// `gcc -m32 -S` at several option sets, and each .s is assembled by kboost and by `as --32`; all
// sections (but .eh_frame, which .cfi_* would make) and relocations must be equal. Skipped when
// the variable is unset or gcc cannot target i386 (`apt-get install gcc-multilib`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assemble } from '../../server/src/asm';
import { assembleWithGnuAs, gnuAsAvailable, hex } from './gnu-as-oracle';

const CORPUS = process.env.KBOOST_ASM_CORPUS ?? '';
const OPTION_SETS = [
  ['-O2', '-fno-pic', '-fno-pie'],
  ['-O2'], // PIE, as Debian's gcc defaults to: @GOTOFF, @PLT, @GOT
  ['-O3', '-march=i686', '-fno-pic', '-fno-pie'],
  ['-Os', '-mregparm=3', '-fno-omit-frame-pointer', '-fno-pic', '-fno-pie'],
  ['-O0'],
];
const RELOCATION_TYPES: Record<string, number> = {
  R_386_32: 1, R_386_PC32: 2, R_386_GOT32: 3, R_386_PLT32: 4, R_386_GOTOFF: 9, R_386_GOTPC: 10,
  R_386_16: 20, R_386_PC16: 21, R_386_8: 22, R_386_PC8: 23, R_386_GOT32X: 43,
};

function cFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return cFiles(full);
    return name.endsWith('.c') ? [full] : [];
  });
}

test('gcc -m32 output assembles byte for byte like as --32', { skip: (!CORPUS && 'KBOOST_ASM_CORPUS not set') || (!gnuAsAvailable() && 'as not installed') }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-corpus-'));
  let files = 0;
  let lines = 0;
  const problems: string[] = [];
  try {
    for (const c of cFiles(CORPUS)) {
      OPTION_SETS.forEach((options, k) => {
        const out = path.join(dir, `${path.basename(c, '.c')}-${k}.s`);
        const gcc = spawnSync('gcc', ['-m32', ...options, '-S', '-w', '-o', out, c], { encoding: 'utf8' });
        if (gcc.status !== 0) return; // sources needing headers we lack are skipped
        const source = readFileSync(out, 'utf8');
        files++;
        lines += source.split('\n').length;
        const ours = assemble(source);
        const errors = ours.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length > 0) return void problems.push(`${out}:${errors[0]!.line + 1}: ${errors[0]!.message}`);
        const theirs = assembleWithGnuAs(source);
        if (!theirs.ok) return void problems.push(`${out}: as failed`);
        for (const section of ours.sections) {
          const ref = theirs.sections.get(section.name);
          if (!ref) continue;
          const same = section.type === 'nobits' ? section.size === ref.bytes.length : hex(section.bytes) === hex(ref.bytes);
          const relocs = ours.relocations.filter((r) => r.section === section.name).map((r) => `${r.offset} ${RELOCATION_TYPES[r.type]} ${r.symbol}`);
          const refRelocs = ref.relocations.map((r) => `${r.offset} ${r.type} ${r.symbol}`);
          if (!same) problems.push(`${out}: bytes of ${section.name} differ`);
          else if (relocs.join() !== refRelocs.join()) problems.push(`${out}: relocations of ${section.name} differ`);
        }
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`corpus: ${files} assembly files, ${lines} lines; ${files - new Set(problems.map((p) => p.split(':')[0])).size} byte-exact`);
  assert.ok(files > 0, 'no C file of the corpus compiled');
  assert.deepEqual(problems, []);
});
