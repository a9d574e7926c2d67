// Re-analysis of a function after an edit, with work proportional to the change: the instructions
// before and after the edited bytes keep their facts and verdicts (a verdict depends on the bytes,
// not the address), only the bytes in between are scanned again, and an instruction keeps its
// optprobe result when everything that result reads (the function-wide reason, jump targets
// within its 5 bytes, the instructions it would copy) is unchanged. An analysis is columns (typed
// arrays and shared verdicts, as the scan keeps them): a probe object, and its decoded
// instruction, are made only when read. The result equals analyzeFunction(fn, ...).instructions
// with no kernel areas (as the editor analyses).

import { decode, decodeIntoChecked, newDecodedInstruction, relativeTarget, type DecodedInstruction } from '../isa';
import type { KernelConfig, ProbeOptions, ProfileId } from './kprobe-vocabulary';
import type { FunctionCode, InstructionProbe } from './function-probe-analysis';
import {
  functionWideOptprobeReason, isIndirectJump, OPT_NONE, optprobeCode, sharedOptprobeAnswer,
  type Optimizability, type OptprobeArgument, type OptprobeCandidates, type OptprobeWording,
} from './optprobe-conditions-6-1';
import { JMP32_SIZE } from './profile-linux-6-1';
import { staticVerdictOfScanned, type StaticVerdict } from './static-verdict';

/** Per-instruction flags (independent of the address). */
const VALID = 1;
const INDIRECT_JUMP = 2;
/** A relative branch: its target is `distance` bytes from the instruction's start. */
const BRANCH = 4;

/** Longest instruction: decoding reads at most this many bytes from its start. */
const MAX_INSTRUCTION = 15;

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
}

/** A probe of one analysed version; its instruction is decoded on first read. */
class ColumnProbe implements InstructionProbe {
  private decoded: DecodedInstruction | undefined;
  constructor(
    readonly address: number, readonly verdict: StaticVerdict | null, readonly optimizable: Optimizability | null,
    private readonly bytes: Uint8Array, private readonly offset: number,
  ) {}

  get insn(): DecodedInstruction {
    return (this.decoded ??= decode(this.bytes, this.offset, this.address));
  }
}

/** One analysed version of a function, in columns: what reanalyzeFunction reuses from the last one. */
export class ReusableFunctionAnalysis {
  private made: Array<InstructionProbe | undefined>;
  private all: InstructionProbe[] | null = null;
  private byVerdict: Map<StaticVerdict | null, Map<Optimizability | null, InstructionProbe>> | null = null;

  constructor(
    readonly address: number,
    /** This version's own copy of the function's bytes. */
    readonly bytes: Uint8Array,
    readonly count: number,
    /** Each instruction's offset from the function's start, its length and flags. */
    readonly offsets: Int32Array,
    readonly lengths: Uint8Array,
    readonly flags: Uint8Array,
    /** A branch's target as a distance from its instruction's start (where BRANCH is set). */
    readonly distances: Float64Array,
    readonly verdicts: ReadonlyArray<StaticVerdict | null>,
    /** Optprobe results as worded, and how far each instruction moved since. */
    readonly worded: ReadonlyArray<Optimizability | null>,
    readonly moved: Float64Array,
    /** Per offset (a few bytes past the end included): 1 where a branch of the function lands. */
    readonly targeted: Uint8Array,
    readonly functionWide: string | null,
    /** Whether optprobe results were computed (linux-6.1 with CONFIG_OPTPROBES). */
    readonly optprobes: boolean,
    made: Array<InstructionProbe | undefined>,
  ) {
    this.made = made;
  }

  /** The optprobe result of instruction k, its addresses at this version's place. */
  optimizableAt(k: number): Optimizability | null {
    const o = this.worded[k]!;
    const delta = this.moved[k]!;
    return o === null || delta === 0 || !o.why.includes('0x') ? o : new MovedOptimizability(o, delta);
  }

