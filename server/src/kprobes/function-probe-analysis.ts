// Probes over a whole function, as register_kprobe and the optprobe worker see it: every
// instruction's static verdict, -EILSEQ off instruction boundaries, -EINVAL in refused kernel
// areas, exception-table sites, and (linux-6.1 with CONFIG_OPTPROBES) whether the int3 could be
// replaced by a jump into a detour buffer.

import { decode, type DecodedInstruction } from '../isa';
import type { HitExecution, KernelConfig, KernelErrno, ProbeOptions, ProfileId } from './kprobe-vocabulary';
import { JMP32_SIZE, linux61CanBoost } from './profile-linux-6-1';
import { probedInstruction } from './probed-instruction';
import { kprobeHitCost } from './overhead-model';
import { staticVerdict, type StaticVerdict } from './static-verdict';

/** Kernel areas and tables that decide probes beyond the instruction itself. */
export interface KernelAreas {
  /** Address ranges where probes are refused with -EINVAL, with the reason (blacklist, entry text...). */
  refusedRanges: ReadonlyArray<{ start: number; end: number; reason: string }>;
  /** Instruction addresses with an __ex_table entry (user-access sites with a fix-up). */
  exceptionTableSites: ReadonlySet<number>;
}

export const NO_KERNEL_AREAS: KernelAreas = { refusedRanges: [], exceptionTableSites: new Set() };

export interface FunctionCode {
  name: string;
  address: number;
  bytes: Uint8Array;
}

export interface Optimizability {
  ok: boolean;
  why: string;
  /** When ok: the bytes of the whole instructions the jump covers, copied into the detour buffer. */
  copied?: number;
}

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

export interface FunctionSummary {
  instructions: number;
  boosted: number;
  singleStepped: number;
  emulated: number;
  refused: number;
  depends: number;
  optimizable: number;
}

type RefusedRanges = KernelAreas['refusedRanges'];

function refusedArea(ranges: RefusedRanges, address: number): string | null {
  for (const r of ranges) if (address >= r.start && address < r.end) return r.reason;
  return null;
}

/**
 * Applies what the address (not the bytes) says: refused areas (`ranges`: those that overlap the
 * function, so a whole kernel does not scan every blacklist entry per instruction) and
 * exception-table sites.
 */
function applyAreas(v: StaticVerdict, address: number, areas: KernelAreas, ranges: RefusedRanges): StaticVerdict {
  const area = refusedArea(ranges, address);
  if (area !== null) {
    const rule = `${area}: probes are refused here (-EINVAL)`;
    const none = kprobeHitCost('linux-6.1', 'refused');
    return { ...v, registration: { ok: false, errno: 'EINVAL', rule }, firstHit: 'refused', laterHits: 'refused', summary: rule, cost: { firstHit: none, laterHits: none } };
  }
  if (areas.exceptionTableSites.has(address) && v.canBoost.ok) {
    const rule = 'the address has an exception-table entry (a user access with a fix-up): not boostable';
    const stepped: HitExecution = v.firstHit === 'boosted' ? 'single-stepped' : v.firstHit;
    const later = v.laterHits === 'boosted' ? 'single-stepped' : v.laterHits;
    return {
      ...v, canBoost: { ok: false, rule }, firstHit: stepped, laterHits: later, summary: rule,
      boostable: v.boostable && { atRegistration: -1, afterFirstHit: -1 },
      cost: { firstHit: kprobeHitCost(v.profile, stepped), laterHits: later === 'depends' ? null : kprobeHitCost(v.profile, later) },
    };
  }
  return v;
}

export function analyzeFunction(
  fn: FunctionCode,
  profile: ProfileId,
  options: ProbeOptions,
  config: KernelConfig,
  areas: KernelAreas = NO_KERNEL_AREAS,
): FunctionAnalysis {
  const instructions: InstructionProbe[] = [];
  const errors: string[] = [];
  const end = fn.address + fn.bytes.length;
  const ranges = areas.refusedRanges.filter((r) => r.start < end && r.end > fn.address);
  for (let offset = 0; offset < fn.bytes.length; ) {
    const address = fn.address + offset;
    const insn = decode(fn.bytes, offset, address);
    if (!insn.valid) errors.push(`0x${address.toString(16)}: ${insn.error}`);
    const r = staticVerdict(profile, insn, options, config);
    instructions.push({ address, insn, verdict: r.ok ? applyAreas(r.verdict, address, areas, ranges) : null, optimizable: null });
    offset += insn.length;
  }
  if (profile === 'linux-6.1' && config.optprobes) markOptimizable(fn, instructions, errors, options, areas);
  return { fn, profile, instructions, errors, summary: summarize(instructions) };
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

/** The reason that rules optprobes out for a whole function, or null. */
export function functionWideOptprobeReason(decodesCompletely: boolean, hasIndirectJump: boolean, hasExceptionTableSites: boolean): string | null {
  return !decodesCompletely ? 'the function does not decode completely'
    : hasIndirectJump ? 'the function has an indirect jump (a jump table could land inside the detour jump)'
      : hasExceptionTableSites ? 'the function has exception-table entries'
        : null;
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

function markOptimizable(fn: FunctionCode, list: InstructionProbe[], errors: string[], options: ProbeOptions, areas: KernelAreas): void {
  const targets = new Set<number>();
  for (const i of list) for (const o of i.insn.operands) if (o.kind === 'rel') targets.add(o.target);
  const ctx: OptprobeContext = {
    end: fn.address + fn.bytes.length,
    functionWide: functionWideOptprobeReason(errors.length === 0, list.some((i) => isIndirectJump(i.insn)), list.some((i) => areas.exceptionTableSites.has(i.address))),
    targets,
    postHandler: options.postHandler,
    canCopy: (k) => copyableInstruction(list[k]!.insn) && !areas.exceptionTableSites.has(list[k]!.address),
  };
  for (let index = 0; index < list.length; index++) list[index]!.optimizable = optimizabilityAt(list, index, ctx);
}

function summarize(list: InstructionProbe[]): FunctionSummary {
  const s: FunctionSummary = { instructions: list.length, boosted: 0, singleStepped: 0, emulated: 0, refused: 0, depends: 0, optimizable: 0 };
  for (const i of list) {
    if (i.optimizable?.ok) s.optimizable++;
    const hit = i.verdict?.laterHits ?? 'refused';
    if (hit === 'boosted') s.boosted++;
    else if (hit === 'single-stepped') s.singleStepped++;
    else if (hit === 'emulated') s.emulated++;
    else if (hit === 'depends') s.depends++;
    else s.refused++;
  }
  return s;
}

/** register_kprobe at an address of the function: -EILSEQ off an instruction boundary. */
export function probeAt(analysis: FunctionAnalysis, address: number): { ok: true; probe: InstructionProbe } | { ok: false; errno: KernelErrno; rule: string } {
  const probe = analysis.instructions.find((i) => i.address === address);
  if (probe === undefined) {
    return { ok: false, errno: 'EILSEQ', rule: `0x${address.toString(16)} is not on an instruction boundary of ${analysis.fn.name}: -EILSEQ` };
  }
  return { ok: true, probe };
}
