// Re-analysis of a function after an edit, with work proportional to the change: the instructions
// before and after the edited bytes keep their decoded facts and verdicts (a verdict depends on the
// bytes, not the address), only the bytes in between are decoded again, and an instruction keeps
// its optprobe result when everything that result reads (the function-wide reason, jump targets
// within its 5 bytes, the instructions it would copy) is unchanged. The result equals
// analyzeFunction(fn, ...).instructions with no kernel areas (as the editor analyses).

import { decode, relativeTarget, type DecodedInstruction } from '../isa';
import type { KernelConfig, ProbeOptions, ProfileId } from './kprobe-vocabulary';
import type { FunctionCode, InstructionProbe } from './function-probe-analysis';
import {
  functionWideOptprobeReason, isIndirectJump, optprobeAnswer, optprobeCode,
  type Optimizability, type OptprobeArgument, type OptprobeCandidates, type OptprobeWording,
} from './optprobe-conditions-6-1';
import { JMP32_SIZE } from './profile-linux-6-1';
import { staticVerdict } from './static-verdict';

/** Per-instruction facts that do not depend on where the instruction is (shared across versions). */
interface InstructionFacts {
  length: number;
  valid: boolean;
  indirectJump: boolean;
  /** A relative jump's or call's target, as a distance from the instruction's start, or null. */
  target: number | null;
}

/** One analysed version of a function: what reanalyzeFunction needs from the last one. */
export interface ReusableFunctionAnalysis {
  address: number;
  bytes: Uint8Array;
  instructions: InstructionProbe[];
  /** Each instruction's offset from the function's start. */
  offsets: Int32Array;
  facts: InstructionFacts[];
  /** Jump and call targets as offsets from the function's start. */
  targets: ReadonlySet<number>;
  functionWide: string | null;
  /** Whether optprobe results were computed (linux-6.1 with CONFIG_OPTPROBES). */
  optprobes: boolean;
}

/** Longest instruction: decoding reads at most this many bytes from its start. */
const MAX_INSTRUCTION = 15;

function factsOf(insn: DecodedInstruction): InstructionFacts {
  const e = insn.valid ? insn.entry : null;
  // As the scan reads them: the target of a relative branch, an indirect or far jmp.
  return { length: insn.length, valid: insn.valid, indirectJump: e !== null && isIndirectJump(e), target: e?.relative ? relativeTarget(insn) - insn.address : null };
}