  /** Whether instruction k's probe object was made (so a next version may keep it). */
  madeProbe(k: number): InstructionProbe | undefined {
    return this.made[k];
  }

  /** The probe of instruction k, made on first read. */
  probe(k: number): InstructionProbe {
    let p = this.made[k];
    if (p === undefined) {
      const offset = this.offsets[k]!;
      this.made[k] = p = new ColumnProbe(this.address + offset, this.verdicts[k]!, this.optimizableAt(k), this.bytes, offset);
    }
    return p;
  }

  /**
   * A probe with instruction k's verdict and optprobe result, one per such pair: its address and
   * instruction are those of some instruction with the pair (what diagnostics read needs neither).
   */
  verdictProbe(k: number): InstructionProbe {
    const p = this.made[k];
    if (p !== undefined) return p;
    const verdict = this.verdicts[k]!;
    const o = this.worded[k]!;
    if (o !== null && this.moved[k] !== 0 && o.why.includes('0x')) return this.probe(k);
    this.byVerdict ??= new Map();
    let byResult = this.byVerdict.get(verdict);
    if (byResult === undefined) this.byVerdict.set(verdict, (byResult = new Map()));
    let shared = byResult.get(o);
    if (shared === undefined) byResult.set(o, (shared = this.probe(k)));
    return shared;
  }

  /** Every probe in address order (made on first read: hovers and tests, not diagnostics). */
  get instructions(): InstructionProbe[] {
    if (this.all === null) {
      this.all = new Array<InstructionProbe>(this.count);
      for (let k = 0; k < this.count; k++) this.all[k] = this.probe(k);
    }
    return this.all;
  }
}

