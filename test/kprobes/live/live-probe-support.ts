// Shared helpers of the live-probe tests: assemble a program with our assembler, load it into a
// fresh Machine with a stack, run it to hlt, and capture the state that must not change under probes.

import { Machine, loadImage, type LoadedImage } from '../../../server/src/cpu';
import { assemble } from '../../../server/src/asm';
import { decode } from '../../../server/src/isa';
import { KprobeEngine, type KprobeEngineOptions } from '../../../server/src/kprobes/live';
import type { KernelConfig, ProfileId } from '../../../server/src/kprobes';

/** An assembly pre_handler for appending to programs: reads and rewrites pt_regs->ax, returns 0. */
export const PT_REGS_ROUNDTRIP_HANDLER = `
kp_handler:
  mov 24(%eax), %edx
  mov %edx, 24(%eax)
  xor %eax, %eax
  ret
`;

export const STACK_BASE = 0x00200000;
export const STACK_SIZE = 0x10000;

export interface LoadedProgram {
  machine: Machine;
  loaded: LoadedImage;
}

const assembled = new Map<string, ReturnType<typeof assemble>>();

export function loadProgram(source: string): LoadedProgram {
  let image = assembled.get(source);
  if (image === undefined) assembled.set(source, (image = assemble(source)));
  const errors = image.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`assembly failed: ${errors.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
  const machine = new Machine();
  const loaded = loadImage(machine, image);
  if (loaded.errors.length > 0) throw new Error(loaded.errors.join('; '));
  machine.memory.map(STACK_BASE, STACK_SIZE, 'rw');
  machine.setRegisters({ esp: STACK_BASE + STACK_SIZE - 64, eip: loaded.symbols.get('_start') ?? loaded.sections.get('.text')!.address, eflags: 0x202 });
  return { machine, loaded };
}

/** Runs to hlt; returns the stop kind. */
export function runToHalt(machine: Machine, limit = 1_000_000): string {
  const r = machine.run(limit);
  return r.stop.kind;
}

/**
 * Registers, flags, data memory and the live stack (from the final %esp up): what probes must
 * leave unchanged. Dead stack below %esp is left out: a 6.1 boosted `call *%reg` runs from the slot
 * and leaves the slot's return address there, as the kernel does.
 */
export function capture(p: LoadedProgram): { regs: Record<string, number>; memory: number[] } {
  const memory: number[] = [];
  for (const [name, s] of p.loaded.sections) {
    if (name === '.text') continue;
    const b = p.machine.memory.readBytes(s.address, s.size);
    if (b instanceof Uint8Array) memory.push(...b);
  }
  const esp = p.machine.regs[4]!;
  const stack = p.machine.memory.readBytes(esp, Math.max(0, STACK_BASE + STACK_SIZE - esp));
  if (stack instanceof Uint8Array) memory.push(...stack);
  return { regs: { ...p.machine.getRegisters() }, memory };
}

/**
 * How often each instruction ran in the unprobed program: `steps` counts every rep iteration (a
 * TF step re-hits the probe per iteration), `executions` counts a rep instruction once per run.
 */
export function executionCounts(source: string): Map<number, { steps: number; executions: number }> {
  const p = loadProgram(source);
  const counts = new Map<number, { steps: number; executions: number }>();
  let previous = -1;
  for (let k = 0; k < 1_000_000; k++) {
    const at = p.machine.eip;
    const c = counts.get(at) ?? { steps: 0, executions: 0 };
    c.steps++;
    const bytes = p.machine.memory.readBytes(at, 16) as Uint8Array;
    const insn = decode(bytes, 0, at);
    const repeated = insn.entry?.rep != null && insn.prefixes.rep !== 0 && insn.prefixes.mandatory === 0;
    if (!repeated || previous !== at) c.executions++;
    counts.set(at, c);
    previous = at;
    if (p.machine.step().kind !== 'executed') break;
  }
  return counts;
}

/** Addresses of every instruction of .text, decoded from the loaded bytes. */
export function textInstructions(p: LoadedProgram): Array<{ address: number; mnemonic: string; length: number }> {
  const text = p.loaded.sections.get('.text')!;
  const bytes = p.machine.memory.readBytes(text.address, text.size) as Uint8Array;
  const out: Array<{ address: number; mnemonic: string; length: number }> = [];
  for (let off = 0; off < bytes.length; ) {
    const insn = decode(bytes, off, text.address + off);
    out.push({ address: text.address + off, mnemonic: insn.mnemonic, length: insn.length });
    off += insn.length;
  }
  return out;
}

export function engineFor(p: LoadedProgram, profile: ProfileId, config?: KernelConfig, extra: Partial<KprobeEngineOptions> = {}): KprobeEngine {
  return new KprobeEngine(p.machine, { profile, image: p.loaded, ...(config ? { config } : {}), ...extra });
}

/** The configurations the tests run: each profile as usually met, plus 6.1 without preemption (boosting on). */
export const PROFILE_CONFIGS: ReadonlyArray<{ label: string; profile: ProfileId; config?: KernelConfig }> = [
  { label: 'rfc-2.6.15', profile: 'rfc-2.6.15' },
  { label: 'linux-2.6.18', profile: 'linux-2.6.18' },
  { label: 'linux-6.1 (PREEMPTION=y)', profile: 'linux-6.1' },
  { label: 'linux-6.1 (PREEMPTION=n)', profile: 'linux-6.1', config: { preemption: false, optprobes: false } },
];
