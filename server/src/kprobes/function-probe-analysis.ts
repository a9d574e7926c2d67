// Probes over a whole function, as register_kprobe and the optprobe worker see it: every
// instruction's static verdict, -EILSEQ off instruction boundaries, -EINVAL in refused kernel
// areas, exception-table sites, and (linux-6.1 with CONFIG_OPTPROBES) whether the int3 could be
// replaced by a jump into a detour buffer.

import { decode, type DecodedInstruction } from '../isa';
import type { KernelErrno, ProbeOptions, KernelConfig, ProfileId } from './kprobe-vocabulary';
import {
  functionWideOptprobeReason, NO_KERNEL_AREAS, optimizabilityOf, scanFunction,
  type FunctionCode, type FunctionSummary, type KernelAreas, type Optimizability,
} from './function-probe-scan';
import type { StaticVerdict } from './static-verdict';
import { JMP32_SIZE, linux61CanBoost } from './profile-linux-6-1';
import { probedInstruction } from './probed-instruction';

export { functionWideOptprobeReason, NO_KERNEL_AREAS, type FunctionCode, type FunctionSummary, type KernelAreas, type Optimizability };

export interface InstructionProbe {
  address: number;
  insn: DecodedInstruction;
  /** null when the instruction cannot be decoded. */
  verdict: StaticVerdict | null;
  /** linux-6.1 with optprobes: whether the probe would be optimized; else null. */
  optimizable: Optimizability | null;
}

export interface FunctionAnalysis {
  fn: FunctionCode;
  profile: ProfileId;
  instructions: InstructionProbe[];
  /** Decoding problems, with their addresses. */
  errors: string[];
  summary: FunctionSummary;
}

/** Every probe of the function with its decoded instruction (function-probe-scan.ts decides). */
export function analyzeFunction(
  fn: FunctionCode,
  profile: ProfileId,
  options: ProbeOptions,
  config: KernelConfig,
  areas: KernelAreas = NO_KERNEL_AREAS,
): FunctionAnalysis {
  const scan = scanFunction(fn, profile, options, config, areas);
  const instructions: InstructionProbe[] = [];
  for (let i = 0; i < scan.count; i++) {
    const offset = scan.offsets[i]!;
    const address = fn.address + offset;
    instructions.push({ address, insn: decode(fn.bytes, offset, address), verdict: scan.verdicts[i]!, optimizable: optimizabilityOf(scan, i) });
  }
  return { fn, profile, instructions, errors: scan.errors, summary: scan.summary };
}

/** What decides optimizability beyond the instruction and the ones after it (see optimizabilityAt). */
export interface OptprobeContext {
  /** The function's end address. */
  end: number;
  /** A reason that holds for the whole function, or null. */
  functionWide: string | null;
  /** Targets of the function's relative jumps and calls (addresses). */
  targets: { has(address: number): boolean };
  postHandler: boolean;
  /** Whether the instruction at an index of the list may be copied into a detour buffer. */
  canCopy: (index: number) => boolean;
}

/** An indirect or far jmp: a jump table could land anywhere in the function. */
export function isIndirectJump(insn: DecodedInstruction): boolean {
  return insn.entry?.flow === 'jmp' && (insn.entry.indirect || insn.entry.far);
}

/** Whether an instruction passes can_boost as a copied instruction (exception sites aside). */
export function copyableInstruction(insn: DecodedInstruction): boolean {
  const p = probedInstruction(insn);
  return p !== null && linux61CanBoost(p).ok;
}

/** The optprobe conditions of 6.1 (kprobes-reference.md §4) for the probe at `index`. */
export function optimizabilityAt(list: readonly InstructionProbe[], index: number, ctx: OptprobeContext): Optimizability | null {
  const probe = list[index]!;
  const v = probe.verdict;
  if (v === null || !v.registration.ok) return null;
  const no = (why: string): Optimizability => ({ ok: false, why });
  if (ctx.postHandler) return no('the probe has a post_handler');
  if (ctx.functionWide) return no(ctx.functionWide);
  if (ctx.end - probe.address < JMP32_SIZE) return no('fewer than 5 bytes to the end of the function');
  for (let a = probe.address + 1; a < probe.address + JMP32_SIZE; a++) {
    if (ctx.targets.has(a)) return no(`a jump in the function targets 0x${a.toString(16)}, inside the 5 bytes the detour jump would cover`);
  }
  let covered = 0;
  for (let k = index; covered < JMP32_SIZE; k++) {
    const copied = list[k];
    if (copied === undefined) return no('the copied instructions would run past the end of the function');
    if (!ctx.canCopy(k)) return no(`the copied instruction at 0x${copied.address.toString(16)} (${copied.insn.mnemonic}) does not pass can_boost`);
    covered += copied.insn.length;
  }
  return { ok: true, why: `optimized: the int3 is replaced by a jump to a detour buffer (${covered} bytes copied)`, copied: covered };
}

/** register_kprobe at an address of the function: -EILSEQ off an instruction boundary. */
export function probeAt(analysis: FunctionAnalysis, address: number): { ok: true; probe: InstructionProbe } | { ok: false; errno: KernelErrno; rule: string } {
  const probe = analysis.instructions.find((i) => i.address === address);
  if (probe === undefined) {
    return { ok: false, errno: 'EILSEQ', rule: `0x${address.toString(16)} is not on an instruction boundary of ${analysis.fn.name}: -EILSEQ` };
  }
  return { ok: true, probe };
}
