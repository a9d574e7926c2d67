// The engine's per-address and per-CPU records: a ProbeSite (one probed address: its slot, the byte
// under the int3, the aggregated probes) and the kprobe control block (current probe, status, the
// flags to restore after the step, and the one saved outer block of a re-entry).

import { EFLAGS } from '../../cpu';
import type { DecodedInstruction } from '../../isa';
import type { Optimizability } from '../function-probe-analysis';
import type { BoostableFlag, ProfileId } from '../kprobe-vocabulary';
import type { StaticVerdict } from '../static-verdict';
import type { KprobeStatus, LiveKprobe } from './live-probe-types';

const { TF, IF } = EFLAGS;

/** One probed address: its slot, the byte under the int3, and the aggregated probes. */
export interface ProbeSite {
  readonly address: number;
  readonly insn: DecodedInstruction;
  readonly verdict: StaticVerdict;
  readonly slot: number;
  readonly copy: Uint8Array;
  readonly original: number;
  readonly probes: LiveKprobe[];
  /** 2.6.x: the probe's boostable flag. */
  boostable: BoostableFlag;
  /**
   * 6.1: the copy is followed by a jmp back (decided at registration), else by an int3. It turns
   * false when a post_handler joins the aggregate (the slot gets its int3 so the hit can step).
   */
  boosted: boolean;
  /** 6.1: the instruction is emulated, never run from the slot. */
  readonly emulated: boolean;
  /** Where a jump-back sits in the slot, if any. */
  jumpBackAt: number | null;
  /** 6.1 with CONFIG_OPTPROBES: the static optprobe verdict at registration (null: not applicable). */
  readonly optimizable: Optimizability | null;
  /** The installed optprobe: the jmp rel32 over the probed address leads to this detour buffer. */
  detour: InstalledDetour | null;
}

export interface InstalledDetour {
  buffer: number;
  /** Bytes of whole instructions copied into the buffer (at least 5). */
  copied: number;
  /** The original bytes under the jump's last four bytes (the first is `original`). */
  covered: Uint8Array;
  callout: number;
}

export interface ControlBlock {
  site: ProbeSite | null;
  status: KprobeStatus;
  /** TF/IF (2.6.x) or IF (6.1) to OR back after the step; oldFlags: as found at the hit. */
  savedFlags: number;
  oldFlags: number;
  hit: number;
}

export const idleControlBlock = (): ControlBlock => ({ site: null, status: 'HIT_ACTIVE', savedFlags: 0, oldFlags: 0, hit: 0 });

/** The control block of a new hit: the flags the step will clear, saved to be restored after it. */
export function controlBlockFor(profile: ProfileId, eflags: number, site: ProbeSite, hit: number): ControlBlock {
  const flags = eflags & (profile === 'linux-6.1' ? IF : TF | IF);
  let saved = flags;
  // 2.6.x: cli/sti/popf/iret ("IF modifiers") keep IF cleared in the saved flags.
  if (profile !== 'linux-6.1' && site.insn.entry?.writesIF) saved &= ~IF;
  return { site, status: 'HIT_ACTIVE', savedFlags: saved, oldFlags: flags, hit };
}

export function hasPostHandler(site: ProbeSite): boolean {
  return site.probes.some((p) => p.postHandler !== null);
}
