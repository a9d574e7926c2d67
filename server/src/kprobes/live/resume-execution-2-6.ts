// 2.6.x's resume_execution after the TF single-step of a copy (kprobes-reference.md §2, §3): the
// fix-up chosen by the copy's FIRST byte (no prefix skipping: the 2.6.18 prefix bug follows), the
// lazy rule that writes the jump-back into the slot, and the IP relocation orig + (ip - slot).

import type { Machine } from '../../cpu';
import type { BoostableFlag, ProfileId } from '../kprobe-vocabulary';
import { jmpRel32 } from './text-poke-and-slot-page';

const TF_IF = (1 << 8) | (1 << 9);
/** The 2.6.x slot: the jump-back fits when (ip - slot) + 5 < 16. */
export const SLOT_SIZE_2_6 = 16;

export interface SteppedCopy {
  address: number;
  slot: number;
  /** The copied instruction bytes (first byte = the original first byte). */
  copy: Uint8Array;
}

export interface ResumeOutcome {
  rule: string;
  boostable: BoostableFlag;
  /** Where the lazy rule wrote the jump-back, and its bytes. */
  jumpBack: { at: number; bytes: number[] } | null;
}

/**
 * Applies the fix-up to the machine (TF already cleared by the caller, who ORs the saved TF/IF back
 * afterwards). `oldFlags` is the TF/IF of the probed context; writeSlot writes into the slot page.
 */
export function resumeExecution26(
  profile: ProfileId,
  m: Machine,
  s: SteppedCopy,
  boostable: BoostableFlag,
  oldFlags: number,
  writeSlot: (at: number, bytes: number[]) => void,
): ResumeOutcome {
  const linux2618 = profile === 'linux-2.6.18';
  const sp = m.regs[4]!;
  const fixReturnAddress = () => m.memory.write32(sp, (s.address + (m.memory.read32(sp) - s.slot)) >>> 0);
  const first = s.copy[0]!;
  const reg = ((s.copy[1] ?? 0) >> 3) & 7;
  const noChange = (rule: string, b: BoostableFlag): ResumeOutcome => ({ rule, boostable: b, jumpBack: null });
  let rule = 'no special case';
  switch (true) {
    case first === 0x9c:
      m.memory.write32(sp, ((m.memory.read32(sp) & ~TF_IF) | oldFlags) >>> 0);
      rule = 'pushf: TF/IF of the pushed flags put back';
      break;
    case first === 0xc2 || first === 0xc3 || first === 0xca || first === 0xcb || first === 0xea || (linux2618 && first === 0xcf):
      return noChange('ret/lret/iret/ljmp: the IP is already right; boostable = 1', 1);
    case first === 0xe8:
      fixReturnAddress();
      rule = 'call: pushed return address = orig + (pushed - slot)';
      break;
    case linux2618 && first === 0x9a:
      fixReturnAddress();
      return noChange('lcall: pushed return address fixed; the IP is already right', boostable);
    case first === 0xff && (reg === 2 || reg === 3):
      fixReturnAddress();
      return noChange('indirect call: pushed return address fixed; the IP is already right', boostable);
    case first === 0xff && (reg === 4 || reg === 5):
      return noChange('indirect jmp: the IP is already right; boostable = 1', 1);
  }
  const ip = m.eip;
  let jumpBack: ResumeOutcome['jumpBack'] = null;
  let after = boostable;
  if (boostable === 0) {
    if (ip > s.slot && ip - s.slot + 5 < SLOT_SIZE_2_6) {
      jumpBack = { at: ip, bytes: jmpRel32(ip, s.address + (ip - s.slot)) };
      writeSlot(jumpBack.at, jumpBack.bytes);
      after = 1;
    } else after = -1;
  }
  m.eip = (s.address + (ip - s.slot)) >>> 0;
  return { rule: `${rule}; IP relocated to orig + (ip - slot)`, boostable: after, jumpBack };
}
