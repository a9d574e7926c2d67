// The words of the kprobe engine, shared by its profiles, its static verdicts and its callers:
// profile ids, the kernel's error numbers, how a probe hit executes, and the probe's options.

export type ProfileId = 'rfc-2.6.15' | 'linux-2.6.18' | 'linux-6.1';

export const PROFILE_IDS: readonly ProfileId[] = ['rfc-2.6.15', 'linux-2.6.18', 'linux-6.1'];

/** What register_kprobe returns when it refuses a probe, by the kernel's names. */
export type KernelErrno = 'EILSEQ' | 'EINVAL' | 'EOPNOTSUPP' | 'ENOSPC';

/** How a probe hit runs the probed instruction. */
export type HitExecution =
  | 'boosted' // the copy runs in the slot and jumps back: no second trap
  | 'single-stepped' // the copy runs under a trap (TF or a second int3), then a fix-up
  | 'emulated' // the kernel computes the instruction's effect; the copy never runs
  | 'refused'; // register_kprobe failed: no probe, no hit

/** The `boostable` field of an i386 kprobe in 2.6.x: -1 never, 0 not measured yet, 1 boosted. */
export type BoostableFlag = -1 | 0 | 1;

/** Options of one probe that change what a hit does. */
export interface ProbeOptions {
  /** A post_handler (or, in rfc-2.6.15, a break_handler) disables boosting. */
  postHandler: boolean;
}

/** Kernel configuration the profiles depend on. */
export interface KernelConfig {
  /** CONFIG_PREEMPT (2.6.x) / CONFIG_PREEMPTION (6.1): the booster is off or compiled out. */
  preemption: boolean;
  /** CONFIG_OPTPROBES (6.1 only). */
  optprobes: boolean;
}

/** The default configuration of each generation as it is usually met. */
export const DEFAULT_KERNEL_CONFIG: Record<ProfileId, KernelConfig> = {
  'rfc-2.6.15': { preemption: false, optprobes: false },
  'linux-2.6.18': { preemption: false, optprobes: false },
  // Debian's i386 6.1 kernel (686 flavour): PREEMPT_DYNAMIC implies PREEMPTION; OPTPROBES on.
  'linux-6.1': { preemption: true, optprobes: true },
};

/** A rule's answer and the words a kernel developer recognises for it. */
export interface RuleDecision {
  ok: boolean;
  rule: string;
}
