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
const memos = new Map<string, Map<number | string, VerdictResult>>();
const MEMO_LIMIT = 200_000;

/** The last variant's map: a whole function (or kernel) asks with the same objects again and again. */
let last: { profile: ProfileId; options: ProbeOptions; config: KernelConfig; memo: Map<number | string, VerdictResult> } | null = null;

function memoFor(profile: ProfileId, options: ProbeOptions, config: KernelConfig): Map<number | string, VerdictResult> {
  if (last !== null && last.profile === profile && last.options === options && last.config === config) return last.memo;
  const variant = `${profile}${options.postHandler ? 1 : 0}${config.preemption ? 1 : 0}${config.optprobes ? 1 : 0}`;
  let memo = memos.get(variant);
  if (memo === undefined) memos.set(variant, (memo = new Map()));
  last = { profile, options, config, memo };
  return memo;
}

/** Room for the facts (the entry id is below 2^11): prefixed keys stack prefix bytes above it. */
const FACTS_RANGE = 2 ** 32;
/** Above one and two prefix bytes: an unprefixed 2.6.x relative branch, by jumpBackFits. */
const RELATIVE_SLOT = 257 + 256 * 256;

/**
 * The memo key of an instruction whose bytes are `code[start..]`. Up to two prefix bytes stay a
 * number (no string per instruction), as does an unprefixed 2.6.x relative branch; the rest
 * (more prefixes, VEX, prefixed branches) give a string.
 */
function memoKey(profile: ProfileId, insn: DecodedInstruction, code: Uint8Array, start: number): number | string {
  const entry = insn.entry!;
  const facts = ((entry.id * 256 + insn.opcode) * 257 + (insn.modrm + 1)) * 16 + insn.length;
  const before = insn.prefixes.count;
  const relative = profile !== 'linux-6.1' && entry.relative;
  // The IP offset in the slot after a step to the target, as the 2.6.x lifecycle computes it.
  const fits = relative && jumpBackFits(insn.length + ((relativeTarget(insn) - (insn.address + insn.length)) | 0)) ? 1 : 0;
  if (relative && before === 0) return facts + FACTS_RANGE * (RELATIVE_SLOT + fits);
  if (!relative) {
    if (before === 0) return facts;
    if (before === 1) return facts + FACTS_RANGE * (1 + code[start]!);
    if (before === 2) return facts + FACTS_RANGE * (257 + code[start]! * 256 + code[start + 1]!);
  }
  let key = `${facts}:`;
  for (let i = 0; i < before; i++) key += String.fromCharCode(code[start + i]! + 0x100);
  if (relative) key += `r${fits}`;
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
  const key = memoKey(profile, insn, code, start);
  let result = memo.get(key);
  if (result === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    result = computeVerdict(profile, scanned ? decode(code, start, insn.address) : insn, options, config);
    memo.set(key, result);
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
