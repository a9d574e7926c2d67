// The static verdict of a probe on one instruction under one profile: can it be registered, can
// it be boosted and by which rule, how its hits execute, and (2.6.x) the `boostable` lifecycle.
// Pure: no emulator, no protocol. The live engine will check itself against these verdicts.

import { decode, relativeTarget, type DecodedInstruction } from '../isa';
import { firstStepOutcome, jumpBackFits } from './boost-lifecycle-2-6';
import type { BoostableFlag, HitExecution, KernelConfig, KernelErrno, ProbeOptions, ProfileId, RuleDecision } from './kprobe-vocabulary';
import { linux2618CanBoost } from './profile-linux-2-6-18';
import { JMP32_SIZE, MAX_INSN_SIZE_6_1, linux61CanBoost, linux61Emulation, linux61Refusal } from './profile-linux-6-1';
import { rfcCanBoost } from './profile-rfc-2-6-15';
import { kprobeHitCost, type HitCost } from './overhead-model';
import { probedInstruction, type ProbedInstruction } from './probed-instruction';

export interface StaticVerdict {
  profile: ProfileId;
  registration: { ok: true } | { ok: false; errno: KernelErrno; rule: string };
  /** What can_boost (or the seed's table) says, with its rule. */
  canBoost: RuleDecision;
  firstHit: HitExecution;
  /** From the second hit on; 'depends' when the first hit's state decides (REP, %ss loads, jcc). */
  laterHits: HitExecution | 'depends';
  /** 2.6.x only: the probe's `boostable` at registration and after its first hit. */
  boostable: { atRegistration: BoostableFlag; afterFirstHit: BoostableFlag | 'depends' } | null;
  /** 2.6.x: what resume_execution does after the step; 6.1: the emulation, if any. */
  fixup: string | null;
  /** Modelled cost of the first hit and of later hits (overhead-model.ts); null when 'depends'. */
  cost: { firstHit: HitCost; laterHits: HitCost | null };
  /** One line a kernel developer reads first. */
  summary: string;
  notes: string[];
}

export type VerdictResult = { ok: true; verdict: StaticVerdict } | { ok: false; error: string };

/**
 * Verdicts depend only on the facts the rules read (probed-instruction.ts): the table entry, the
 * opcode byte, ModRM, the length, the bytes before the opcode (prefixes, VEX) and, for a 2.6.x
 * relative branch, whether the jump back fits after the step to its target (jumpBackFits: all the
 * verdict reads of the displacement); never on immediates, memory displacements or the address.
 * Real code repeats those facts, so results are shared values, memoized by them per profile,
 * options and configuration (one map each). Callers must not mutate them.
 */
const MEMO_LIMIT = 200_000;
/** A direct-mapped cache of 2^CACHE_BITS slots in front of each map, tagged by two int32s. */
const CACHE_BITS = 14;

interface Memo {
  map: Map<number | string, VerdictResult>;
  /** Per slot: the facts and prefix code of the key held there (prefix code -2: empty). */
  facts: Int32Array;
  prefixes: Int32Array;
  results: Array<VerdictResult | undefined>;
}

const memos = new Map<string, Memo>();

/** The last variant's memo: a whole function (or kernel) asks with the same objects again and again. */
let last: { profile: ProfileId; options: ProbeOptions; config: KernelConfig; memo: Memo } | null = null;

function memoFor(profile: ProfileId, options: ProbeOptions, config: KernelConfig): Memo {
  if (last !== null && last.profile === profile && last.options === options && last.config === config) return last.memo;
  const variant = `${profile}${options.postHandler ? 1 : 0}${config.preemption ? 1 : 0}${config.optprobes ? 1 : 0}`;
  let memo = memos.get(variant);
  if (memo === undefined) {
    const slots = 1 << CACHE_BITS;
    memo = { map: new Map(), facts: new Int32Array(slots), prefixes: new Int32Array(slots).fill(-2), results: new Array<undefined>(slots).fill(undefined) };
    memos.set(variant, memo);
  }
  last = { profile, options, config, memo };
  return memo;
}

/** Above one and two prefix bytes: an unprefixed 2.6.x relative branch, by jumpBackFits. */
const RELATIVE_SLOT = 257 + 256 * 256;
/** Room for the facts below the prefix code in a numeric key. */
const FACTS_RANGE = 2 ** 32;

