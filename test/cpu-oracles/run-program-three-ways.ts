// Runs one static i386 program three ways: natively on the host CPU, under qemu-i386 and in our
// emulator (loadStaticElf + run), and returns what each printed and its exit status, with the
// emulator's instruction count and time for the benchmark.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { loadStaticElf } from '../../server/src/cpu';

export interface ProgramRun {
  stdout: string;
  status: number | null;
  seconds: number;
  error: string | null;
}

export interface EmulatedRun extends ProgramRun {
  instructions: number;
  /** CPU seconds of this process during the run loop (all threads, V8's compiler threads too). */
  cpuSeconds: number;
}

function timed(command: string, args: string[]): ProgramRun {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', env: { LC_ALL: 'C' }, maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { stdout: r.stdout ?? '', status: r.status, seconds, error: r.error ? r.error.message : r.status === 0 ? null : r.stderr };
}

export function runNatively(program: string, args: string[]): ProgramRun {
  return timed(program, args);
}

/** Null when qemu-i386 is not installed. */
export function qemuAvailable(): boolean {
  return !spawnSync('qemu-i386', ['-version'], { encoding: 'utf8' }).error;
}

export function runUnderQemu(program: string, args: string[]): ProgramRun {
  return timed('qemu-i386', [program, ...args]);
}

/** compileBlocks: false runs the interpreter alone (the block compiler's reference). */
export function runInEmulator(program: string, args: string[], limit = 5_000_000_000, compileBlocks = true): EmulatedRun {
  const chunks: Uint8Array[] = [];
  const loaded = loadStaticElf(new Uint8Array(fs.readFileSync(program)), [program, ...args], ['LC_ALL=C'], {
    stdout: (b) => chunks.push(b.slice()),
  });
  if ('error' in loaded) return { stdout: '', status: null, seconds: 0, error: loaded.error, instructions: 0, cpuSeconds: 0 };
  const { machine, linux } = loaded;
  machine.compileBlocks = compileBlocks;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let error: string | null = null;
  while (machine.instructionCount < limit) {
    const r = machine.run(Math.min(100_000_000, limit - machine.instructionCount));
    if (r.stop.kind === 'limit') continue;
    if (linux.exitStatus === null) {
      error = r.stop.kind === 'exception' ? r.stop.exception.message : `stopped: ${r.stop.kind}`;
    }
    break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return {
    stdout: Buffer.concat(chunks).toString('utf8'), status: linux.exitStatus, seconds, error, instructions: machine.instructionCount,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
