// Probes over a whole function, as register_kprobe and the optprobe worker see it: every
// instruction's static verdict, -EILSEQ off instruction boundaries, -EINVAL in refused kernel
// areas, exception-table sites, and (linux-6.1 with CONFIG_OPTPROBES) whether the int3 could be
// replaced by a jump into a detour buffer.

import { decode, type DecodedInstruction } from '../isa';
import type { KernelErrno, ProbeOptions, KernelConfig, ProfileId } from './kprobe-vocabulary';
import {
  NO_KERNEL_AREAS, optimizabilityOf, scanFunction, type FunctionCode, type FunctionSummary, type KernelAreas,
} from './function-probe-scan';
import type { Optimizability } from './optprobe-conditions-6-1';
import type { StaticVerdict } from './static-verdict';

export { NO_KERNEL_AREAS, type FunctionCode, type FunctionSummary, type KernelAreas, type Optimizability };

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

/** register_kprobe at an address of the function: -EILSEQ off an instruction boundary. */
export function probeAt(analysis: FunctionAnalysis, address: number): { ok: true; probe: InstructionProbe } | { ok: false; errno: KernelErrno; rule: string } {
  const probe = analysis.instructions.find((i) => i.address === address);
  if (probe === undefined) {
    return { ok: false, errno: 'EILSEQ', rule: `0x${address.toString(16)} is not on an instruction boundary of ${analysis.fn.name}: -EILSEQ` };
  }
  return { ok: true, probe };
}