/** Entry, opcode, ModRM and length in one int32 (entry ids stay below 2^11), or -1 past that. */
function factsOf(insn: DecodedInstruction): number {
  const facts = ((insn.entry!.id * 256 + insn.opcode) * 257 + (insn.modrm + 1)) * 16 + insn.length;
  return facts <= 0x7fffffff ? facts : -1;
}

/**
 * The bytes before the opcode (and for a 2.6.x relative branch, jumpBackFits) as a number: 0
 * without any, 1 + byte for one, 257 + 256 * first + second for two, RELATIVE_SLOT + fits for
 * an unprefixed relative branch; -1 when only a string key can hold them.
 */
function prefixCodeOf(profile: ProfileId, insn: DecodedInstruction, code: Uint8Array, start: number): number {
  const before = insn.prefixes.count;
  if (profile !== 'linux-6.1' && insn.entry!.relative) return before === 0 ? RELATIVE_SLOT + fitsOf(insn) : -1;
  if (before === 0) return 0;
  if (before === 1) return 1 + code[start]!;
  if (before === 2) return 257 + code[start]! * 256 + code[start + 1]!;
  return -1;
}

/** The IP offset in the slot after a step to the branch target, as the 2.6.x lifecycle computes it. */
function fitsOf(insn: DecodedInstruction): number {
  return jumpBackFits(insn.length + ((relativeTarget(insn) - (insn.address + insn.length)) | 0)) ? 1 : 0;
}

/** The map key: a number when the facts and prefixes fit one, else a string of all of them. */
function memoKey(profile: ProfileId, insn: DecodedInstruction, code: Uint8Array, start: number, facts: number, prefixCode: number): number | string {
  if (facts >= 0 && prefixCode >= 0) return facts + FACTS_RANGE * prefixCode;
  let key = `${((insn.entry!.id * 256 + insn.opcode) * 257 + (insn.modrm + 1)) * 16 + insn.length}:`;
  for (let i = 0; i < insn.prefixes.count; i++) key += String.fromCharCode(code[start + i]! + 0x100);
  if (profile !== 'linux-6.1' && insn.entry!.relative) key += `r${fitsOf(insn)}`;
  return key;
}

export function staticVerdict(
  profile: ProfileId,
  insn: DecodedInstruction,
  options: ProbeOptions,
  config: KernelConfig,
): VerdictResult {
  if (!insn.valid || insn.entry === null) return computeVerdict(profile, insn, options, config);
  return memoized(profile, insn, insn.bytes, 0, options, config, false);
}

/**
 * The verdict of a valid instruction that decodeIntoChecked read at `code[offset]` (no operands,
 * no bytes view): only a memo miss decodes it fully. Shares the memo with staticVerdict.
 */
export function staticVerdictOfScanned(
  profile: ProfileId,
  insn: DecodedInstruction,
  code: Uint8Array,
  offset: number,
  options: ProbeOptions,
  config: KernelConfig,
): VerdictResult {
  return memoized(profile, insn, code, offset, options, config, true);
}

function memoized(
  profile: ProfileId,
  insn: DecodedInstruction,
  code: Uint8Array,
  start: number,
  options: ProbeOptions,
  config: KernelConfig,
  scanned: boolean,
): VerdictResult {
  const memo = memoFor(profile, options, config);
  const facts = factsOf(insn);
  const prefixCode = prefixCodeOf(profile, insn, code, start);
  // The cache compares int32s only, so a hit allocates nothing (a numeric key past 2^31 would).
  const slot = facts >= 0 && prefixCode >= 0 ? Math.imul(facts ^ Math.imul(prefixCode, 0x85ebca6b), 0x9e3779b1) >>> (32 - CACHE_BITS) : -1;
  if (slot >= 0 && memo.facts[slot] === facts && memo.prefixes[slot] === prefixCode) return memo.results[slot]!;
  const key = memoKey(profile, insn, code, start, facts, prefixCode);
  let result = memo.map.get(key);
  if (result === undefined) {
    if (memo.map.size >= MEMO_LIMIT) memo.map.clear();
    result = computeVerdict(profile, scanned ? decode(code, start, insn.address) : insn, options, config);
    memo.map.set(key, result);
  }
  if (slot >= 0) {
    memo.facts[slot] = facts;
    memo.prefixes[slot] = prefixCode;
    memo.results[slot] = result;
  }
  return result;
}

