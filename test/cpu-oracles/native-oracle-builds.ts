// Builds the real-CPU oracles of the emulator tests into one temporary directory per process: the
// 64-bit lockstep tracer, the 32-bit snippet runner and the test programs (gcc -m32 -O2 -static).
// When gcc cannot build 32-bit programs here, callers get a reason to skip with instead of paths.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const ORACLE_SOURCE_DIR = path.join(REPO_ROOT, 'test', 'cpu-oracles');
export const PROGRAM_SOURCE_DIR = path.join(ORACLE_SOURCE_DIR, 'programs');

export interface NativeOracleBuilds {
  dir: string;
  tracer: string;
  snippetRunner: string;
  /** Program name (file name without .c) -> static i386 executable. */
  programs: Map<string, string>;
}

export type NativeOracleLookup = { ok: true; builds: NativeOracleBuilds } | { ok: false; reason: string };

let memo: NativeOracleLookup | undefined;

function compile(args: string[]): string | null {
  const r = spawnSync('gcc', args, { encoding: 'utf8' });
  if (r.error) return `gcc could not be run: ${r.error.message}`;
  if (r.status !== 0) return `gcc ${args.join(' ')} failed:\n${r.stderr}`;
  return null;
}

/** The names of the test programs, sorted (programs/*.c). */
export function programNames(): string[] {
  return fs.readdirSync(PROGRAM_SOURCE_DIR).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();
}

/** Builds everything once per process. */
export function buildNativeOracles(): NativeOracleLookup {
  if (memo) return memo;
  if (os.platform() !== 'linux' || os.arch() !== 'x64') {
    memo = { ok: false, reason: `the real-CPU oracles need an x86-64 Linux host (this is ${os.platform()}/${os.arch()})` };
    return memo;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-cpu-oracles-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const tracer = path.join(dir, 'lockstep-tracer');
  const snippetRunner = path.join(dir, 'snippet-runner');
  const native = path.join(ORACLE_SOURCE_DIR, 'native');
  let error = compile(['-O2', '-Wall', '-o', tracer, path.join(native, 'lockstep-tracer.c')]);
  if (error === null) error = compile(['-m32', '-O2', '-static', '-Wall', '-o', snippetRunner, path.join(native, 'snippet-runner.c')]);
  const programs = new Map<string, string>();
  for (const name of programNames()) {
    if (error !== null) break;
    const out = path.join(dir, name);
    error = compile(['-m32', '-O2', '-static', '-o', out, path.join(PROGRAM_SOURCE_DIR, `${name}.c`)]);
    programs.set(name, out);
  }
  if (error !== null) {
    const hint = 'install gcc-multilib (Debian) so that gcc -m32 -static links';
    memo = { ok: false, reason: `${error.split('\n').slice(0, 6).join('\n')}\n(${hint})` };
    return memo;
  }
  memo = { ok: true, builds: { dir, tracer, snippetRunner, programs } };
  return memo;
}

/**
 * Null when ptrace works here, else why not (containers may forbid it): the tracer starts a
 * program, reports its first state and quits.
 */
export function tracerUnavailableReason(builds: NativeOracleBuilds): string | null {
  const program = builds.programs.values().next().value;
  if (program === undefined) return 'no test program was built';
  const r = spawnSync(builds.tracer, ['--stdout', '/dev/null', program], { input: 'IQ', maxBuffer: 1 << 24 });
  if (r.error) return `the lockstep tracer could not run: ${r.error.message}`;
  if (r.stdout.length < 49 || r.stdout[0] !== 0x49) return `the lockstep tracer cannot trace here (ptrace refused?): ${r.stderr.toString().trim()}`;
  return null;
}

/** Reads a positive integer from the environment, or the default. */
export function envCount(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}
