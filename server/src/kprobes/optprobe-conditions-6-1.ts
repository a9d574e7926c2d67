// The linux-6.1 optprobe conditions (kprobes-reference.md §4), written once: whether the int3 of a
// probe could be replaced by a jump into a detour buffer. The whole-kernel scan (typed arrays) and
// the editor's re-analysis (reused instruction lists) both ask this one rule through a small
// accessor interface; the answer is a code and a number, turned into words only on demand.

import type { OpcodeEntry } from '../isa';
import { JMP32_SIZE } from './profile-linux-6-1';

export interface Optimizability {
  ok: boolean;
  why: string;
  /** When ok: the bytes of the whole instructions the jump covers, copied into the detour buffer. */
  copied?: number;
}

/** What the rule reads of a function's instructions (index k: the k-th instruction). */
export interface OptprobeCandidates {
  /** Instructions in the function. */
  readonly count: number;
  /** Bytes in the function. */
  readonly size: number;
  /** Offset of instruction k from the function's start. */
  offset(k: number): number;
  length(k: number): number;
  /** Whether instruction k passes can_boost, as a copied instruction must. */
  canCopy(k: number): boolean;
  /** Whether a relative jump or call of the function lands at this offset. */
  targeted(offset: number): boolean;
}

/** Why (or that) a probe is optimized, as a number; OPT_NONE where the question does not arise. */
export const OPT_NONE = 0;
export const OPT_OK = 1; // argument: bytes copied
const OPT_POST_HANDLER = 2;
const OPT_FUNCTION_WIDE = 3;
const OPT_TOO_CLOSE_TO_END = 4;
const OPT_TARGET_INSIDE = 5; // argument: the targeted offset
const OPT_PAST_END = 6;
const OPT_COPIED_NOT_BOOSTABLE = 7; // argument: index of the copied instruction

/** The rule's number beside its code (bytes copied, an offset or an index; see the codes). */
export interface OptprobeArgument { value: number }

/**
 * The optprobe code of the registered probe at instruction `index`; the argument goes to `out`.
 * `functionWide`: a reason rules out every probe of the function (functionWideOptprobeReason).
 */
export function optprobeCode(c: OptprobeCandidates, index: number, postHandler: boolean, functionWide: boolean, out: OptprobeArgument): number {
  if (postHandler) return OPT_POST_HANDLER;
  if (functionWide) return OPT_FUNCTION_WIDE;
  const at = c.offset(index);
  if (c.size - at < JMP32_SIZE) return OPT_TOO_CLOSE_TO_END;
  for (let a = at + 1; a < at + JMP32_SIZE; a++) {
    if (c.targeted(a)) return (out.value = a, OPT_TARGET_INSIDE);
  }
  let covered = 0;
  for (let k = index; covered < JMP32_SIZE; k++) {
    if (k >= c.count) return OPT_PAST_END;
    // Exception-table sites need no check here: a function with one is refused as a whole.
    if (!c.canCopy(k)) return (out.value = k, OPT_COPIED_NOT_BOOSTABLE);
    covered += c.length(k);
  }
  out.value = covered;
  return OPT_OK;
}

/** What the words need beside the code: where the function is and what instruction k is. */
export interface OptprobeWording {
  address: number;
  functionWide: string | null;
  offset(k: number): number;
  mnemonic(k: number): string;
}

/** An optprobe code and its argument in words, or null where the question does not arise. */
export function optprobeAnswer(code: number, arg: number, w: OptprobeWording): Optimizability | null {
  switch (code) {
    case OPT_OK: return { ok: true, why: `optimized: the int3 is replaced by a jump to a detour buffer (${arg} bytes copied)`, copied: arg };
    case OPT_POST_HANDLER: return { ok: false, why: 'the probe has a post_handler' };
    case OPT_FUNCTION_WIDE: return { ok: false, why: w.functionWide! };
    case OPT_TOO_CLOSE_TO_END: return { ok: false, why: 'fewer than 5 bytes to the end of the function' };
    case OPT_TARGET_INSIDE: return { ok: false, why: `a jump in the function targets 0x${(w.address + arg).toString(16)}, inside the 5 bytes the detour jump would cover` };
    case OPT_PAST_END: return { ok: false, why: 'the copied instructions would run past the end of the function' };
    case OPT_COPIED_NOT_BOOSTABLE:
      return { ok: false, why: `the copied instruction at 0x${(w.address + w.offset(arg)).toString(16)} (${w.mnemonic(arg)}) does not pass can_boost` };
    default: return null;
  }
}

/** Answers whose words read only the code and number, shared (an analysis keeps one per probe). */
const sharedAnswers = new Map<number, Optimizability | null>();

/** A refusal that quotes an address or an instruction: worded when first read (diagnostics read only `ok`). */
class RefusalWordedOnRead implements Optimizability {
  readonly ok = false;
  private text: string | undefined;
  constructor(private readonly code: number, private readonly arg: number, private readonly w: OptprobeWording) {}

  get why(): string {
    return (this.text ??= optprobeAnswer(this.code, this.arg, this.w)!.why);
  }
}

/**
 * optprobeAnswer, with one shared value per code and number where the words quote nothing of the
 * function, and words that quote it made when first read.
 */
export function sharedOptprobeAnswer(code: number, arg: number, w: OptprobeWording): Optimizability | null {
  if (code === OPT_FUNCTION_WIDE) return optprobeAnswer(code, arg, w);
  if (code === OPT_TARGET_INSIDE || code === OPT_COPIED_NOT_BOOSTABLE) return new RefusalWordedOnRead(code, arg, w);
  const key = code * 65536 + arg;
  let shared = sharedAnswers.get(key);
  if (shared === undefined) sharedAnswers.set(key, (shared = optprobeAnswer(code, arg, w)));
  return shared;
}

/**
 * An argument as a distance from its probe (an offset from the probe's offset, an index from its
 * index), so that it stays true when the function's instructions move; `absoluteOptprobeArgument` undoes it.
 */
export function relativeOptprobeArgument(code: number, arg: number, offset: number, index: number): number {
  return code === OPT_TARGET_INSIDE ? arg - offset : code === OPT_COPIED_NOT_BOOSTABLE ? arg - index : arg;
}

export function absoluteOptprobeArgument(code: number, relative: number, offset: number, index: number): number {
  return code === OPT_TARGET_INSIDE ? relative + offset : code === OPT_COPIED_NOT_BOOSTABLE ? relative + index : relative;
}

/** The reason that rules optprobes out for a whole function, or null. */
export function functionWideOptprobeReason(decodesCompletely: boolean, hasIndirectJump: boolean, hasExceptionTableSites: boolean): string | null {
  return !decodesCompletely ? 'the function does not decode completely'
    : hasIndirectJump ? 'the function has an indirect jump (a jump table could land inside the detour jump)'
      : hasExceptionTableSites ? 'the function has exception-table entries'
        : null;
}

/** An indirect or far jmp: a jump table could land anywhere in the function. */
export function isIndirectJump(entry: OpcodeEntry): boolean {
  return entry.flow === 'jmp' && (entry.indirect || entry.far);
}