function computeVerdict(
  profile: ProfileId,
  insn: DecodedInstruction,
  options: ProbeOptions,
  config: KernelConfig,
): VerdictResult {
  const p = probedInstruction(insn);
  if (p === null) return { ok: false, error: `cannot probe an invalid instruction: ${insn.error ?? 'unknown encoding'}` };
  const partial = profile === 'linux-6.1' ? verdict61(p, options, config) : verdict26(profile, p, options, config);
  const cost = {
    firstHit: kprobeHitCost(profile, partial.firstHit),
    laterHits: partial.laterHits === 'depends' ? null : kprobeHitCost(profile, partial.laterHits),
  };
  return { ok: true, verdict: { ...partial, cost } };
}

function verdict26(profile: ProfileId, p: ProbedInstruction, options: ProbeOptions, config: KernelConfig): Omit<StaticVerdict, 'cost'> {
  const canBoost = profile === 'rfc-2.6.15' ? rfcCanBoost(p) : linux2618CanBoost(p);
  const atRegistration: BoostableFlag = canBoost.ok ? 0 : -1;
  const step = firstStepOutcome(profile, p, atRegistration);
  const notes = [...step.notes];
  const boosterOff = options.postHandler || config.preemption;
  if (options.postHandler) notes.push(`a post_handler${profile === 'rfc-2.6.15' ? ' (or break_handler)' : ''} disables the booster`);
  if (config.preemption) notes.push(profile === 'rfc-2.6.15' ? 'the booster is off where preemption is enabled' : 'the booster is compiled out on CONFIG_PREEMPT kernels');
  let laterHits: HitExecution | 'depends' = 'single-stepped';
  if (!boosterOff && step.after === 1) laterHits = 'boosted';
  else if (!boosterOff && step.after === 'depends') laterHits = 'depends';
  const because = atRegistration === -1 && step.after === 1 ? step.fixup : canBoost.rule;
  const summary =
    laterHits === 'boosted' ? `boosted from the second hit on (${because})`
      : laterHits === 'depends' ? 'boosted or single-stepped: the first hit decides'
        : `single-stepped on every hit (${boosterOff && step.after === 1 ? notes[notes.length - 1] : canBoost.rule})`;
  return {
    profile,
    registration: { ok: true },
    canBoost,
    firstHit: 'single-stepped',
    laterHits,
    boostable: { atRegistration, afterFirstHit: step.after },
    fixup: step.fixup,
    summary,
    notes,
  };
}

function verdict61(p: ProbedInstruction, options: ProbeOptions, config: KernelConfig): Omit<StaticVerdict, 'cost'> {
  const notes: string[] = [];
  if (p.entry.kernelDecoderMissesModrm) notes.push("the kernel's decoder gives this opcode no ModRM, so its length is wrong there: verdict unreliable");
  const canBoost = linux61CanBoost(p);
  const refusal = linux61Refusal(p);
  const base = { profile: 'linux-6.1' as const, canBoost, boostable: null, notes };
  if (refusal) {
    return { ...base, registration: { ok: false, ...refusal }, firstHit: 'refused', laterHits: 'refused', fixup: null, summary: refusal.rule };
  }
  const fits = MAX_INSN_SIZE_6_1 - p.length >= JMP32_SIZE;
  const boosted = canBoost.ok && fits && !config.preemption && !options.postHandler;
  const emulation = linux61Emulation(p);
  const execution: HitExecution = boosted ? 'boosted' : emulation ? 'emulated' : 'single-stepped';
  let summary = boosted ? `boosted (${canBoost.rule})` : emulation ?? `single-stepped by a second int3 (${canBoost.rule})`;
  if (!boosted && canBoost.ok) {
    const why = !fits ? 'the jump back does not fit in the slot' : config.preemption ? 'this kernel is preemptible' : 'the probe has a post_handler';
    summary = `boostable, but ${why}: ${execution} instead`;
    notes.push(`${summary}${config.preemption && config.optprobes ? ' (an optprobe may still replace the int3 with a jump)' : ''}`);
  }
  if (execution === 'single-stepped' && p.length + 1 > MAX_INSN_SIZE_6_1) {
    return { ...base, registration: { ok: false, errno: 'ENOSPC', rule: 'no room for the int3 after the copy: -ENOSPC' }, firstHit: 'refused', laterHits: 'refused', fixup: null, summary: 'no room for the int3 after the copy: -ENOSPC' };
  }
  if (execution === 'emulated') summary = emulation!;
  else if (execution === 'single-stepped' && canBoost.ok && !boosted) summary = `${summary}; ${canBoost.rule}`;
  return { ...base, registration: { ok: true }, firstHit: execution, laterHits: execution, fixup: emulation, summary };
}
