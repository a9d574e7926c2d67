// What 2.6.x's resume_execution does after the first single-step, switching on the copy's first
// byte with no prefix skipping: the fix-up it applies and the `boostable` value it leaves. Shared
// by rfc-2.6.15 and linux-2.6.18, which differ in a few cases (see kprobes-reference.md §2, §3).

import type { BoostableFlag, ProfileId } from './kprobe-vocabulary';
import { facts as f, type ProbedInstruction } from './probed-instruction';

/** Instruction slot size on 2.6.x i386: the jump-back fits when (ip - slot) + 5 < 16. */
export const MAX_INSN_SIZE_2_6 = 16;

export interface FirstStepOutcome {
  fixup: string;
  /** `boostable` after the first hit, or 'depends' when the first hit's state decides. */
  after: BoostableFlag | 'depends';
  notes: string[];
}

/** Offset of the IP from the slot start after the single-step, or null when outside the slot. */
function ipOffsetAfterStep(p: ProbedInstruction): number | 'depends' | null {
  const e = p.entry;
  if (f.relativeJump(p)) {
    const target = p.insn.operands[0];
    return target?.kind === 'rel' ? p.length + ((target.target - (p.insn.address + p.length)) | 0) : null;
  }
  if (e.flow === 'jcc' || e.flow === 'loop') return 'depends';
  if (e.flow !== null) return null;
  return p.length;
}

/**
 * Whether the jump back fits after an IP `offset` bytes into the slot: the one fact of a relative
 * jmp's displacement that a 2.6.x verdict reads (static-verdict.ts keys its memo by it).
 */
export function jumpBackFits(offset: number): boolean {
  return offset > 0 && offset + 5 < MAX_INSN_SIZE_2_6;
}

/** The lazy rule: write the jump-back if the IP stayed inside the slot with room for it. */
function lazyRule(p: ProbedInstruction, before: BoostableFlag): BoostableFlag | 'depends' {
  if (before !== 0) return before;
  if (f.repeatedString(p) || f.loadsStackSegment(p)) return 'depends';
  const offset = ipOffsetAfterStep(p);
  if (offset === 'depends') return 'depends';
  return offset !== null && jumpBackFits(offset) ? 1 : -1;
}

export function firstStepOutcome(profile: ProfileId, p: ProbedInstruction, before: BoostableFlag): FirstStepOutcome {
  const notes: string[] = [];
  const prefixed = p.prefixes.length > 0;
  const linux2618 = profile === 'linux-2.6.18';
  if (f.repeatedString(p)) notes.push('REP string under TF traps after one iteration with the IP back on the instruction unless (E)CX <= 1: the first hit decides');
  if (f.loadsStackSegment(p)) notes.push('a load of %ss holds the TF trap back for one more instruction: the first hit decides');
  if (!prefixed) {
    if (f.pushesFlags(p)) return { fixup: 'pushf: TF/IF in the pushed flags restored to their original values, IP relocated', after: lazyRule(p, before), notes };
    if (f.nearReturn(p) || f.farReturn(p) || f.farDirect(p, 'jmp') || (linux2618 && f.interruptReturn(p))) {
      return { fixup: `${p.entry.att}: the IP is already right, no relocation`, after: 1, notes };
    }
    if (f.relativeCall(p)) return { fixup: 'call: the pushed return address rewritten to orig + (pushed - slot), IP relocated', after: lazyRule(p, before), notes };
    if (linux2618 && f.farDirect(p, 'call')) return { fixup: 'lcall: the pushed return address fixed; the IP is already right', after: -1, notes };
    if (f.nearIndirect(p, 'call') || f.farIndirect(p) && p.entry.flow === 'call') {
      return { fixup: 'indirect call: the pushed return address fixed; the IP is already right', after: -1, notes };
    }
    if (f.nearIndirect(p, 'jmp') || (f.farIndirect(p) && p.entry.flow === 'jmp')) {
      return { fixup: 'indirect jmp: the IP is already right, boostable set to 1 (overriding the table)', after: 1, notes };
    }
  } else if (p.entry.flow === 'ret' || p.entry.flow === 'iret' || p.entry.far || p.entry.indirect) {
    notes.push(`kernel bug: the fix-up switches on the first byte (a prefix here), so this ${p.entry.att} gets no special case and its IP is relocated as if it were relative`);
  }
  if (!linux2618 && (f.interruptReturn(p) || f.farDirect(p, 'call'))) {
    notes.push(`rfc-2.6.15 has no fix-up case for ${p.entry.att}: its IP is relocated as if relative, which is wrong`);
  }
  return { fixup: 'no special case: IP relocated to orig + (ip - slot)', after: lazyRule(p, before), notes };
}
