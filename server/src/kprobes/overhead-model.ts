// The modelled cost of a probe hit, in CPU cycles of the seed author's machine (Pentium 4,
// 3.06 GHz), broken into its parts: traps, the kprobe lookup and handler calls, the step and its
// fix-up, the jump back, emulation, and the detour of an optimized probe.
//
// Calibration, done once from kprobes-reference.md §5 (seed author's LKML figures, no-op
// handlers): kprobe 1270 ns plain and 573 ns boosted; kretprobe 1981 ns plain and 918 ns with both
// boosters; and the kernel documentation's ratio of an optimized probe to a plain one (0.05 µs
// against 0.80 µs on a Xeon E5410). With J (jump back) and F (fix-up) chosen, the rest follows:
//   plain    = trap + handler + step trap + fix-up   = 3886 cycles
//   boosted  = trap + handler + jump back            = 1753 cycles
//   kretprobe return side, no booster  = trap + return handler            = 6062 - 3886
//   kretprobe return side, with booster = register save + return handler = 2809 - 1753
//   optimized = detour (register save + handler call + copied instructions + jump) = plain / 16

import type { HitExecution, ProfileId } from './kprobe-vocabulary';

export const REFERENCE_CPU = { name: 'Pentium 4, 3.06 GHz', mhz: 3060 };

const ns = (nanoseconds: number): number => Math.round((nanoseconds * REFERENCE_CPU.mhz) / 1000);

const PLAIN = ns(1270);
const BOOSTED = ns(573);
const JUMP_BACK = 20;
/** The debug-exception path (do_debug, DR6, resume_execution) beyond a plain trap. */
const TF_STEP_FIXUP = 820;
const HANDLER = 400;
const TRAP = BOOSTED - HANDLER - JUMP_BACK;
const RETURN_TRAMPOLINE_PLAIN = ns(1981) - PLAIN;
const RETURN_TRAMPOLINE_BOOSTED = ns(918) - BOOSTED;
const RETURN_HANDLER = RETURN_TRAMPOLINE_PLAIN - TRAP;
const REGISTER_SAVE = RETURN_TRAMPOLINE_BOOSTED - RETURN_HANDLER;
/** The second int3 of 6.1's step returns through the lighter int3 path. */
const INT3_STEP_FIXUP = 300;
const EMULATION = 60;
const DETOUR = Math.round(PLAIN / 16);

/** The calibrated constants, exported for the test that checks them against the figures. */
export const CALIBRATION = { PLAIN, BOOSTED, TRAP, HANDLER, JUMP_BACK, TF_STEP_FIXUP, INT3_STEP_FIXUP, RETURN_HANDLER, REGISTER_SAVE, EMULATION, DETOUR };

export interface CostPart {
  part: string;
  cycles: number;
}

export interface HitCost {
  cycles: number;
  nanoseconds: number;
  parts: CostPart[];
}

function total(parts: CostPart[]): HitCost {
  const cycles = parts.reduce((n, p) => n + p.cycles, 0);
  return { cycles, nanoseconds: Math.round((cycles * 1000) / REFERENCE_CPU.mhz), parts };
}

const costCache = new Map<string, HitCost>();

/** Cost of one kprobe hit executed as `execution` under `profile` (or optimized); a shared value. */
export function kprobeHitCost(profile: ProfileId, execution: HitExecution | 'optimized'): HitCost {
  const key = `${profile}/${execution}`;
  let cost = costCache.get(key);
  if (cost === undefined) costCache.set(key, (cost = computeHitCost(profile, execution)));
  return cost;
}

function computeHitCost(profile: ProfileId, execution: HitExecution | 'optimized'): HitCost {
  const enter: CostPart[] = [
    { part: 'int3 trap and return', cycles: TRAP },
    { part: 'kprobe lookup and pre_handler call', cycles: HANDLER },
  ];
  switch (execution) {
    case 'refused':
      return total([]);
    case 'optimized':
      return total([{ part: 'jump to the detour buffer: save registers, call the handler, run the copy, jump back', cycles: DETOUR }]);
    case 'boosted':
      return total([...enter, { part: 'copy runs in the slot, jump back', cycles: JUMP_BACK }]);
    case 'emulated':
      return total([...enter, { part: 'emulation of the instruction', cycles: EMULATION }]);
    case 'single-stepped':
      return total([
        ...enter,
        profile === 'linux-6.1'
          ? { part: 'second int3 after the copy, resume and post-processing', cycles: TRAP + INT3_STEP_FIXUP }
          : { part: 'TF debug trap after the copy and resume_execution fix-up', cycles: TRAP + TF_STEP_FIXUP },
      ]);
  }
}

/** Cost of the return side of a kretprobe: a kprobe on the trampoline, or the booster's direct call. */
export function kretprobeReturnCost(booster: boolean): HitCost {
  return booster
    ? total([{ part: 'trampoline saves registers and calls the return handler (no trap)', cycles: REGISTER_SAVE + RETURN_HANDLER }])
    : total([
        { part: 'int3 trap on the trampoline kprobe', cycles: TRAP },
        { part: 'return handler and instance bookkeeping', cycles: RETURN_HANDLER },
      ]);
}
