// Many short runs on one Machine: a new Machine allocates its whole page table (milliseconds),
// which would dominate 10,000 programs x 6 runs. Between runs, every page the previous run
// mapped (program sections, stack, the engine's slot and detour pages) gets a one-byte write
// through writeBytes (the path that drops decoded code there) and is unmapped; then the program
// is mapped and written again. Only the public Machine API is used.

import { Machine, loadImage, PAGE_SIZE, type LoadedImage } from '../../../server/src/cpu';
import type { Image } from '../../../server/src/asm/assembled-image';
import { decode } from '../../../server/src/isa';

export const STACK_BASE = 0x00200000;
export const STACK_SIZE = 0x4000;
/** The engine's default slot page and the optprobe detour page after it. */
const ENGINE_PAGES = { address: 0x7ff00000, size: 2 * PAGE_SIZE };

const ZERO_BYTE = new Uint8Array(1);

export interface ProgramLayout {
  loaded: LoadedImage;
  /** Each allocated section: address, permissions and loaded (relocated) bytes. */
  sections: Array<{ name: string; address: number; perms: string; bytes: Uint8Array }>;
}

export interface CapturedState {
  regs: Record<string, number>;
  /** Data sections, then the live stack from the final %esp up. */
  memory: Uint8Array;
}

export class RecycledMachine {
  readonly machine = new Machine();
  private mapped: Array<{ address: number; size: number }> = [];

  private clear(): void {
    const m = this.machine;
    for (const r of this.mapped) {
      for (let a = r.address; a < r.address + r.size; a += PAGE_SIZE) {
        if (m.memory.isMapped(a)) m.memory.writeBytes(a, ZERO_BYTE);
      }
      m.memory.unmap(r.address, r.size);
    }
    this.mapped = [];
    m.setExceptionHandler(null);
  }

  /** Loads an assembled image the first time (relocations applied by loadImage). */
  layout(image: Image): ProgramLayout | string {
    this.clear();
    const loaded = loadImage(this.machine, image);
    if (loaded.errors.length > 0) return loaded.errors.join('; ');
    const sections: ProgramLayout['sections'] = [];
    for (const [name, s] of loaded.sections) {
      const bytes = this.machine.memory.readBytes(s.address, s.size);
      if (!(bytes instanceof Uint8Array)) return bytes.error;
      const perms = name === '.text' ? 'rx' : image.sections.find((x) => x.name === name)?.flags.includes('w') ? 'rw' : 'r';
      sections.push({ name, address: s.address, perms, bytes });
      this.mapped.push({ address: s.address, size: s.size });
    }
    return { loaded, sections };
  }

  /** A fresh start of the program: sections as loaded, a zeroed stack, registers at _start. */
  start(program: ProgramLayout): Machine {
    this.clear();
    const m = this.machine;
    for (const s of program.sections) {
      m.memory.map(s.address, s.bytes.length, s.perms);
      m.memory.writeBytes(s.address, s.bytes);
      this.mapped.push({ address: s.address, size: s.bytes.length });
    }
    m.memory.map(STACK_BASE, STACK_SIZE, 'rw');
    this.mapped.push({ address: STACK_BASE, size: STACK_SIZE }, ENGINE_PAGES);
    const eip = program.loaded.symbols.get('_start') ?? program.loaded.sections.get('.text')!.address;
    m.setRegisters({ eax: 0, ecx: 0, edx: 0, ebx: 0, esp: STACK_BASE + STACK_SIZE - 64, ebp: 0, esi: 0, edi: 0, eip, eflags: 0x202 });
    return m;
  }

  capture(program: ProgramLayout): CapturedState {
    const m = this.machine;
    const parts: Uint8Array[] = [];
    for (const s of program.sections) {
      if (s.name === '.text') continue;
      const b = m.memory.readBytes(s.address, s.bytes.length);
      if (b instanceof Uint8Array) parts.push(b);
    }
    const esp = m.regs[4]!;
    const stack = m.memory.readBytes(esp, Math.max(0, STACK_BASE + STACK_SIZE - esp));
    parts.push(stack instanceof Uint8Array ? stack : new Uint8Array(0));
    return { regs: { ...m.getRegisters() }, memory: Buffer.concat(parts) };
  }
}

/** Per-address counts of the unprobed run, by single steps (see live-probe-support executionCounts). */
export interface ExecutionCount {
  steps: number;
  executions: number;
}

/** Steps the program to hlt, counting each address; null when it does not end in hlt. */
export function stepAndCount(m: Machine, program: ProgramLayout, limit: number): Map<number, ExecutionCount> | null {
  const text = program.sections.find((s) => s.name === '.text')!;
  const counts = new Map<number, ExecutionCount>();
  let previous = -1;
  for (let k = 0; k < limit; k++) {
    const at = m.eip;
    let c = counts.get(at);
    if (c === undefined) counts.set(at, (c = { steps: 0, executions: 0 }));
    c.steps++;
    const insn = decode(text.bytes, at - text.address, at);
    const repeated = insn.entry?.rep != null && insn.prefixes.rep !== 0 && insn.prefixes.mandatory === 0;
    if (!repeated || previous !== at) c.executions++;
    previous = at;
    const r = m.step();
    if (r.kind === 'halt') return counts;
    if (r.kind !== 'executed') return null;
  }
  return null;
}

/** The instructions of [start, end) of the loaded text, decoded from the loaded bytes. */
export function instructionsIn(program: ProgramLayout, start: number, end: number): Array<{ address: number; mnemonic: string }> {
  const text = program.sections.find((s) => s.name === '.text')!;
  const out: Array<{ address: number; mnemonic: string }> = [];
  for (let off = start - text.address; off < end - text.address; ) {
    const insn = decode(text.bytes, off, text.address + off);
    out.push({ address: text.address + off, mnemonic: insn.mnemonic });
    off += Math.max(1, insn.length);
  }
  return out;
}