/** Index of `offset` in the ascending `offsets` from `from` on, or -1. */
function indexOfOffset(offsets: Int32Array, offset: number, from: number): number {
  let lo = from;
  let hi = offsets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = offsets[mid]!;
    if (v === offset) return mid;
    if (v < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Hex numbers in an optprobe reason are addresses inside the function: they move with it. */
const ADDRESS = /0x([0-9a-f]+)/g;

/** An optprobe result moved with its instruction; its reason is rewritten on first read. */
class MovedOptimizability implements Optimizability {
  readonly ok: boolean;
  readonly copied?: number;
  private text: string | undefined;
  constructor(private readonly base: Optimizability, private readonly delta: number) {
    this.ok = base.ok;
    if (base.copied !== undefined) this.copied = base.copied;
  }

  get why(): string {
    return (this.text ??= this.base.why.replace(ADDRESS, (_m, hex: string) => `0x${(parseInt(hex, 16) + this.delta).toString(16)}`));
  }

  /** Moved again: still one step from the reason as written (no chains across versions). */
  movedBy(delta: number): Optimizability {
    return this.text === undefined ? new MovedOptimizability(this.base, this.delta + delta) : new MovedOptimizability(this, delta);
  }
}

function movedOptimizable(o: Optimizability | null, delta: number): Optimizability | null {
  if (o === null || delta === 0) return o;
  if (o instanceof MovedOptimizability) return o.movedBy(delta);
  return o.why.includes('0x') ? new MovedOptimizability(o, delta) : o;
}

/** A probe moved to another address; its instruction is decoded there on first read. */
class MovedProbe implements InstructionProbe {
  private decoded: DecodedInstruction | undefined;
  constructor(
    readonly address: number, readonly verdict: InstructionProbe['verdict'], public optimizable: Optimizability | null,
    private readonly bytes: Uint8Array, private readonly offset: number,
  ) {}

  get insn(): DecodedInstruction {
    return (this.decoded ??= decode(this.bytes, this.offset, this.address));
  }
}

/**
 * Analyses `fn` (no kernel areas), reusing what `previous` (the same function under the same
 * profile, options and config) computed for bytes that did not change.
 */
export function reanalyzeFunction(
  fn: FunctionCode, profile: ProfileId, options: ProbeOptions, config: KernelConfig, previous: ReusableFunctionAnalysis | null,
): ReusableFunctionAnalysis {
  // The caller's buffer may be a whole section of one version: moved probes decode from a copy.
  const bytes = fn.bytes.slice();
  const old: ReusableFunctionAnalysis = previous ?? {
    address: fn.address, bytes: new Uint8Array(0), instructions: [], offsets: new Int32Array(0), facts: [], targets: new Set(), functionWide: null, optprobes: false,
  };
  const oldBytes = old.bytes;
  const lengthDelta = bytes.length - oldBytes.length;
  const shortest = Math.min(bytes.length, oldBytes.length);
  let prefix = 0;
  while (prefix < shortest && bytes[prefix] === oldBytes[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && bytes[bytes.length - 1 - suffix] === oldBytes[oldBytes.length - 1 - suffix]) suffix++;

  const instructions: InstructionProbe[] = [];
  const offsets: number[] = [];
  const facts: InstructionFacts[] = [];
  /** For each new instruction, the index of the old one it reuses, or -1. */
  const reused: number[] = [];
  const prefixShift = fn.address - old.address;
  // Before the edit: instructions whose bytes (all a decoder may read) lie in the common prefix.
  let j = 0;
  for (; j < old.facts.length; j++) {
    const o = old.offsets[j]!;
    if (o + MAX_INSTRUCTION > prefix) break;
    const p = old.instructions[j]!;
    // A moved probe of an older version is made again, so that it holds this version's bytes.
    instructions.push(prefixShift === 0 && !(p instanceof MovedProbe) ? p : new MovedProbe(p.address + prefixShift, p.verdict, p.optimizable, bytes, o));
    offsets.push(o);
    facts.push(old.facts[j]!);
    reused.push(j);
  }
  const prefixCount = instructions.length;
  // The edited bytes: decoded again until an instruction starts where an old one started in the
  // common suffix; from there on every instruction is the old one, moved.
  const suffixStart = oldBytes.length - suffix;
  let offset = prefixCount > 0 ? offsets[prefixCount - 1]! + facts[prefixCount - 1]!.length : 0;
  let resume = -1;
  while (offset < bytes.length) {
    if (offset - lengthDelta >= suffixStart && (resume = indexOfOffset(old.offsets, offset - lengthDelta, j)) >= 0) break;
    const address = fn.address + offset;
    const insn = decode(bytes, offset, address);
    // Probes outlive this version: after an edit their bytes must not hold this version's copy.
    if (previous !== null) insn.bytes = insn.bytes.slice();
    const r = staticVerdict(profile, insn, options, config);
    instructions.push({ address, insn, verdict: r.ok ? r.verdict : null, optimizable: null });
    offsets.push(offset);
    facts.push(factsOf(insn));
    reused.push(-1);
    offset += insn.length;
  }
  const suffixShift = fn.address + lengthDelta - old.address;
  if (resume >= 0) {
    for (let k = resume; k < old.facts.length; k++) {
      const o = old.offsets[k]! + lengthDelta;
      const p = old.instructions[k]!;
      instructions.push(suffixShift === 0 && !(p instanceof MovedProbe) ? p : new MovedProbe(p.address + suffixShift, p.verdict, p.optimizable, bytes, o));
      offsets.push(o);
      facts.push(old.facts[k]!);
      reused.push(k);
    }
  }

  const optprobes = profile === 'linux-6.1' && config.optprobes;
  let functionWide: string | null = null;
  const targets = new Set<number>();
  let valid = true;
  let indirect = false;
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    valid &&= f.valid;
    indirect ||= f.indirectJump;
    if (f.target !== null) targets.add(offsets[i]! + f.target);
  }
  if (optprobes) {
    functionWide = functionWideOptprobeReason(valid, indirect, false);
    const candidates: OptprobeCandidates & OptprobeWording = {
      count: instructions.length, size: bytes.length, address: fn.address, functionWide,
      offset: (k) => offsets[k]!,
      length: (k) => facts[k]!.length,
      // Only linux-6.1 gets here: the verdict's canBoost is 6.1's can_boost of the bytes.
      canCopy: (k) => instructions[k]!.verdict?.canBoost.ok === true,
      targeted: (offset) => targets.has(offset),
      mnemonic: (k) => instructions[k]!.insn.mnemonic,
    };
    const argument: OptprobeArgument = { value: 0 };
    const optimizabilityAt = (i: number): Optimizability | null => {
      if (instructions[i]!.verdict?.registration.ok !== true) return null;
      return optprobeAnswer(optprobeCode(candidates, i, options.postHandler, functionWide !== null, argument), argument.value, candidates);
    };
    const comparable = old.optprobes && old.functionWide === functionWide;
    // Offsets where the jump targets seen from an unchanged instruction differ: before the edit
    // they are compared in place, after it moved by the length change.
    const prefixEnd = prefixCount > 0 ? offsets[prefixCount - 1]! + JMP32_SIZE : 0;
    const suffixFrom = resume >= 0 ? old.offsets[resume]! + lengthDelta : bytes.length;
    const changedTargets = new Set<number>();
    for (const t of targets) {
      if (t < prefixEnd && !old.targets.has(t)) changedTargets.add(t);
      if (t >= suffixFrom && !old.targets.has(t - lengthDelta)) changedTargets.add(t);
    }
    for (const t of old.targets) {
      if (t < prefixEnd && !targets.has(t)) changedTargets.add(t);
      if (t + lengthDelta >= suffixFrom && !targets.has(t + lengthDelta)) changedTargets.add(t + lengthDelta);
    }
    for (let i = 0; i < instructions.length; i++) {
      const from = reused[i]!;
      const probe = instructions[i]!;
      const isPrefix = i < prefixCount;
      // An unchanged instruction keeps its result when its 5-byte window saw the same jump
      // targets and the instructions it copies are unchanged ones on its own side of the edit.
      let keep = comparable && from >= 0;
      if (keep) {
        if (changedTargets.size > 0) {
          const o = offsets[i]!;
          for (let a = 1; a < JMP32_SIZE && keep; a++) keep = !changedTargets.has(o + a);
        }
        if (keep && isPrefix) {
          // The run of copied instructions must stay among the reused ones before the edit.
          let covered = 0;
          for (let k = i; covered < JMP32_SIZE && keep; k++) {
            if (k >= prefixCount) keep = false;
            else covered += facts[k]!.length;
          }
        }
      }
      const optimizable = keep ? movedOptimizable(old.instructions[from]!.optimizable, isPrefix ? prefixShift : suffixShift) : optimizabilityAt(i);
      if (optimizable !== probe.optimizable) instructions[i] = probeWith(probe, optimizable, bytes, offsets[i]!, from >= 0 ? old.instructions[from]! : null);
    }
  } else {
    for (let i = 0; i < instructions.length; i++) {
      if (instructions[i]!.optimizable !== null) instructions[i] = probeWith(instructions[i]!, null, bytes, offsets[i]!, reused[i]! >= 0 ? old.instructions[reused[i]!]! : null);
    }
  }
  return { address: fn.address, bytes, instructions, offsets: Int32Array.from(offsets), facts, targets, functionWide, optprobes };
}

/** The probe with another optprobe result; `old` (the last version's probe) is never changed. */
function probeWith(p: InstructionProbe, optimizable: Optimizability | null, bytes: Uint8Array, offset: number, old: InstructionProbe | null): InstructionProbe {
  if (p instanceof MovedProbe && p !== old) {
    p.optimizable = optimizable;
    return p;
  }
  if (p === old || p instanceof MovedProbe) return new MovedProbe(p.address, p.verdict, optimizable, bytes, offset);
  // Decoded in this call: a plain value of this version.
  p.optimizable = optimizable;
  return p;
}
