// Runs snippet cases on both sides and compares them: natively in one snippet-runner process per
// batch (native/snippet-runner.c), and in one reused emulator Machine with the same two pages
// mapped. Registers, EIP, EFLAGS (minus the entry's undefined flags) and the scratch bytes must
// agree, and a case that faults natively must raise the matching exception in the emulator.

import { spawnSync } from 'node:child_process';
import { Machine } from '../../server/src/cpu';
import { CODE_ADDRESS, DATA_PAGE, SCRATCH_ADDRESS, SCRATCH_SIZE, type SnippetCase, type SnippetForm } from './opcode-form-snippets';

export interface SnippetOutcome {
  /** 0, or the signal the native run ended with. */
  signal: number;
  /** eax ecx edx ebx esp ebp esi edi eflags eip */
  regs: Uint32Array;
  scratch: Uint8Array;
  /** Emulator only: the exception vector it stopped with, or -1. */
  vector: number;
  note: string;
}

const REPLY_SIZE = 1 + 40 + SCRATCH_SIZE;

export function runNative(runner: string, cases: SnippetCase[]): SnippetOutcome[] | { error: string } {
  let size = 0;
  for (const c of cases) size += 1 + c.code.length + 36 + SCRATCH_SIZE;
  const input = Buffer.alloc(size);
  let at = 0;
  for (const c of cases) {
    input[at++] = c.code.length;
    input.set(c.code, at);
    at += c.code.length;
    for (let k = 0; k < 8; k++, at += 4) input.writeUInt32LE(c.regs[k]!, at);
    input.writeUInt32LE(c.eflags >>> 0, at);
    at += 4;
    input.set(c.scratch, at);
    at += SCRATCH_SIZE;
  }
  const r = spawnSync(runner, [], { input, maxBuffer: REPLY_SIZE * cases.length + 1024 });
  if (r.error) return { error: `snippet runner: ${r.error.message}` };
  const out = r.stdout;
  if (out.length !== REPLY_SIZE * cases.length) return { error: `snippet runner answered ${out.length} bytes for ${cases.length} cases: ${r.stderr}` };
  const outcomes: SnippetOutcome[] = [];
  for (let i = 0; i < cases.length; i++) {
    const base = i * REPLY_SIZE;
    const regs = new Uint32Array(10);
    for (let k = 0; k < 10; k++) regs[k] = out.readUInt32LE(base + 1 + 4 * k);
    outcomes.push({ signal: out[base]!, regs, scratch: new Uint8Array(out.subarray(base + 41, base + REPLY_SIZE)), vector: -1, note: '' });
  }
  return outcomes;
}

/** One machine for every case: the two pages stay mapped, each case rewrites what it uses. */
export class EmulatorSnippetRunner {
  readonly machine = new Machine();
  private readonly padding = new Uint8Array(16).fill(0xcc);

  constructor() {
    // The selectors of the native runner, a 32-bit process on x86-64 Linux: CPL 3 (lar/lsl/verr/verw check it).
    this.machine.segments.set([0x2b, 0x23, 0x2b, 0x2b, 0, 0]);
    this.machine.memory.map(CODE_ADDRESS, 4096, 'rwx');
    this.machine.memory.map(DATA_PAGE, 4096, 'rw');
  }

