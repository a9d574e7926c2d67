// The verdicts of every probe in a function without building a decoded instruction, a result
// object or a message per instruction: the whole-kernel path of `kboost analyze`. Instructions are
// scanned with decodeIntoChecked, verdicts are the memoized shared values (with their kernel-area
// variants memoized too), and the optprobe conditions (optprobe-conditions-6-1.ts) are kept as
// codes that turn into words only when asked (optimizabilityOf). analyzeFunction builds its
// per-instruction view on this.

import { decodeIntoChecked, newDecodedInstruction, relativeTarget, type OpcodeEntry } from '../isa';
import type { HitExecution, KernelConfig, ProbeOptions, ProfileId } from './kprobe-vocabulary';
import { kprobeHitCost } from './overhead-model';
import {
  functionWideOptprobeReason, isIndirectJump, OPT_NONE, OPT_OK, optprobeAnswer, optprobeCode,
  type Optimizability, type OptprobeArgument, type OptprobeCandidates, type OptprobeWording,
} from './optprobe-conditions-6-1';
import { staticVerdictOfScanned, type StaticVerdict } from './static-verdict';

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

export interface FunctionSummary {
  instructions: number;
  boosted: number;
  singleStepped: number;
  emulated: number;
  refused: number;
  depends: number;
  optimizable: number;
}

/**
 * One scanned function. The arrays are scratch shared by every scan and valid only until the
 * next scanFunction call: read what you need (or call optimizabilityOf) before scanning again.
 */
export interface FunctionScan {
  fn: FunctionCode;
  profile: ProfileId;
  count: number;
  /** Per instruction: offset in fn.bytes, length, verdict (null when it does not decode). */
  offsets: Int32Array;
  lengths: Uint8Array;
  verdicts: Array<StaticVerdict | null>;
  /** Per instruction: the table entry, null when it does not decode. */
  entries: Array<OpcodeEntry | null>;
  optCodes: Uint8Array;
  optArgs: Float64Array;
  /** Why no probe of the function can be optimized, or null. */
  functionWide: string | null;
  /** Decoding problems, with their addresses. */
  errors: string[];
  summary: FunctionSummary;
}

const REGISTERS = 1;
const CAN_BOOST = 2;

const SCRATCH = {
  offsets: new Int32Array(1024),
  lengths: new Uint8Array(1024),
  optCodes: new Uint8Array(1024),
  optArgs: new Float64Array(1024),
  /** Per instruction: REGISTERS | CAN_BOOST, read once from the verdict for the optprobe pass. */
  flags: new Uint8Array(1024),
  /** Per byte of the function: 1 where a relative branch of the function lands. */
  targeted: new Uint8Array(4096),
  verdicts: [] as Array<StaticVerdict | null>,
  entries: [] as Array<OpcodeEntry | null>,
};
const INSN = newDecodedInstruction();

function ensureCapacity(instructions: number, bytes: number): void {
  if (SCRATCH.offsets.length < instructions) {
    const n = Math.max(instructions, SCRATCH.offsets.length * 2);
    SCRATCH.offsets = new Int32Array(n);
    SCRATCH.lengths = new Uint8Array(n);
    SCRATCH.optCodes = new Uint8Array(n);
    SCRATCH.optArgs = new Float64Array(n);
    SCRATCH.flags = new Uint8Array(n);
  }
  if (SCRATCH.targeted.length < bytes) SCRATCH.targeted = new Uint8Array(Math.max(bytes, SCRATCH.targeted.length * 2));
}

/** The exception-table sites in ascending order, once per table. */
const sortedSites = new WeakMap<ReadonlySet<number>, Float64Array>();
function sitesInOrder(sites: ReadonlySet<number>): Float64Array {
  let sorted = sortedSites.get(sites);
  if (sorted === undefined) sortedSites.set(sites, (sorted = Float64Array.from(sites).sort()));
  return sorted;
}

/** First index of `sorted` at or above `value`. */
function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type RefusedRanges = KernelAreas['refusedRanges'];

/** A range list sorted by start, with the largest end up to each position and the original order. */
interface RangeIndex { sorted: RefusedRanges; maxEnd: Float64Array; order: Map<RefusedRanges[number], number> }
const rangeIndexes = new WeakMap<RefusedRanges, RangeIndex>();

function rangeIndexOf(ranges: RefusedRanges): RangeIndex {
  let index = rangeIndexes.get(ranges);
  if (index === undefined) {
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    const maxEnd = new Float64Array(sorted.length);
    sorted.forEach((r, i) => (maxEnd[i] = Math.max(r.end, i > 0 ? maxEnd[i - 1]! : -Infinity)));
    index = { sorted, maxEnd, order: new Map(ranges.map((r, i) => [r, i])) };
    rangeIndexes.set(ranges, index);
  }
  return index;
}

