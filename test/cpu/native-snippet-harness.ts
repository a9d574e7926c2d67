// A differential harness for instruction snippets: one tiny static i386 program (no libc) per
// batch runs every (snippet, state) case in turn: it loads the registers, EFLAGS and a 64-byte
// data area of the state, runs the snippet, and writes the registers, EFLAGS and data area to
// stdout. The same ELF runs natively and on the emulator, and the tests compare the dumps.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadStaticElf } from '../../server/src/cpu';
import { decode } from '../../server/src/isa';

export interface SnippetState {
  eax: number; ecx: number; edx: number; ebx: number; ebp: number; esi: number; edi: number;
  /** Only the status flags and DF are taken from here. */
  eflags: number;
  data: number[];
}

export interface SnippetCase {
  snippet: string;
  state: SnippetState;
}

export interface SnippetDump {
  /** eax ecx edx ebx, ESP minus its value before the snippet, ebp esi edi, eflags. */
  registers: number[];
  data: number[];
}

const REGISTER_ORDER = ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi'] as const;
const DUMP_SIZE = 36 + 64;

function caseSource(c: SnippetCase, k: number): string {
  const setup = REGISTER_ORDER.map((r) => `  movl $0x${(c.state[r] >>> 0).toString(16)}, %${r}`).join('\n');
  return `
case_${k}:
  mov stack0, %esp
  mov $initial_${k}, %esi
  mov $data, %edi
  mov $16, %ecx
  cld
  rep movsl
  fninit
  pushl $0x${((c.state.eflags & 0xcd5) | 0x202).toString(16)}
  popf
${setup}
snippet_start_${k}:
${c.snippet}
snippet_end_${k}:
  # ESP is reported relative to its value before the snippet (the native stack is randomised).
  pushf
  push %eax
  lea 8(%esp), %eax
  sub stack0, %eax
  mov %eax, esp_delta
  pop %eax
  popf
  pushf
  push %edi
  push %esi
  push %ebp
  pushl esp_delta
  push %ebx
  push %edx
  push %ecx
  push %eax
  mov $4, %eax
  mov $1, %ebx
  mov %esp, %ecx
  mov $36, %edx
  int $0x80
  mov $4, %eax
  mov $1, %ebx
  mov $data, %ecx
  mov $64, %edx
  int $0x80
`;
}

export function harnessSource(cases: SnippetCase[]): string {
  const initial = cases.map((c, k) => `initial_${k}: .byte ${Array.from({ length: 64 }, (_, j) => c.state.data[j] ?? 0).join(',')}`);
  return `
.globl _start
.text
_start:
  sub $256, %esp
  mov %esp, stack0
${cases.map(caseSource).join('\n')}
  mov $1, %eax
  xor %ebx, %ebx
  int $0x80
.data
stack0: .long 0
esp_delta: .long 0
.balign 16
data: .fill 128, 1, 0
${initial.join('\n')}
`;
}

/** Builds the harness ELF; returns its path, or the assembler's message. */
export function buildHarness(dir: string, name: string, cases: SnippetCase[]): string | { error: string } {
  return buildStaticProgram(dir, name, harnessSource(cases));
}

/** Assembles and links a static i386 program without libc; returns its path, or the tools' message. */
export function buildStaticProgram(dir: string, name: string, source: string): string | { error: string } {
  const s = path.join(dir, `${name}.s`);
  const o = path.join(dir, `${name}.o`);
  const exe = path.join(dir, name);
  fs.writeFileSync(s, source);
  const as = spawnSync('as', ['--32', '-o', o, s], { encoding: 'utf8' });
  if (as.status !== 0) return { error: as.stderr };
  const ld = spawnSync('ld', ['-m', 'elf_i386', '-static', '-o', exe, o], { encoding: 'utf8' });
  if (ld.status !== 0) return { error: ld.stderr };
  return exe;
}

function parseDumps(bytes: Uint8Array): SnippetDump[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dumps: SnippetDump[] = [];
  for (let at = 0; at + DUMP_SIZE <= bytes.length; at += DUMP_SIZE) {
    dumps.push({
      registers: Array.from({ length: 9 }, (_, k) => view.getUint32(at + 4 * k, true)),
      data: Array.from(bytes.subarray(at + 36, at + DUMP_SIZE)),
    });
  }
  return dumps;
}

export function runNative(exe: string): SnippetDump[] | { error: string } {
  const r = spawnSync(exe, [], { maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: `native run ended with status ${r.status} signal ${r.signal}` };
  return parseDumps(new Uint8Array(r.stdout));
}

export function runEmulated(exe: string): SnippetDump[] | { error: string } {
  const chunks: Buffer[] = [];
  const loaded = loadStaticElf(new Uint8Array(fs.readFileSync(exe)), [exe], [], { stdout: (b) => chunks.push(Buffer.from(b)) });
  if ('error' in loaded) return loaded;
  const r = loaded.machine.run(10_000_000);
  if (loaded.linux.exitStatus !== 0) return { error: `emulation stopped: ${JSON.stringify(r.stop)}` };
  return parseDumps(new Uint8Array(Buffer.concat(chunks)));
}

/** Builds the harness and runs it natively and on the emulator: the dumps of both, or what failed. */
export function runHarnessBothWays(dir: string, name: string, cases: SnippetCase[]): { exe: string; native: SnippetDump[]; emulated: SnippetDump[] } | { error: string } {
  const exe = buildHarness(dir, name, cases);
  if (typeof exe !== 'string') return exe;
  const native = runNative(exe);
  if ('error' in native) return native;
  const emulated = runEmulated(exe);
  if ('error' in emulated) return emulated;
  return { exe, native, emulated };
}

/** Per case, the OR of the flagsUndefined masks of every instruction of its snippet. */
export function undefinedFlagsOf(exe: string, count: number): number[] {
  const bytes = new Uint8Array(fs.readFileSync(exe));
  const symbols = new Map<string, number>();
  for (const line of spawnSync('nm', [exe], { encoding: 'utf8' }).stdout.split('\n')) {
    const [value, , name] = line.split(' ');
    if (name) symbols.set(name, parseInt(value!, 16));
  }
  return Array.from({ length: count }, (_, k) => {
    let mask = 0;
    const end = symbols.get(`snippet_end_${k}`)!;
    // ld's default layout maps file offset 0 at 0x08048000.
    for (let a = symbols.get(`snippet_start_${k}`)!; a < end;) {
      const d = decode(bytes, a - 0x08048000, a);
      if (!d.valid) break;
      mask |= d.entry!.flagsUndefined;
      a += d.length;
    }
    return mask;
  });
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-snippets-'));
}

/** A small seeded generator (xorshift32) for reproducible random states. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}
