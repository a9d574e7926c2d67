// Where the assembler's real-world corpus comes from and how it is compiled: the pinned npm sources
// that scripts/fetch-asm-corpus-sources.sh puts in .cache/asm-corpus/, each C file with the gcc
// options it is built with, and a compile queue that runs at most two `gcc -m32 -S` at a time
// (the machine has two cores) and hands each .s over as soon as it is ready. The built .s files are
// kept in .cache/asm-corpus/build, which only ever appears complete: see buildFetchedCorpus.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS_CACHE = path.join(REPO_ROOT, '.cache', 'asm-corpus');
const FETCH_SCRIPT = path.join(REPO_ROOT, 'scripts', 'fetch-asm-corpus-sources.sh');
const PARALLEL_COMPILES = 2;

export interface CompileJob {
  source: string;
  options: string[];
  /** The .s file to write. */
  output: string;
}

/** null when the sources are in the cache, else why not; `offline` when the registry was unreachable. */
export function fetchCorpusSources(): { offline: boolean; message: string } | null {
  const run = spawnSync('bash', [FETCH_SCRIPT], { encoding: 'utf8' });
  if (run.status === 0) return null;
  const message = `${run.stderr}${run.error?.message ?? ''}`.trim().split('\n').slice(-2).map((l) => l.trim()).join(' ');
  return { offline: run.status === 3, message };
}

/** null when `gcc -m32 -S` works with the C library's headers, else why not. */
export function gccCannotTarget32Bit(): string | null {
  const run = spawnSync('gcc', ['-m32', '-S', '-x', 'c', '-o', '-', '-'], { input: '#include <stdio.h>\nint x;\n', encoding: 'utf8' });
  if (run.error) return 'gcc is not installed';
  return run.status === 0 ? null : 'gcc -m32 cannot compile (apt-get install gcc-multilib)';
}

// sqlite: the whole amalgamation, non-PIC (absolute R_386_32 and R_386_PC32). lz4: both PIC
// (@GOTOFF, @GOT, @PLT, _GLOBAL_OFFSET_TABLE_) and non-PIC.
const FETCHED_BUILDS: Array<{ folder: string; options: string[][] }> = [
  { folder: 'sqlite', options: [['-O2', '-fno-pic', '-fno-pie']] },
  { folder: 'lz4', options: [['-O2', '-fPIC'], ['-O2', '-fno-pic', '-fno-pie']] },
];

function optionTag(options: readonly string[]): string {
  return options.join('').replace(/[^A-Za-z0-9]+/g, '_');
}

export function cFilesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return cFilesUnder(full);
    return name.endsWith('.c') ? [full] : [];
  });
}

/** The jobs of the fetched corpus, writing into `outDir`; the biggest first, so it overlaps the rest. */
export function fetchedCorpusJobs(outDir: string): CompileJob[] {
  const jobs = FETCHED_BUILDS.flatMap(({ folder, options }) =>
    cFilesUnder(path.join(CORPUS_CACHE, folder)).flatMap((source) =>
      options.map((o) => ({ source, options: o, output: path.join(outDir, `${folder}-${path.basename(source, '.c')}${optionTag(o)}.s`) })),
    ),
  );
  return jobs.sort((a, b) => statSync(b.source).size - statSync(a.source).size);
}

/** Jobs for every C file under `dir` at each option set. */
export function directoryJobs(dir: string, optionSets: readonly string[][], outDir: string): CompileJob[] {
  return cFilesUnder(dir).flatMap((source, i) =>
    optionSets.map((o) => ({ source, options: o, output: path.join(outDir, `extra${i}-${path.basename(source, '.c')}${optionTag(o)}.s`) })),
  );
}

function compile(job: CompileJob): Promise<string | null> {
  return new Promise((resolve) => {
    const gcc = spawn('gcc', ['-m32', ...job.options, '-S', '-w', '-o', job.output, job.source], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    gcc.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 2000) stderr += chunk.toString(); });
    gcc.on('error', (e) => resolve(e.message));
    gcc.on('close', (code) => resolve(code === 0 ? null : stderr.trim() || `gcc exited with ${code}`));
  });
}

/**
 * Compiles every job, at most two at a time, and calls `done` with each (the .s is ready when
 * `error` is null). `done` runs synchronously; the other compile goes on meanwhile.
 */
export async function compileAll(jobs: readonly CompileJob[], done: (job: CompileJob, error: string | null) => void): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      done(job, await compile(job));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_COMPILES, jobs.length) }, worker));
}

/** The folder of the built corpus (complete whenever it exists: made elsewhere, then renamed). */
export const CORPUS_BUILD = path.join(CORPUS_CACHE, 'build');
/** Lists the .s files of a complete build; a build whose list differs from the jobs' is made again. */
const BUILD_MANIFEST = 'built-files.txt';

function manifestOf(jobs: readonly CompileJob[]): string {
  return jobs.map((j) => `${path.basename(j.output)} ${path.relative(CORPUS_CACHE, j.source)} ${j.options.join(' ')}`).sort().join('\n') + '\n';
}

/**
 * Hands every .s of the fetched corpus to `done`, from .cache/asm-corpus/build when it holds this
 * corpus already, else compiled. Concurrent runs (two test files, or the benchmark) never see a
 * half-made build: each compiles into a folder of its own, renamed into place once complete
 * (a rename is atomic); the build of whichever run finished last stays.
 */
export async function buildFetchedCorpus(done: (job: CompileJob, error: string | null) => void): Promise<void> {
  const kept = fetchedCorpusJobs(CORPUS_BUILD);
  const manifest = path.join(CORPUS_BUILD, BUILD_MANIFEST);
  if (existsSync(manifest) && readFileSync(manifest, 'utf8') === manifestOf(kept) && kept.every((j) => existsSync(j.output))) {
    for (const job of kept) done(job, null);
    return;
  }
  const own = mkdtempSync(path.join(CORPUS_CACHE, 'build-'));
  const jobs = fetchedCorpusJobs(own);
  let failed = false;
  try {
    await compileAll(jobs, (job, error) => {
      if (error !== null) failed = true;
      done(job, error);
    });
    if (failed) return;
    writeFileSync(path.join(own, BUILD_MANIFEST), manifestOf(jobs));
    // Out of the way first (a folder is not renamed over a full one), then ours in.
    if (existsSync(CORPUS_BUILD)) {
      const old = mkdtempSync(path.join(CORPUS_CACHE, 'old-build-'));
      renameSync(CORPUS_BUILD, path.join(old, 'build'));
      rmSync(old, { recursive: true, force: true });
    }
    renameSync(own, CORPUS_BUILD);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
}
