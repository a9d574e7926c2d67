// Helpers of the CPU tests: assemble a snippet with GNU as (--32) into flat bytes, load it into a
// fresh Machine with a code page, a data page and a stack, and read flags by name.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine } from '../../server/src/cpu';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CODE = 0x00401000;
export const DATA = 0x00600000;
export const STACK_TOP = 0x00800000;

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

const assembled = new Map<string, Uint8Array>();

/** Flat machine code of an AT&T snippet, assembled and linked at CODE (as --32, ld --oformat binary). */
export function assemble(source: string): Uint8Array {
  const cached = assembled.get(source);
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-cpu-'));
  try {
    const s = path.join(dir, 'a.s');
    fs.writeFileSync(s, `.text\n${source}\n`);
    const as = spawnSync('as', ['--32', '-o', path.join(dir, 'a.o'), s], { encoding: 'utf8' });
    if (as.status !== 0) throw new Error(`as failed: ${as.stderr}`);
    // Linking at CODE resolves absolute references to labels ($1f, movb $2, target+1).
    const ld = spawnSync('ld', ['-m', 'elf_i386', '-Ttext', `0x${CODE.toString(16)}`, '-e', `0x${CODE.toString(16)}`, '--oformat', 'binary', '-o', path.join(dir, 'a.bin'), path.join(dir, 'a.o')], { encoding: 'utf8' });
    if (ld.status !== 0) throw new Error(`ld failed: ${ld.stderr}`);
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'a.bin')));
    assembled.set(source, bytes);
    return bytes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Visits before a block compiles in machines these helpers build: the Machine default, or 0 (every
 * block compiled on its first visit) when KBOOST_CPU_COMPILE_FIRST_VISIT=1, which the compiled-path
 * variant of the trap tests sets before loading them.
 */
export function blockHotVisitsForTests(): number | undefined {
  return process.env.KBOOST_CPU_COMPILE_FIRST_VISIT === '1' ? 0 : undefined;
}

/** A machine with `code` at CODE (r-x), a zeroed rw data page at DATA and a stack below STACK_TOP. */
export function machineWith(code: Uint8Array | string, registers: Record<string, number> = {}): Machine {
  const bytes = typeof code === 'string' ? assemble(code) : code;
  const m = new Machine({ blockHotVisits: blockHotVisitsForTests() });
  m.memory.map(CODE, Math.max(bytes.length, 1) + 16, 'rx');
  m.memory.writeBytes(CODE, bytes);
  m.memory.map(DATA, 0x2000, 'rw');
  m.memory.map(STACK_TOP - 0x4000, 0x4000, 'rw');
  m.setRegisters({ eip: CODE, esp: STACK_TOP - 0x100, eflags: 0x202, ...registers });
  return m;
}

/** Runs until hlt (appended by the caller's snippet) and returns the machine. */
export function runToHalt(m: Machine, limit = 100000): Machine {
  const r = m.run(limit);
  if (r.stop.kind !== 'halt') throw new Error(`expected hlt, got ${JSON.stringify(r.stop)}`);
  return m;
}
