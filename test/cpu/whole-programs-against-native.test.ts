// Whole programs: each C source under programs/ is built with `gcc -m32 -static -O2`, run natively
// and on the emulator (through loadStaticElf and the Linux int $0x80 layer), and the outputs and
// exit statuses must be identical. Prints instruction counts and emulated MIPS as diagnostics.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadStaticElf } from '../../server/src/cpu';

const PROGRAMS = path.join(__dirname, 'programs');
const ARGS = ['first-argument', 'second'];

function gccM32Works(dir: string): boolean {
  const probe = path.join(dir, 'probe.c');
  fs.writeFileSync(probe, 'int main(void) { return 0; }\n');
  return spawnSync('gcc', ['-m32', '-static', '-O2', probe, '-o', path.join(dir, 'probe')]).status === 0;
}

function emulate(binary: string, args: string[]): { stdout: string; status: number | null; instructions: number; seconds: number; error: string | null } {
  const chunks: Uint8Array[] = [];
  const loaded = loadStaticElf(new Uint8Array(fs.readFileSync(binary)), [binary, ...args], ['LANG=C'], {
    stdout: (b) => chunks.push(b.slice()),
    stderr: (b) => chunks.push(b.slice()),
  });
  if ('error' in loaded) return { stdout: '', status: null, instructions: 0, seconds: 0, error: loaded.error };
  const { machine, linux } = loaded;
  const started = process.hrtime.bigint();
  let error: string | null = null;
  for (;;) {
    const r = machine.run(50_000_000);
    if (r.stop.kind === 'limit') continue;
    if (linux.exitStatus === null) error = JSON.stringify(r.stop);
    break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { stdout: Buffer.concat(chunks).toString('latin1'), status: linux.exitStatus, instructions: machine.instructionCount, seconds, error };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-cpu-programs-'));
const skip = gccM32Works(dir) ? false : 'gcc -m32 -static does not work here (apt-get install gcc-multilib)';
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

for (const source of fs.readdirSync(PROGRAMS).filter((f) => f.endsWith('.c')).sort()) {
  test(`${source}: emulator output equals native output`, { skip }, (t) => {
    const binary = path.join(dir, source.replace(/\.c$/, ''));
    const built = spawnSync('gcc', ['-m32', '-static', '-O2', path.join(PROGRAMS, source), '-o', binary], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const native = spawnSync(binary, ARGS, { encoding: 'latin1' });
    const emulated = emulate(binary, ARGS);
    assert.equal(emulated.error, null, `emulation stopped: ${emulated.error}`);
    assert.equal(emulated.stdout, native.stdout + native.stderr);
    assert.equal(emulated.status, native.status);
    t.diagnostic(`${emulated.instructions} instructions, ${(emulated.instructions / emulated.seconds / 1e6).toFixed(1)} MIPS`);
  });
}
