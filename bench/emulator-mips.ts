// Emulator speed on CPU-bound gcc -m32 -O2 -static programs (crc32, sha256, qsort, ...): emulated
// instructions per CPU second of the run loop, with the block compiler (the default) and with the
// interpreter alone, and with the block compiler on a run 5x as long (less of V8's warm-up), beside
// the same program natively and under qemu-i386 in the same run. valgrind --tool=callgrind counts
// the instructions the real program executes, the reference for "instructions" (our own count is
// shown beside it). Writes a Markdown table to stdout and to bench/results/emulator-mips.md, and
// the figures to bench/results/emulator-mips.json.
// Run: npm run bench:cpu   (esbuild bundle, as users run it; ROUNDS=3 by default, best kept)

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildNativeOracles } from '../test/cpu-oracles/native-oracle-builds';
import { qemuAvailable, runInEmulator, runNatively, runUnderQemu } from '../test/cpu-oracles/run-program-three-ways';

/** The programs and the arguments that make each run a few tens of millions of instructions. */
const PROGRAMS: Array<{ name: string; args: string[] }> = [
  { name: 'crc32-table', args: ['150'] },
  { name: 'sha256-blocks', args: ['600'] },
  { name: 'qsort-integers', args: ['150000'] },
  { name: 'fnv-and-murmur-hashes', args: ['20000'] },
  { name: 'matrix-multiply-integers', args: ['40'] },
];

const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 3) || 3);
// npm runs the bundle from the repository root.
const RESULTS_DIR = path.resolve('bench', 'results');

interface Row {
  program: string;
  args: string[];
  callgrindInstructions: number | null;
  emulatedInstructions: number;
  emulatorSeconds: number;
  emulatorMips: number;
  /** The program's first run in the process, before any of its blocks are shared from a previous run. */
  firstRunMips: number;
  interpreterMips: number;
  longRunArgs: string[];
  longRunMips: number;
  nativeSeconds: number;
  qemuSeconds: number | null;
  sameOutput: boolean;
}

function callgrindCount(program: string, args: string[]): number | null {
  const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', program, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) return null;
  const m = /Collected : (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : null;
}

function best<T extends { seconds: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

function bestCpu<T extends { cpuSeconds: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.cpuSeconds < a.cpuSeconds ? b : a));
}

function main(): void {
  const lookup = buildNativeOracles();
  if (!lookup.ok) {
    console.log(`bench:cpu skipped: ${lookup.reason}`);
    return;
  }
  const qemu = qemuAvailable();
  const rows: Row[] = [];
  for (const { name, args } of PROGRAMS) {
    const program = lookup.builds.programs.get(name);
    if (!program) continue;
    const native = best(Array.from({ length: ROUNDS }, () => runNatively(program, args)));
    const q = qemu ? best(Array.from({ length: ROUNDS }, () => runUnderQemu(program, args))) : null;
    const runs = Array.from({ length: ROUNDS }, () => runInEmulator(program, args));
    const first = runs[0]!;
    const emulated = bestCpu(runs);
    if (emulated.error) console.error(`${name}: the emulator stopped: ${emulated.error}`);
    const interpreted = bestCpu(Array.from({ length: ROUNDS }, () => runInEmulator(program, args, undefined, false)));
    const longRunArgs = [String(Number(args[0]) * 5), ...args.slice(1)];
    const longRun = bestCpu(Array.from({ length: ROUNDS }, () => runInEmulator(program, longRunArgs)));
    const row: Row = {
      program: name, args, callgrindInstructions: callgrindCount(program, args),
      emulatedInstructions: emulated.instructions, emulatorSeconds: emulated.cpuSeconds,
      emulatorMips: emulated.instructions / emulated.cpuSeconds / 1e6,
      firstRunMips: first.instructions / first.cpuSeconds / 1e6,
      interpreterMips: interpreted.instructions / interpreted.cpuSeconds / 1e6,
      longRunArgs, longRunMips: longRun.instructions / longRun.cpuSeconds / 1e6,
      nativeSeconds: native.seconds,
      qemuSeconds: q ? q.seconds : null,
      sameOutput: emulated.stdout === native.stdout && interpreted.stdout === native.stdout && (q === null || q.stdout === native.stdout),
    };
    rows.push(row);
    console.error(`${name}: ${row.emulatorMips.toFixed(1)} MIPS`);
  }
  const fmt = (v: number | null, digits = 3) => (v === null ? 'n/a' : v.toFixed(digits));
  const lines = [
    `Emulator speed, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, best of ${ROUNDS}`,
    '',
    '| program (args) | instructions (callgrind) | instructions (emulator) | emulator CPU s | emulator MIPS | first run MIPS | interpreter alone MIPS | emulator MIPS, 5x args | native s | native MIPS | qemu-i386 s | qemu MIPS | emulator / qemu time | same output |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
    ...rows.map((r) => {
      const count = r.callgrindInstructions ?? r.emulatedInstructions;
      const mips = (seconds: number | null) => (seconds ? fmt(count / seconds / 1e6, 0) : 'n/a');
      return `| ${r.program} ${r.args.join(' ')} | ${r.callgrindInstructions ?? 'n/a'} | ${r.emulatedInstructions} | ${fmt(r.emulatorSeconds)} | ${fmt(r.emulatorMips, 1)} | ${fmt(r.firstRunMips, 1)} | ${fmt(r.interpreterMips, 1)} | ${fmt(r.longRunMips, 1)} | ${fmt(r.nativeSeconds)} | ${mips(r.nativeSeconds)} | ${fmt(r.qemuSeconds)} | ${mips(r.qemuSeconds)} | ${r.qemuSeconds ? `${(r.emulatorSeconds / r.qemuSeconds).toFixed(1)}x` : 'n/a'} | ${r.sameOutput ? 'yes' : 'NO'} |`;
    }),
    '',
    'Emulator MIPS = emulated instructions / CPU seconds of the run loop (loading the ELF is outside; V8\'s compiler',
    'threads count). Compiled blocks are shared by the runs of one process: "first run" is the cold run, before any',
    'block is reused. "Interpreter alone" turns the block compiler off; "5x args" runs the program 5 times as long.',
    'Native and qemu-i386 times are whole-process wall times, start-up included; their MIPS divide the callgrind',
    'count by them, so they understate short runs. callgrind counts the host program, whose',
    'glibc may pick other string functions than under our emulator (a different cpuid), so the counts differ a little.',
  ];
  const table = lines.join('\n');
  console.log(table);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'emulator-mips.md'), table + '\n');
  fs.writeFileSync(path.join(RESULTS_DIR, 'emulator-mips.json'), JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? null, rounds: ROUNDS, rows,
  }, null, 2) + '\n');
}

main();