/**
 * The ranges that overlap [start, end), in their original order (the first that holds an address
 * gives its reason), without walking the whole list per function.
 */
function rangesOverlapping(ranges: RefusedRanges, start: number, end: number): RefusedRanges {
  if (ranges.length === 0) return ranges;
  const { sorted, maxEnd, order } = rangeIndexOf(ranges);
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.start < end) lo = mid + 1;
    else hi = mid;
  }
  const found: Array<RefusedRanges[number]> = [];
  for (let i = lo - 1; i >= 0 && maxEnd[i]! > start; i--) if (sorted[i]!.end > start) found.push(sorted[i]!);
  return found.length < 2 ? found : found.sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Verdicts as a refused area or an exception-table site changes them: shared values like the verdicts. */
const inRefusedArea = new WeakMap<StaticVerdict, Map<string, StaticVerdict>>();
const atExceptionSite = new WeakMap<StaticVerdict, StaticVerdict>();

function refusedVariant(v: StaticVerdict, area: string): StaticVerdict {
  let byArea = inRefusedArea.get(v);
  if (byArea === undefined) inRefusedArea.set(v, (byArea = new Map()));
  let r = byArea.get(area);
  if (r === undefined) {
    const rule = `${area}: probes are refused here (-EINVAL)`;
    const none = kprobeHitCost(v.profile, 'refused');
    r = { ...v, registration: { ok: false, errno: 'EINVAL', rule }, firstHit: 'refused', laterHits: 'refused', summary: rule, cost: { firstHit: none, laterHits: none } };
    byArea.set(area, r);
  }
  return r;
}

function exceptionSiteVariant(v: StaticVerdict): StaticVerdict {
  let r = atExceptionSite.get(v);
  if (r === undefined) {
    const rule = 'the address has an exception-table entry (a user access with a fix-up): not boostable';
    const stepped: HitExecution = v.firstHit === 'boosted' ? 'single-stepped' : v.firstHit;
    const later = v.laterHits === 'boosted' ? 'single-stepped' : v.laterHits;
    r = {
      ...v, canBoost: { ok: false, rule }, firstHit: stepped, laterHits: later, summary: rule,
      boostable: v.boostable && { atRegistration: -1, afterFirstHit: -1 },
      cost: { firstHit: kprobeHitCost(v.profile, stepped), laterHits: later === 'depends' ? null : kprobeHitCost(v.profile, later) },
    };
    atExceptionSite.set(v, r);
  }
  return r;
}

/** Scans a function: every instruction's verdict with its kernel areas, optprobes, and the summary. */
export function scanFunction(
  fn: FunctionCode,
  profile: ProfileId,
  options: ProbeOptions,
  config: KernelConfig,
  areas: KernelAreas = NO_KERNEL_AREAS,
): FunctionScan {
  const code = fn.bytes;
  const size = code.length;
  const end = fn.address + size;
  ensureCapacity(size, size);
  const { offsets, lengths, verdicts, entries, targeted, flags } = SCRATCH;
  targeted.fill(0, 0, size);
  // Only the ranges and sites that touch the function, so a kernel does not scan them per instruction.
  const ranges = rangesOverlapping(areas.refusedRanges, fn.address, end);
  const sites = areas.exceptionTableSites.size === 0 ? null : sitesInOrder(areas.exceptionTableSites);
  let site = sites === null ? 0 : lowerBound(sites, fn.address);
  const nextSite = (): number => (sites !== null && site < sites.length ? sites[site]! : Infinity);
  const errors: string[] = [];
  let hasSite = false;
  let indirectJump = false;
  let count = 0;
  const insn = INSN;
  for (let offset = 0; offset < size; count++) {
    const address = fn.address + offset;
    let verdict: StaticVerdict | null = null;
    let entry: OpcodeEntry | null = null;
    if (!decodeIntoChecked(insn, code, offset, address)) {
      errors.push(`0x${address.toString(16)}: ${insn.error}`);
    } else {
      entry = insn.entry!;
      if (isIndirectJump(entry)) indirectJump = true;
      if (entry.relative) {
        // A branch target matters only inside the 4 bytes after a probe, which lie in the function.
        const t = relativeTarget(insn) - fn.address;
        if (t >= 0 && t < size) targeted[t] = 1;
      }
      const r = staticVerdictOfScanned(profile, insn, code, offset, options, config);
      if (r.ok) verdict = r.verdict;
    }
    while (nextSite() < address) site++;
    const isSite = nextSite() === address;
    if (isSite) hasSite = true;
    if (verdict !== null) {
      let area: string | null = null;
      for (const r of ranges) if (address >= r.start && address < r.end) { area = r.reason; break; }
      if (area !== null) verdict = refusedVariant(verdict, area);
      else if (isSite && verdict.canBoost.ok) verdict = exceptionSiteVariant(verdict);
    }
    offsets[count] = offset;
    lengths[count] = insn.length;
    verdicts[count] = verdict;
    flags[count] = verdict === null ? 0 : (verdict.registration.ok ? REGISTERS : 0) | (verdict.canBoost.ok ? CAN_BOOST : 0);
    entries[count] = entry;
    offset += insn.length;
  }
  verdicts.length = count;
  entries.length = count;
  const scan: FunctionScan = {
    fn, profile, count, offsets, lengths, verdicts, entries, optCodes: SCRATCH.optCodes, optArgs: SCRATCH.optArgs,
    functionWide: null, errors, summary: { instructions: count, boosted: 0, singleStepped: 0, emulated: 0, refused: 0, depends: 0, optimizable: 0 },
  };
  scan.optCodes.fill(OPT_NONE, 0, count);
  if (profile === 'linux-6.1' && config.optprobes) {
    scan.functionWide = functionWideOptprobeReason(errors.length === 0, indirectJump, hasSite);
    markOptimizable(scan, options);
  }
  summarize(scan);
  return scan;
}

