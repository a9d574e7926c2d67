// `npm run bench:kprobes`: (1) the modelled cost of a probe hit (plain, boosted and optimized
// kprobe; kretprobe with and without the booster) beside the published figures of
// kprobes-reference.md §5, with the ratios; (2) `kboost analyze` throughput: every function of
// Debian's i386 vmlinux given verdicts, per profile, through the command itself (output discarded),
// with the kallsyms and kprobes blacklist of ../shared/data (KBOOST_SHARED_DATA names another
// shared data folder, as for the tests). Writes bench/results/kprobes.json and prints markdown tables.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kprobeHitCost, kretprobeReturnCost, REFERENCE_CPU } from '../server/src/kprobes';
import { runAnalyze } from '../server/src/cli/command-analyze';
import type { CliIo } from '../server/src/cli/cli-io';

const ROOT = path.resolve(__dirname, '..', '..');
const REPO = fs.existsSync(path.join(ROOT, 'package.json')) ? ROOT : path.resolve(__dirname, '..');
const VMLINUX = path.join(REPO, '.cache', 'debian-6.1.0-50-686', 'vmlinux');
const DATA = path.join(process.env.KBOOST_SHARED_DATA ?? path.resolve(REPO, '..', 'shared', 'data'), 'debian-6.1.0-50-686');
const ROUNDS = Number(process.env.ROUNDS ?? 3);

// ---- 1. the overhead model beside the published figures ----

const plain = kprobeHitCost('linux-2.6.18', 'single-stepped');
const boosted = kprobeHitCost('linux-2.6.18', 'boosted');
const optimized = kprobeHitCost('linux-6.1', 'optimized');
const kretPlain = plain.nanoseconds + kretprobeReturnCost(false).nanoseconds;
const kretBoosted = boosted.nanoseconds + kretprobeReturnCost(true).nanoseconds;
const kretOptimized = optimized.nanoseconds + kretprobeReturnCost(true).nanoseconds;

/** kprobes-reference.md §5: the seed author's P4 3.06 GHz numbers and the kernel docs' Xeon E5410. */
const rows = [
  { what: 'kprobe, single-stepped (plain)', model: plain.nanoseconds, seed: 1270, xeon: 800 },
  { what: 'kprobe, boosted', model: boosted.nanoseconds, seed: 573, xeon: 330 },
  { what: 'kprobe, optimized (6.1 optprobe)', model: optimized.nanoseconds, seed: null, xeon: 50 },
  { what: 'kretprobe, no booster', model: kretPlain, seed: 1981, xeon: 1100 },
  { what: 'kretprobe, both boosters', model: kretBoosted, seed: 918, xeon: 610 },
  { what: 'kretprobe, optimized entry + booster', model: kretOptimized, seed: null, xeon: 330 },
];
const ratios = [
  { what: 'boosted / plain kprobe', model: boosted.nanoseconds / plain.nanoseconds, seed: 573 / 1270, xeon: 0.33 / 0.8 },
  { what: 'kretprobe both boosters / none', model: kretBoosted / kretPlain, seed: 918 / 1981, xeon: 0.61 / 1.1 },
  { what: 'optimized / plain kprobe', model: optimized.nanoseconds / plain.nanoseconds, seed: null, xeon: 0.05 / 0.8 },
];

const cell = (v: number | null, digits = 0) => (v === null ? '—' : v.toFixed(digits));
const lines: string[] = [];
lines.push(`Modelled hit cost (${REFERENCE_CPU.name}) beside the published figures`, '');
lines.push('| hit | model (ns) | seed author, P4 3.06 GHz (ns) | kernel docs, Xeon E5410 (ns) |', '|---|---|---|---|');
for (const r of rows) lines.push(`| ${r.what} | ${cell(r.model)} | ${cell(r.seed)} | ${cell(r.xeon)} |`);
lines.push('', '| ratio | model | seed author | kernel docs (Xeon) | model / published |', '|---|---|---|---|---|');
for (const r of ratios) {
  const against = [r.seed, r.xeon].filter((x): x is number => x !== null).map((x) => `${((r.model / x - 1) * 100).toFixed(0)} %`);
  lines.push(`| ${r.what} | ${r.model.toFixed(3)} | ${cell(r.seed, 3)} | ${r.xeon.toFixed(3)} | ${against.join(', ')} |`);
}
console.log(lines.join('\n'));

// ---- 2. kboost analyze over the whole kernel ----

interface AnalyzeRow { profile: string; args: string[]; functions: number; instructions: number; bestSeconds: number; medianSeconds: number; cpuSeconds: number }
const analyzeRows: AnalyzeRow[] = [];

async function timeAnalyze(label: string, extra: string[]): Promise<void> {
  const args = [VMLINUX, '--summary', '--system-map', path.join(DATA, 'kallsyms.txt.gz'), '--blacklist', path.join(DATA, 'kprobes_blacklist.txt'), ...extra];
  const walls: number[] = [];
  let cpu = Infinity;
  let functions = 0;
  let instructions = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    let summary = '';
    const io: CliIo = { out: (t) => { summary = t; functions++; instructions += Number(/\/(\d+) boosted/.exec(t)?.[1] ?? 0); }, err: (t) => process.stderr.write(t), flush: () => {} };
    functions = 0;
    instructions = 0;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const code = await runAnalyze(args, io);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    if (code !== 0) throw new Error(`kboost analyze exited ${code} (${summary})`);
    if (round === 0) continue; // warm-up: memoized verdicts and compiled code
    walls.push(wall);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  walls.sort((a, b) => a - b);
  analyzeRows.push({ profile: label, args: extra, functions, instructions, bestSeconds: walls[0]!, medianSeconds: walls[Math.floor(walls.length / 2)]!, cpuSeconds: cpu });
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', overhead: { rows, ratios } };
  if (!fs.existsSync(VMLINUX) || !fs.existsSync(path.join(DATA, 'kallsyms.txt.gz'))) {
    console.log(`\nkboost analyze throughput: skipped (needs ${path.relative(REPO, VMLINUX)}: scripts/fetch-debian-kernel.sh, and the shared data folder ${path.relative(REPO, DATA)})`);
  } else {
    await timeAnalyze('linux-6.1 (Debian: PREEMPTION=y, OPTPROBES=y)', []);
    await timeAnalyze('linux-6.1 PREEMPTION=n', ['--preemption', 'off']);
    await timeAnalyze('linux-2.6.18', ['--profile', 'linux-2.6.18']);
    await timeAnalyze('rfc-2.6.15', ['--profile', 'rfc-2.6.15']);
    const out = ['', `kboost analyze --summary on the whole vmlinux (best / median of ${ROUNDS} after a warm-up; load, symbols, tables and verdicts)`, '',
      '| profile | functions | instructions | best (s) | median (s) | CPU (s) | instructions/s |', '|---|---|---|---|---|---|---|'];
    for (const r of analyzeRows) out.push(`| ${r.profile} | ${r.functions} | ${r.instructions} | ${r.bestSeconds.toFixed(2)} | ${r.medianSeconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${(r.instructions / r.medianSeconds / 1e6).toFixed(2)} M |`);
    console.log(out.join('\n'));
    results.analyze = analyzeRows;
  }
  fs.mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(REPO, 'bench', 'results', 'kprobes.json'), JSON.stringify(results, null, 2) + '\n');
}

void main();