  run(c: SnippetCase): SnippetOutcome {
    const m = this.machine;
    m.memory.writeBytes(CODE_ADDRESS, c.code);
    m.memory.writeBytes(CODE_ADDRESS + c.code.length, this.padding);
    m.memory.writeBytes(SCRATCH_ADDRESS, c.scratch);
    const r = c.regs;
    m.setRegisters({
      eax: r[0]!, ecx: r[1]!, edx: r[2]!, ebx: r[3]!, esp: r[4]!, ebp: r[5]!, esi: r[6]!, edi: r[7]!, eip: CODE_ADDRESS, eflags: c.eflags,
    });
    m.hostBreakpoints.clear();
    m.hostBreakpoints.add(CODE_ADDRESS + c.code.length);
    let vector = -1;
    let note = '';
    let eip = 0;
    try {
      const result = m.run(64);
      if (result.stop.kind === 'exception') {
        vector = result.stop.exception.vector;
        eip = result.stop.exception.eip;
        note = result.stop.exception.message;
      } else if (result.stop.kind === 'breakpoint') eip = m.eip;
      else {
        note = `stopped: ${result.stop.kind}`;
        eip = m.eip;
      }
    } catch (error) {
      note = `the emulator threw: ${error instanceof Error ? error.message : String(error)}`;
      vector = -2;
    }
    const g = m.getRegisters();
    const regs = Uint32Array.of(g.eax, g.ecx, g.edx, g.ebx, g.esp, g.ebp, g.esi, g.edi, g.eflags, eip);
    const s = m.memory.readBytes(SCRATCH_ADDRESS, SCRATCH_SIZE);
    return { signal: 0, regs, scratch: s instanceof Uint8Array ? s : new Uint8Array(SCRATCH_SIZE), vector, note };
  }
}

/** The exception vectors each native signal stands for. */
const SIGNAL_VECTORS: Record<number, number[]> = {
  4: [6], // SIGILL: #UD
  5: [1, 3], // SIGTRAP: #DB, #BP
  7: [17], // SIGBUS: #AC
  8: [0], // SIGFPE: #DE
  11: [13, 14, 5, 4], // SIGSEGV: #GP, #PF, #BR, #OF
};
const SIGNAL_NAMES: Record<number, string> = { 4: 'SIGILL', 5: 'SIGTRAP', 7: 'SIGBUS', 8: 'SIGFPE', 11: 'SIGSEGV' };
const NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eflags', 'eip'];
const COMPARED_FLAGS = 0x8d5 | 0x400;

/** Null when both sides agree, else what differs. */
export function compareOutcomes(form: SnippetForm, native: SnippetOutcome, emulated: SnippetOutcome): string | null {
  const diffs: string[] = [];
  if (native.signal !== 0 || emulated.vector !== -1) {
    const expected = SIGNAL_VECTORS[native.signal] ?? [];
    if (native.signal === 0) diffs.push(`the emulator raised vector ${emulated.vector} (${emulated.note}) but the real CPU did not fault`);
    else if (!expected.includes(emulated.vector)) diffs.push(`the real CPU faulted (${SIGNAL_NAMES[native.signal] ?? native.signal}) but the emulator ${emulated.vector === -1 ? 'did not' : `raised vector ${emulated.vector} (${emulated.note})`}`);
  }
  const flagMask = COMPARED_FLAGS & ~form.entry.flagsUndefined;
  for (let k = 0; k < 10; k++) {
    const a = native.regs[k]!, b = emulated.regs[k]!;
    const differs = k === 8 ? ((a ^ b) & flagMask) !== 0 : a !== b;
    if (differs) diffs.push(`${NAMES[k]} native ${hex(k === 8 ? a & flagMask : a)} emulator ${hex(k === 8 ? b & flagMask : b)}`);
  }
  for (let i = 0; i < SCRATCH_SIZE; i++) {
    if (native.scratch[i] !== emulated.scratch[i]) {
      diffs.push(`scratch+${i} (${hex(SCRATCH_ADDRESS + i)}) native ${native.scratch[i]!.toString(16)} emulator ${emulated.scratch[i]!.toString(16)}`);
      break;
    }
  }
  return diffs.length ? diffs.join('; ') : null;
}

export function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

export function describeCase(c: SnippetCase): string {
  const code = Array.from(c.code, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const regs = NAMES.slice(0, 8).map((n, k) => `${n}=${hex(c.regs[k]!)}`).join(' ');
  return `bytes ${code}; ${regs} eflags=${hex(c.eflags)}`;
}
