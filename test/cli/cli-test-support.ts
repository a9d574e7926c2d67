// Helpers of the CLI tests: run `kboost` in-process or as a real process, check which oracle
// tools the machine has, and compare an objdump listing with ours line by line, separating the
// layout (addresses, bytes, labels, `...`) from the instruction text column.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryIo } from '../../server/src/cli/cli-io';
import { runKboost } from '../../server/src/cli/kboost-main';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The Debian kernel's data in the shared data folder: ../shared/data, or KBOOST_SHARED_DATA (a worktree has no ../shared). */
export const SHARED_DATA_DIR = path.join(process.env.KBOOST_SHARED_DATA ?? path.resolve(REPO_ROOT, '..', 'shared', 'data'), 'debian-6.1.0-50-686');
export const KALLSYMS = path.join(SHARED_DATA_DIR, 'kallsyms.txt.gz');
const MAIN = path.join(REPO_ROOT, 'server', 'src', 'cli', 'kboost-main.ts');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kboost in this process (fast; same code path as the binary). */
export async function runCli(argv: string[]): Promise<CliRun> {
  const io = memoryIo();
  const code = await runKboost(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** Runs kboost as a separate node process, for the real exit status and streams. */
export function runCliProcess(argv: string[]): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...argv], {
    cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 28,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, cwd: options.cwd });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Like run, for commands that print binary data. */
export function runBytes(command: string, args: string[]): Buffer {
  const r = spawnSync(command, args, { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr?.toString() || r.error?.message}`);
  return r.stdout;
}

export function makeTempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Why `gcc -m32 -c` cannot build a header-free C file here, or null when it can. */
export function gccM32Problem(dir: string): string | null {
  if (!hasCommand('gcc')) return 'gcc is not installed';
  const src = path.join(dir, 'probe.c');
  fs.writeFileSync(src, 'int probe(int x) { return x + 1; }\n');
  const r = spawnSync('gcc', ['-m32', '-O2', '-c', src, '-o', path.join(dir, 'probe.o')], { encoding: 'utf8' });
  return r.status === 0 ? null : `gcc -m32 cannot compile (install gcc-multilib): ${r.stderr.trim().split('\n')[0]}`;
}

/** An instruction line `addr:\tbytes\ttext` taken apart; null for other lines. */
function splitInstructionLine(line: string): { layout: string; text: string } | null {
  const m = /^( *[0-9a-f]+:\t(?:[0-9a-f]{2} )+ *\t)(.*)$/.exec(line);
  return m === null ? null : { layout: m[1]!, text: m[2]! };
}

export interface ListingComparison {
  lines: number;
  /** Lines differing in anything but the instruction text column (must be none). */
  layoutDifferences: string[];
  instructions: number;
  sameText: number;
  textDifferences: string[];
}

/**
 * Compares objdump's listing with ours. The first `skipHeaderLines` lines (the file name line)
 * may differ when the two tools were given different paths.
 */
export function compareListings(expected: string, actual: string, skipHeaderLines = 0): ListingComparison {
  const a = expected.split('\n').slice(skipHeaderLines);
  const b = actual.split('\n').slice(skipHeaderLines);
  const result: ListingComparison = { lines: a.length, layoutDifferences: [], instructions: 0, sameText: 0, textDifferences: [] };
  if (a.length !== b.length) result.layoutDifferences.push(`line counts differ: objdump ${a.length}, kboost ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = splitInstructionLine(a[i]!);
    const y = splitInstructionLine(b[i]!);
    if (x !== null && y !== null && x.layout === y.layout) {
      result.instructions++;
      if (x.text === y.text) result.sameText++;
      else result.textDifferences.push(`${x.layout.trim()}  objdump: ${x.text}  kboost: ${y.text}`);
    } else if (a[i] !== b[i]) {
      result.layoutDifferences.push(`line ${i + 1 + skipHeaderLines}:\n  objdump: ${JSON.stringify(a[i])}\n  kboost:  ${JSON.stringify(b[i])}`);
      if (result.layoutDifferences.length > 20) break;
    }
  }
  return result;
}

/** A one-line summary for t.diagnostic. */
export function describeComparison(what: string, c: ListingComparison): string {
  const pct = c.instructions === 0 ? 100 : (100 * c.sameText) / c.instructions;
  return `${what}: ${c.lines} lines, layout differences ${c.layoutDifferences.length}, instruction text ${c.sameText}/${c.instructions} (${pct.toFixed(2)}%) identical`;
}
