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
  absoluteOptprobeArgument, functionWideOptprobeReason, isIndirectJump, OPT_NONE, OPT_OK, optprobeCode, relativeOptprobeArgument, sharedOptprobeAnswer,
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

/** Verdicts are shared values: a column holds their number here (0: no verdict). */
const VERDICTS: Array<StaticVerdict | null> = [null];
const VERDICT_IDS = new Map<StaticVerdict, number>();

/** The last verdict numbered: neighbouring instructions mostly share theirs (one comparison, no lookup). */
let lastVerdict: StaticVerdict | null = null;
let lastVerdictId = 0;

function verdictId(v: StaticVerdict | null): number {
  if (v === null) return 0;
  if (v === lastVerdict) return lastVerdictId;
  let id = VERDICT_IDS.get(v);
  if (id === undefined) VERDICT_IDS.set(v, (id = VERDICTS.push(v) - 1));
  lastVerdict = v;
  lastVerdictId = id;
  return id;
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
export class ReusableFunctionAnalysis implements OptprobeCandidates, OptprobeWording {
  private all: InstructionProbe[] | null = null;
  /** Probes handed to diagnostics, one per verdict, optprobe code and argument. */
  private shared: Map<number, Map<number, InstructionProbe>> | null = null;
  private lastKey = -1;
  private lastArg = 0;
  private lastShared: InstructionProbe | null = null;

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
    /** Each instruction's verdict, by its number in VERDICTS. */
    readonly verdictIds: Int32Array,
    /** Optprobe codes and their arguments as distances from the probe (relativeOptprobeArgument). */
    readonly optCodes: Uint8Array,
    readonly optArgs: Float64Array,
    /** Per offset (a few bytes past the end included): 1 where a branch of the function lands. */
    readonly targetBytes: Uint8Array,
    readonly functionWide: string | null,
    /** Whether optprobe results were computed (linux-6.1 with CONFIG_OPTPROBES). */
    readonly optprobes: boolean,
    /** Probe objects made so far, by instruction index. */
    readonly made: Map<number, InstructionProbe>,
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  offset(k: number): number {
    return this.offsets[k]!;
  }

  length(k: number): number {
    return this.lengths[k]!;
  }

  // Only linux-6.1 asks: the verdict's canBoost is 6.1's can_boost of the bytes.
  canCopy(k: number): boolean {
    return VERDICTS[this.verdictIds[k]!]?.canBoost.ok === true;
  }

  targeted(at: number): boolean {
    return this.targetBytes[at] === 1;
  }

  /** As the scan words it: the table entry's mnemonic. */
  mnemonic(k: number): string {
    const at = this.offsets[k]!;
    return decodeIntoChecked(WORDING_INSN, this.bytes, at, this.address + at) ? WORDING_INSN.entry!.mnemonic : '(bad)';
  }

  verdict(k: number): StaticVerdict | null {
    return VERDICTS[this.verdictIds[k]!]!;
  }

  /** The optprobe result of instruction k, worded at this version's place. */
  optimizableAt(k: number): Optimizability | null {
    const code = this.optCodes[k]!;
    return code === OPT_NONE ? null : sharedOptprobeAnswer(code, absoluteOptprobeArgument(code, this.optArgs[k]!, this.offsets[k]!, k), this);
  }

  /** optimizableAt(k) where it is an optimized answer, else null (no refusal object made). */
  optimizedAt(k: number): Optimizability | null {
    return this.optCodes[k] === OPT_OK ? this.optimizableAt(k) : null;
  }

  /** The probe of instruction k, made on first read. */
  probe(k: number): InstructionProbe {
    let p = this.made.get(k);
    if (p === undefined) {
      const offset = this.offsets[k]!;
      this.made.set(k, (p = new ColumnProbe(this.address + offset, this.verdict(k), this.optimizableAt(k), this.bytes, offset)));
    }
    return p;
  }

  /**
   * A probe with instruction k's verdict and optprobe result, one per such pair: its address and
   * instruction are those of some instruction with the pair (what diagnostics read needs neither).
   */
  verdictProbe(k: number): InstructionProbe {
    const p = this.made.get(k);
    if (p !== undefined) return p;
    const code = this.optCodes[k]!;
    const key = this.verdictIds[k]! * 256 + code;
    const arg = absoluteOptprobeArgument(code, this.optArgs[k]!, this.offsets[k]!, k);
    // Neighbouring instructions mostly share both: one comparison before two lookups.
    if (key === this.lastKey && arg === this.lastArg) return this.lastShared!;
    this.shared ??= new Map();
    let byArg = this.shared.get(key);
    if (byArg === undefined) this.shared.set(key, (byArg = new Map()));
    let found = byArg.get(arg);
    if (found === undefined) byArg.set(arg, (found = this.probe(k)));
    this.lastKey = key;
    this.lastArg = arg;
    this.lastShared = found;
    return found;
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
  0, new Uint8Array(0), 0, new Int32Array(0), new Uint8Array(0), new Uint8Array(0), new Float64Array(0), new Int32Array(0), new Uint8Array(0),
  new Float64Array(0), new Uint8Array(0), null, false, new Map(),
);
const INSN = newDecodedInstruction();
/** The detour jump's bytes, read once (a module binding read in a loop can cost a call). */
const WINDOW = JMP32_SIZE;
const WORDING_INSN = newDecodedInstruction();

/** The scanned instructions' columns, before they are placed between the copied prefix and suffix. */
class MiddleColumns {
  readonly offsets: Int32Array;
  readonly lengths: Uint8Array;
  readonly flags: Uint8Array;
  readonly distances: Float64Array;
  readonly verdicts: Int32Array;

  constructor(capacity: number) {
    this.offsets = new Int32Array(capacity);
    this.lengths = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.distances = new Float64Array(capacity);
    this.verdicts = new Int32Array(capacity);
  }

  /** Twice the room (at least `least`), holding these columns. */
  grown(least: number): MiddleColumns {
    const next = new MiddleColumns(Math.max(least, this.offsets.length * 2));
    next.offsets.set(this.offsets);
    next.lengths.set(this.lengths);
    next.flags.set(this.flags);
    next.distances.set(this.distances);
    next.verdicts.set(this.verdicts);
    return next;
  }
}

/** One set for every call (a call never runs inside another): a first analysis of 1,250 functions allocates none. */
let scratch = new MiddleColumns(1024);

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
  let offset = prefixCount > 0 ? old.offsets[prefixCount - 1]! + old.lengths[prefixCount - 1]! : 0;
  // The middle's columns go to shared typed scratch columns (grown as needed), then are copied.
  const left = Math.max(0, bytes.length - offset);
  let mid = scratch;
  let middle = 0;
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
    if (middle === mid.offsets.length) scratch = mid = mid.grown(left);
    mid.offsets[middle] = offset;
    mid.lengths[middle] = insn.length;
    mid.flags[middle] = flags;
    mid.distances[middle] = distance;
    mid.verdicts[middle] = verdictId(verdict);
    middle++;
    offset += insn.length;
  }
  const suffixFrom = resume >= 0 ? resume : old.count;
  const suffixCount = old.count - suffixFrom;
  const suffixAt = prefixCount + middle;
  const count = suffixAt + suffixCount;

  // The columns: the prefix and suffix copied (the suffix's offsets moved), the middle new.
  const offsets = new Int32Array(count);
  const lengths = new Uint8Array(count);
  const flags = new Uint8Array(count);
  const distances = new Float64Array(count);
  const verdictIds = new Int32Array(count);
  const optCodes = new Uint8Array(count);
  const optArgs = new Float64Array(count);
  offsets.set(old.offsets.subarray(0, prefixCount));
  lengths.set(old.lengths.subarray(0, prefixCount));
  flags.set(old.flags.subarray(0, prefixCount));
  distances.set(old.distances.subarray(0, prefixCount));
  verdictIds.set(old.verdictIds.subarray(0, prefixCount));
  offsets.set(mid.offsets.subarray(0, middle), prefixCount);
  lengths.set(mid.lengths.subarray(0, middle), prefixCount);
  flags.set(mid.flags.subarray(0, middle), prefixCount);
  distances.set(mid.distances.subarray(0, middle), prefixCount);
  verdictIds.set(mid.verdicts.subarray(0, middle), prefixCount);
  offsets.set(old.offsets.subarray(suffixFrom, old.count), suffixAt);
  for (let i = suffixAt; i < count; i++) offsets[i]! += lengthDelta;
  lengths.set(old.lengths.subarray(suffixFrom, old.count), suffixAt);
  flags.set(old.flags.subarray(suffixFrom, old.count), suffixAt);
  distances.set(old.distances.subarray(suffixFrom, old.count), suffixAt);
  verdictIds.set(old.verdictIds.subarray(suffixFrom, old.count), suffixAt);

  const prefixShift = fn.address - old.address;
  const suffixShift = fn.address + lengthDelta - old.address;
  let valid = true;
  let indirect = false;
  const targeted = new Uint8Array(bytes.length + WINDOW);
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
  const made = new Map<number, InstructionProbe>();
  if (prefixShift === 0 || suffixShift === 0) {
    for (const [k, p] of old.made) {
      if (k < prefixCount && prefixShift === 0) made.set(k, p);
      else if (k >= suffixFrom && suffixShift === 0) made.set(k - suffixFrom + suffixAt, p);
    }
  }

  const optprobes = profile === 'linux-6.1' && config.optprobes;
  const functionWide = optprobes ? functionWideOptprobeReason(valid, indirect, false) : null;
  const analysis = new ReusableFunctionAnalysis(
    fn.address, bytes, count, offsets, lengths, flags, distances, verdictIds, optCodes, optArgs, targeted, functionWide, optprobes, made,
  );
  if (optprobes) {
    optCodes.set(old.optCodes.subarray(0, prefixCount));
    optCodes.set(old.optCodes.subarray(suffixFrom, old.count), suffixAt);
    optArgs.set(old.optArgs.subarray(0, prefixCount));
    optArgs.set(old.optArgs.subarray(suffixFrom, old.count), suffixAt);
    const argument: OptprobeArgument = { value: 0 };
    const comparable = old.optprobes && old.functionWide === functionWide;
    const reword = (i: number): void => {
      let code = OPT_NONE;
      if (VERDICTS[verdictIds[i]!]?.registration.ok === true) code = optprobeCode(analysis, i, options.postHandler, functionWide !== null, argument);
      const arg = code === OPT_NONE ? 0 : relativeOptprobeArgument(code, argument.value, offsets[i]!, i);
      if (code !== optCodes[i] || arg !== optArgs[i]) made.delete(i);
      optCodes[i] = code;
      optArgs[i] = arg;
    };
    if (!comparable) {
      // The function-wide reason's words may have changed: no probe object is kept.
      made.clear();
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
      const oldTargeted = old.targetBytes;
      const prefixBytes = prefixCount > 0 ? offsets[prefixCount - 1]! + WINDOW : 0;
      const suffixBytes = suffixAt < count ? offsets[suffixAt]! : targeted.length;
      /** Asks again the instructions of [from, to) whose window (the 4 bytes after the int3) holds `t`. */
      const rewordWindowsAt = (t: number, from: number, to: number): void => {
        for (let i = Math.max(from, lowerBound(offsets, count, t - WINDOW + 1)); i < to && offsets[i]! < t; i++) reword(i);
      };
      for (let t = 1; t < prefixBytes; t++) if (targeted[t] !== oldTargeted[t]) rewordWindowsAt(t, 0, prefixCount);
      for (let t = suffixBytes + 1; t < targeted.length; t++) if (targeted[t] !== oldTargeted[t - lengthDelta]) rewordWindowsAt(t, suffixAt, count);
    }
  } else if (old.optprobes) {
    made.clear();
  }
  return analysis;
}