/** The scratch arrays as the optprobe rule reads them (one object, reset per scan). */
class ScannedCandidates implements OptprobeCandidates, OptprobeWording {
  count = 0;
  size = 0;
  address = 0;
  functionWide: string | null = null;
  entries: Array<OpcodeEntry | null> = SCRATCH.entries;
  offsets: Int32Array = SCRATCH.offsets;
  lengths: Uint8Array = SCRATCH.lengths;
  flags: Uint8Array = SCRATCH.flags;
  targetedBytes: Uint8Array = SCRATCH.targeted;

  of(scan: FunctionScan): this {
    this.count = scan.count;
    this.size = scan.fn.bytes.length;
    this.address = scan.fn.address;
    this.functionWide = scan.functionWide;
    this.entries = scan.entries;
    this.offsets = scan.offsets;
    this.lengths = scan.lengths;
    this.flags = SCRATCH.flags;
    this.targetedBytes = SCRATCH.targeted;
    return this;
  }

  offset(k: number): number { return this.offsets[k]!; }
  length(k: number): number { return this.lengths[k]!; }
  // The verdict's canBoost is can_boost of the copied bytes.
  canCopy(k: number): boolean { return (this.flags[k]! & CAN_BOOST) !== 0; }
  targeted(offset: number): boolean { return this.targetedBytes[offset] === 1; }
  mnemonic(k: number): string { return this.entries[k]?.mnemonic ?? '(bad)'; }
}
const CANDIDATES = new ScannedCandidates();
const ARGUMENT: OptprobeArgument = { value: 0 };

/** The optprobe conditions of 6.1, per instruction, in one pass. */
function markOptimizable(scan: FunctionScan, options: ProbeOptions): void {
  const c = CANDIDATES.of(scan);
  const functionWide = scan.functionWide !== null;
  for (let index = 0; index < scan.count; index++) {
    if ((SCRATCH.flags[index]! & REGISTERS) === 0) continue;
    const code = optprobeCode(c, index, options.postHandler, functionWide, ARGUMENT);
    scan.optCodes[index] = code;
    scan.optArgs[index] = ARGUMENT.value;
    if (code === OPT_OK) scan.summary.optimizable++;
  }
}

/** The optprobe answer for one scanned instruction in words, or null where it does not arise. */
export function optimizabilityOf(scan: FunctionScan, index: number): Optimizability | null {
  return optprobeAnswer(scan.optCodes[index]!, scan.optArgs[index]!, new ScannedCandidates().of(scan));
}

/** Whether a scanned probe is optimized, without building its words. */
export function isOptimized(scan: FunctionScan, index: number): boolean {
  return scan.optCodes[index] === OPT_OK;
}

function summarize(scan: FunctionScan): void {
  const s = scan.summary;
  for (let i = 0; i < scan.count; i++) {
    const hit = scan.verdicts[i]?.laterHits ?? 'refused';
    if (hit === 'boosted') s.boosted++;
    else if (hit === 'single-stepped') s.singleStepped++;
    else if (hit === 'emulated') s.emulated++;
    else if (hit === 'depends') s.depends++;
    else s.refused++;
  }
}