/** The first index below `count` whose offset is at least `offset` (offsets ascend). */
function lowerBound(offsets: Int32Array, count: number, offset: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of `offset` in the ascending `offsets` (first `count`) from `from` on, or -1. */
function indexOfOffset(offsets: Int32Array, count: number, offset: number, from: number): number {
  let lo = from;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = offsets[mid]!;
    if (v === offset) return mid;
    if (v < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const EMPTY = new ReusableFunctionAnalysis(
  0, new Uint8Array(0), 0, new Int32Array(0), new Uint8Array(0), new Uint8Array(0), new Float64Array(0), [], [], new Float64Array(0),
  new Uint8Array(0), null, false, [],
);
const INSN = newDecodedInstruction();
/** The detour jump's bytes, read once (a module binding read in a loop can cost a call). */
const WINDOW = JMP32_SIZE;
const WORDING_INSN = newDecodedInstruction();

/**
 * Analyses `fn` (no kernel areas), reusing what `previous` (the same function under the same
 * profile, options and config) computed for bytes that did not change.
 */
export function reanalyzeFunction(
  fn: FunctionCode, profile: ProfileId, options: ProbeOptions, config: KernelConfig, previous: ReusableFunctionAnalysis | null,
): ReusableFunctionAnalysis {
  // The caller's buffer may be a whole section of one version: probes decode from a copy.
  const bytes = fn.bytes.slice();
  const old = previous ?? EMPTY;
  const oldBytes = old.bytes;
  const lengthDelta = bytes.length - oldBytes.length;
  const shortest = Math.min(bytes.length, oldBytes.length);
  let prefix = 0;
  while (prefix < shortest && bytes[prefix] === oldBytes[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && bytes[bytes.length - 1 - suffix] === oldBytes[oldBytes.length - 1 - suffix]) suffix++;

  // Before the edit: instructions whose bytes (all a decoder may read) lie in the common prefix.
  const prefixCount = lowerBound(old.offsets, old.count, prefix - MAX_INSTRUCTION + 1);
  // The edited bytes: scanned again until an instruction starts where an old one started in the
  // common suffix; from there on every instruction is the old one, moved.
  const suffixStart = oldBytes.length - suffix;
  const midOffsets: number[] = [];
  const midLengths: number[] = [];
  const midFlags: number[] = [];
  const midDistances: number[] = [];
  const midVerdicts: Array<StaticVerdict | null> = [];
  let offset = prefixCount > 0 ? old.offsets[prefixCount - 1]! + old.lengths[prefixCount - 1]! : 0;
  let resume = -1;
  const insn = INSN;
  while (offset < bytes.length) {
    if (offset - lengthDelta >= suffixStart && (resume = indexOfOffset(old.offsets, old.count, offset - lengthDelta, prefixCount)) >= 0) break;
    const address = fn.address + offset;
    let flags = 0;
    let distance = 0;
    let verdict: StaticVerdict | null = null;
    if (decodeIntoChecked(insn, bytes, offset, address)) {
      const entry = insn.entry!;
      flags = VALID | (isIndirectJump(entry) ? INDIRECT_JUMP : 0);
      if (entry.relative) {
        flags |= BRANCH;
        distance = relativeTarget(insn) - address;
      }
      const r = staticVerdictOfScanned(profile, insn, bytes, offset, options, config);
      if (r.ok) verdict = r.verdict;
    }
    midOffsets.push(offset);
    midLengths.push(insn.length);
    midFlags.push(flags);
    midDistances.push(distance);
    midVerdicts.push(verdict);
    offset += insn.length;
  }
  const suffixFrom = resume >= 0 ? resume : old.count;
  const suffixCount = old.count - suffixFrom;
  const middle = midOffsets.length;
  const suffixAt = prefixCount + middle;
  const count = suffixAt + suffixCount;

  // The columns: the prefix and suffix copied (the suffix's offsets moved), the middle new.
  const offsets = new Int32Array(count);
  const lengths = new Uint8Array(count);
  const flags = new Uint8Array(count);
  const distances = new Float64Array(count);
  const moved = new Float64Array(count);
  offsets.set(old.offsets.subarray(0, prefixCount));
  lengths.set(old.lengths.subarray(0, prefixCount));
  flags.set(old.flags.subarray(0, prefixCount));
  distances.set(old.distances.subarray(0, prefixCount));
  for (let m = 0; m < middle; m++) {
    offsets[prefixCount + m] = midOffsets[m]!;
    lengths[prefixCount + m] = midLengths[m]!;
    flags[prefixCount + m] = midFlags[m]!;
    distances[prefixCount + m] = midDistances[m]!;
  }
  offsets.set(old.offsets.subarray(suffixFrom, old.count), suffixAt);
  for (let i = suffixAt; i < count; i++) offsets[i]! += lengthDelta;
  lengths.set(old.lengths.subarray(suffixFrom, old.count), suffixAt);
  flags.set(old.flags.subarray(suffixFrom, old.count), suffixAt);
  distances.set(old.distances.subarray(suffixFrom, old.count), suffixAt);
  const verdicts = old.verdicts.slice(0, prefixCount).concat(midVerdicts, old.verdicts.slice(suffixFrom, old.count));

  const prefixShift = fn.address - old.address;
  const suffixShift = fn.address + lengthDelta - old.address;
  let valid = true;
  let indirect = false;
  const targeted = new Uint8Array(bytes.length + JMP32_SIZE);
  for (let i = 0; i < count; i++) {
    const f = flags[i]!;
    valid &&= (f & VALID) !== 0;
    if ((f & INDIRECT_JUMP) !== 0) indirect = true;
    if ((f & BRANCH) !== 0) {
      const t = offsets[i]! + distances[i]!;
      if (t >= 0 && t < targeted.length) targeted[t] = 1;
    }
  }

  // Probe objects already made for unchanged instructions that did not move are kept.
  const made: Array<InstructionProbe | undefined> = new Array<InstructionProbe | undefined>(count);
  if (prefixShift === 0) for (let i = 0; i < prefixCount; i++) made[i] = old.madeProbe(i);
  if (suffixShift === 0) for (let i = 0; i < suffixCount; i++) made[suffixAt + i] = old.madeProbe(suffixFrom + i);

  const optprobes = profile === 'linux-6.1' && config.optprobes;
  const functionWide = optprobes ? functionWideOptprobeReason(valid, indirect, false) : null;
  let worded: Array<Optimizability | null>;
  if (!optprobes) {
    worded = new Array<Optimizability | null>(count).fill(null);
  } else {
    worded = old.worded.slice(0, prefixCount).concat(new Array<Optimizability | null>(middle).fill(null), old.worded.slice(suffixFrom, old.count));
    moved.set(old.moved.subarray(0, prefixCount));
    moved.set(old.moved.subarray(suffixFrom, old.count), suffixAt);
    if (prefixShift !== 0) for (let i = 0; i < prefixCount; i++) moved[i]! += prefixShift;
    if (suffixShift !== 0) for (let i = suffixAt; i < count; i++) moved[i]! += suffixShift;
    const candidates: OptprobeCandidates & OptprobeWording = {
      count, size: bytes.length, address: fn.address, functionWide,
      offset: (k) => offsets[k]!,
      length: (k) => lengths[k]!,
      // Only linux-6.1 gets here: the verdict's canBoost is 6.1's can_boost of the bytes.
      canCopy: (k) => verdicts[k]?.canBoost.ok === true,
      targeted: (at) => targeted[at] === 1,
      // As the scan words it: the table entry's mnemonic.
      mnemonic: (k) => (decodeIntoChecked(WORDING_INSN, bytes, offsets[k]!, fn.address + offsets[k]!) ? WORDING_INSN.entry!.mnemonic : '(bad)'),
    };
    const argument: OptprobeArgument = { value: 0 };
    const comparable = old.optprobes && old.functionWide === functionWide;
    const reword = (i: number): void => {
      let answer: Optimizability | null = null;
      if (verdicts[i]?.registration.ok === true) {
        const code = optprobeCode(candidates, i, options.postHandler, functionWide !== null, argument);
        if (code !== OPT_NONE) answer = sharedOptprobeAnswer(code, argument.value, candidates);
      }
      if (answer !== worded[i]) made[i] = undefined;
      worded[i] = answer;
      moved[i] = 0;
    };
    if (!comparable) {
      for (let i = 0; i < count; i++) reword(i);
    } else {
      // An unchanged instruction keeps its result when its 5-byte window sees the same jump
      // targets and the instructions it copies are unchanged ones on its own side of the edit:
      // only the new instructions, the last few before the edit and those whose window holds a
      // changed target are asked again.
      for (let i = prefixCount; i < suffixAt; i++) reword(i);
      for (let i = prefixCount - 1, reach = 0; i >= 0 && reach < WINDOW; i--) {
        reach += lengths[i]!;
        if (reach < WINDOW) reword(i);
      }
      const oldTargeted = old.targeted;
      const oldSuffixEnd = Math.min(oldTargeted.length, targeted.length - lengthDelta);
      const prefixBytes = prefixCount > 0 ? offsets[prefixCount - 1]! + WINDOW : 0;
      const suffixBytes = suffixAt < count ? offsets[suffixAt]! : targeted.length;
      for (let t = 1; t < prefixBytes; t++) if (targeted[t] !== oldTargeted[t]) rewordWindowsAt(t, 0, prefixCount);
      for (let t = suffixBytes + 1; t < oldSuffixEnd + lengthDelta; t++) if (targeted[t] !== oldTargeted[t - lengthDelta]) rewordWindowsAt(t, suffixAt, count);
    }
    /** Asks again the instructions of [from, to) whose window (the 4 bytes after the int3) holds `t`. */
    function rewordWindowsAt(t: number, from: number, to: number): void {
      for (let i = Math.max(from, lowerBound(offsets, count, t - WINDOW + 1)); i < to && offsets[i]! < t; i++) reword(i);
    }
  }
  return new ReusableFunctionAnalysis(
    fn.address, bytes, count, offsets, lengths, flags, distances, verdicts, worded, moved, targeted, functionWide, optprobes, made,
  );
}
