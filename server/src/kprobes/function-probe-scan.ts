// The verdicts of every probe in a function without building a decoded instruction, a result
// object or a message per instruction: the whole-kernel path of `kboost analyze`. Instructions are
// scanned with decodeIntoChecked, verdicts are the memoized shared values (with their kernel-area
// variants memoized too), and the optprobe conditions are coded as numbers that turn into words
// only when asked (optimizabilityOf). analyzeFunction builds its per-instruction view on this.

import { decodeIntoChecked, newDecodedInstruction, relativeTarget, type OpcodeEntry } from '../isa';
import type { HitExecution, KernelConfig, ProbeOptions, ProfileId } from './kprobe-vocabulary';
import { kprobeHitCost } from './overhead-model';
import { JMP32_SIZE } from './profile-linux-6-1';
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

export interface Optimizability {
  ok: boolean;
  why: string;
  /** When ok: the bytes of the whole instructions the jump covers, copied into the detour buffer. */
  copied?: number;
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

/** Why (or that) a probe is optimized, as a number; OPT_NONE where the question does not arise. */
const OPT_NONE = 0;
const OPT_OK = 1; // argument: bytes copied
const OPT_POST_HANDLER = 2;
const OPT_FUNCTION_WIDE = 3;
const OPT_TOO_CLOSE_TO_END = 4;
const OPT_TARGET_INSIDE = 5; // argument: the targeted address
const OPT_PAST_END = 6;
const OPT_COPIED_NOT_BOOSTABLE = 7; // argument: index of the copied instruction

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
    const none = kprobeHitCost('linux-6.1', 'refused');
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
      if (entry.flow === 'jmp' && (entry.indirect || entry.far)) indirectJump = true;
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

/** The reason that rules optprobes out for a whole function, or null. */
export function functionWideOptprobeReason(decodesCompletely: boolean, hasIndirectJump: boolean, hasExceptionTableSites: boolean): string | null {
  return !decodesCompletely ? 'the function does not decode completely'
    : hasIndirectJump ? 'the function has an indirect jump (a jump table could land inside the detour jump)'
      : hasExceptionTableSites ? 'the function has exception-table entries'
        : null;
}

/** The optprobe conditions of 6.1 (kprobes-reference.md §4), per instruction, in one pass. */
function markOptimizable(scan: FunctionScan, options: ProbeOptions): void {
  for (let index = 0; index < scan.count; index++) {
    if ((SCRATCH.flags[index]! & REGISTERS) === 0) continue;
    const code = optimizability(scan, index, options);
    scan.optCodes[index] = code;
    if (code === OPT_OK) scan.summary.optimizable++;
  }
}

function optimizability(scan: FunctionScan, index: number, options: ProbeOptions): number {
  const { fn, count, offsets, lengths, optArgs } = scan;
  if (options.postHandler) return OPT_POST_HANDLER;
  if (scan.functionWide !== null) return OPT_FUNCTION_WIDE;
  const at = offsets[index]!;
  if (fn.bytes.length - at < JMP32_SIZE) return OPT_TOO_CLOSE_TO_END;
  const targeted = SCRATCH.targeted;
  for (let a = at + 1; a < at + JMP32_SIZE; a++) {
    if (targeted[a] === 1) return (optArgs[index] = fn.address + a, OPT_TARGET_INSIDE);
  }
  let covered = 0;
  for (let k = index; covered < JMP32_SIZE; k++) {
    if (k >= count) return OPT_PAST_END;
    // The verdict's canBoost is can_boost of the copied bytes. Exception-table sites need no
    // check here: a function with one is refused as a whole (functionWide).
    if ((SCRATCH.flags[k]! & CAN_BOOST) === 0) return (optArgs[index] = k, OPT_COPIED_NOT_BOOSTABLE);
    covered += lengths[k]!;
  }
  optArgs[index] = covered;
  return OPT_OK;
}

/** The optprobe answer for one scanned instruction in words, or null where it does not arise. */
export function optimizabilityOf(scan: FunctionScan, index: number): Optimizability | null {
  const arg = scan.optArgs[index]!;
  switch (scan.optCodes[index]) {
    case OPT_OK: return { ok: true, why: `optimized: the int3 is replaced by a jump to a detour buffer (${arg} bytes copied)`, copied: arg };
    case OPT_POST_HANDLER: return { ok: false, why: 'the probe has a post_handler' };
    case OPT_FUNCTION_WIDE: return { ok: false, why: scan.functionWide! };
    case OPT_TOO_CLOSE_TO_END: return { ok: false, why: 'fewer than 5 bytes to the end of the function' };
    case OPT_TARGET_INSIDE: return { ok: false, why: `a jump in the function targets 0x${arg.toString(16)}, inside the 5 bytes the detour jump would cover` };
    case OPT_PAST_END: return { ok: false, why: 'the copied instructions would run past the end of the function' };
    case OPT_COPIED_NOT_BOOSTABLE: {
      const address = scan.fn.address + scan.offsets[arg]!;
      const mnemonic = scan.entries[arg]?.mnemonic ?? '(bad)';
      return { ok: false, why: `the copied instruction at 0x${address.toString(16)} (${mnemonic}) does not pass can_boost` };
    }
    default: return null;
  }
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
