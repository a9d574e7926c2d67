// Real compiler output, byte for byte: C sources nobody here wrote (the sqlite amalgamation and
// lz4, fetched from npm by scripts/fetch-asm-corpus-sources.sh into .cache/asm-corpus/) are
// compiled with `gcc -m32 -O2 -S`, and each .s is assembled by kboost and by `as --32`. Every
// function's bytes and relocations, and every other section, must be equal; at least 100,000
// instructions must be compared. Skips, saying why, without the network, gcc -m32 or as. The .s
// files are compiled once and kept in .cache/asm-corpus/build (see buildFetchedCorpus).
// KBOOST_ASM_CORPUS=dir adds the C files of dir at several option sets (a separate test).

import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compareAssemblyFile, emptyTally } from './gcc-corpus-function-comparison';
import type { CorpusTally } from './gcc-corpus-function-comparison';
import {
  REPO_ROOT, buildFetchedCorpus, compileAll, directoryJobs, fetchCorpusSources, gccCannotTarget32Bit,
} from './gcc-corpus-sources';
import type { CompileJob } from './gcc-corpus-sources';
import { gnuAsAvailable } from './gnu-as-oracle';

const MINIMUM_INSTRUCTIONS = 100_000;
const EXTRA_CORPUS = process.env.KBOOST_ASM_CORPUS ?? '';
const EXTRA_OPTION_SETS = [
  ['-O2', '-fno-pic', '-fno-pie'],
  ['-O2'], // PIE, as Debian's gcc defaults to: @GOTOFF, @PLT, @GOT
  ['-O3', '-march=i686', '-fno-pic', '-fno-pie'],
  ['-Os', '-mregparm=3', '-fno-omit-frame-pointer', '-fno-pic', '-fno-pie'],
  ['-O0'],
];
const SHOWN_PROBLEMS = 40;

function toolsMissing(): string | null {
  if (!gnuAsAvailable()) return 'as (binutils) is not installed';
  return gccCannotTarget32Bit();
}

function tallyJob(tally: CorpusTally, job: CompileJob, error: string | null, compileFailuresAreProblems: boolean): void {
  const label = path.relative(REPO_ROOT, job.output);
  if (error === null) compareAssemblyFile(job.output, label, tally);
  // Extra sources may need headers this machine lacks; the pinned ones must always compile.
  else if (compileFailuresAreProblems) tally.problems.push(`${label}: gcc failed: ${error.split('\n')[0]}`);
}

async function runCorpus(jobs: CompileJob[], compileFailuresAreProblems: boolean): Promise<CorpusTally> {
  const tally = emptyTally();
  await compileAll(jobs, (job, error) => tallyJob(tally, job, error, compileFailuresAreProblems));
  return tally;
}

function differences(tally: CorpusTally): string {
  return `${tally.problems.length} differences from as --32 (listed above), the first:\n  ${tally.problems.slice(0, 5).join('\n  ')}`;
}

function report(t: TestContext, name: string, tally: CorpusTally, seconds: number): void {
  const percent = tally.functions === 0 ? 0 : (100 * tally.exactFunctions) / tally.functions;
  t.diagnostic(
    `${name}: ${tally.files} .s files, ${tally.lines} lines, ${tally.functions} functions, ` +
    `${tally.exactFunctions} byte-exact (${percent.toFixed(3)} %), ${tally.instructions} instructions and ` +
    `${tally.relocations} relocations compared equal, ${tally.problems.length} problems, ${seconds.toFixed(1)} s`,
  );
  t.diagnostic(`${name}: symbol tables equal to as's in ${tally.equalSymbolTables} of ${tally.files} files (${tally.symbols} symbols)`);
  const lineMapPercent = tally.listedLines === 0 ? 0 : (100 * tally.equalListedLines) / tally.listedLines;
  t.diagnostic(`${name}: line map: ${tally.equalListedLines} of ${tally.listedLines} lines with bytes list the same address and bytes as as -aln (${lineMapPercent.toFixed(3)} %)`);
  const types = Object.entries(tally.relocationTypes).map(([type, n]) => `${type} ${n}`).join(', ');
  if (types !== '') t.diagnostic(`${name}: relocations in byte-exact functions by type: ${types}`);
  // One failure cascades (a missing instruction moves every later call target), so problems are
  // shown grouped by their shape, in order of first appearance, a few of each, with the count.
  const groups = new Map<string, string[]>();
  for (const p of tally.problems) {
    const shape = p.replace(/^\S+?: /, '').replace(/('[^']*'): .*$/, '$1').replace(/function \S+/, 'function').replace(/"[^"]*"|\+0x[0-9a-f]+|\b\d+\b|; first at .*$/g, '#');
    groups.set(shape, [...(groups.get(shape) ?? []), p]);
  }
  let shown = 0;
  for (const [shape, members] of groups) {
    if (shown >= SHOWN_PROBLEMS) break;
    t.diagnostic(`${members.length} x ${shape}`);
    for (const p of members.slice(0, 3)) t.diagnostic(`  ${p}`);
    shown += Math.min(3, members.length) + 1;
  }
  const notes = [...new Set(tally.notes)];
  for (const n of notes.slice(0, 10)) t.diagnostic(`note: ${n}`);
  if (notes.length > 10) t.diagnostic(`note: ... and ${notes.length - 10} more`);
}

test('sqlite and lz4 compiled by gcc -m32 -O2 assemble byte for byte like as --32', async (t) => {
  const missing = toolsMissing();
  if (missing !== null) return void t.skip(missing);
  const started = Date.now();
  const fetch = fetchCorpusSources();
  if (fetch?.offline) return void t.skip(`corpus sources not available offline: ${fetch.message}`);
  assert.equal(fetch, null, 'scripts/fetch-asm-corpus-sources.sh failed');

  // The .s files stay in the (git-ignored) cache, so a reported line can be looked at afterwards.
  const tally = emptyTally();
  await buildFetchedCorpus((job, error) => tallyJob(tally, job, error, true));
  report(t, 'corpus', tally, (Date.now() - started) / 1000);

  assert.equal(tally.problems.length, 0, differences(tally));
  assert.ok(tally.instructions >= MINIMUM_INSTRUCTIONS, `only ${tally.instructions} instructions compared`);
});

test('C files of KBOOST_ASM_CORPUS assemble byte for byte like as --32', { skip: !EXTRA_CORPUS && 'KBOOST_ASM_CORPUS not set' }, async (t) => {
  const missing = toolsMissing();
  if (missing !== null) return void t.skip(missing);
  const started = Date.now();
  const outDir = mkdtempSync(path.join(tmpdir(), 'kboost-corpus-'));
  try {
    const tally = await runCorpus(directoryJobs(EXTRA_CORPUS, EXTRA_OPTION_SETS, outDir), false);
    report(t, 'KBOOST_ASM_CORPUS', tally, (Date.now() - started) / 1000);
    assert.ok(tally.files > 0, 'no C file of KBOOST_ASM_CORPUS compiled');
    assert.equal(tally.problems.length, 0, differences(tally));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
