// The words of live probes on the emulator: the pt_regs-like register view a handler gets, host
// handlers, the registration request and result, kprobe_status, and the closed union of events
// the engine records for every stage of a hit (the debug adapter and the CLI's --trace read them).

import type { Machine } from '../../cpu';
import type { KernelErrno } from '../kprobe-vocabulary';

/** kprobe_status values of the kernel (kprobes-reference.md §1). */
export type KprobeStatus = 'HIT_ACTIVE' | 'HIT_SS' | 'REENTER' | 'HIT_SSDONE';

/** The i386 `struct pt_regs` fields a handler reads and may change (written back after it). */
export interface PtRegs {
  bx: number; cx: number; dx: number; si: number; di: number; bp: number; ax: number;
  ip: number; flags: number; sp: number;
}

export interface ProbeContext {
  /** The probe whose handler runs (one member of an aggregate). */
  probe: LiveKprobe;
  regs: PtRegs;
  status: KprobeStatus;
  machine: Machine;
  /**
   * Calls an emulated function from the handler, as kernel handler code would (cdecl args):
   * runs it on a scratch stack below regs.sp with TF and IF clear, returns %eax (null when it
   * did not return within the limit). Probes it hits are re-entries.
   */
  call(address: number, args?: number[]): number | null;
}

/** A host handler; a pre_handler returning non-zero says it changed regs.ip itself. */
export type ProbeHandler = (ctx: ProbeContext) => number | void;

export interface KprobeRequest {
  address?: number;
  symbol?: string;
  offset?: number;
  preHandler?: ProbeHandler;
  postHandler?: ProbeHandler;
}

export interface LiveKprobe {
  readonly id: number;
  readonly address: number;
  readonly symbol: string | null;
  readonly offset: number;
  readonly preHandler: ProbeHandler | null;
  readonly postHandler: ProbeHandler | null;
  /** Hits whose handlers ran. */
  nhit: number;
  /** Hits skipped because another probe was being handled (re-entry). */
  nmissed: number;
  registered: boolean;
}

/** -ENOENT: the symbol is unknown or the address is not mapped (kprobe_addr's error). */
export type RegisterErrno = KernelErrno | 'ENOENT';

export type RegisterResult = { ok: true; probe: LiveKprobe } | { ok: false; errno: RegisterErrno; rule: string };

/** How the CPU leaves the slot after the step: the TF debug trap (2.6.x) or the second int3 (6.1). */
export type StepTrapKind = 'tf' | 'int3';

/**
 * One stage of a hit. `hit` numbers the int3 traps of probes (a re-entry has its own number);
 * `address` is the probed instruction.
 */
export type ProbeEvent =
  | { kind: 'arm'; address: number; original: number }
  | { kind: 'disarm'; address: number; restored: number }
  | { kind: 'trap'; hit: number; address: number }
  | { kind: 'reenter'; hit: number; address: number; outer: number; nmissed: number }
  | { kind: 'handler-enter'; hit: number; address: number; probe: number; handler: 'pre' | 'post'; status: KprobeStatus }
  | { kind: 'handler-leave'; hit: number; address: number; probe: number; handler: 'pre' | 'post'; result: number }
  | { kind: 'ip-changed-by-handler'; hit: number; address: number; ip: number }
  | { kind: 'slot-enter'; hit: number; address: number; slot: number; mode: 'boosted' | 'single-step' }
  | { kind: 'jump-back'; hit: number; address: number; from: number; to: number }
  | { kind: 'step-trap'; hit: number; address: number; by: StepTrapKind; ip: number }
  | { kind: 'fixup'; hit: number; address: number; rule: string; ipBefore: number; ipAfter: number }
  | { kind: 'jump-back-written'; hit: number; address: number; at: number; bytes: number[] }
  | { kind: 'boostable'; hit: number; address: number; from: -1 | 0 | 1; to: -1 | 0 | 1 }
  | { kind: 'emulate'; hit: number; address: number; op: string; ipAfter: number }
  | { kind: 'resume'; hit: number; address: number; ip: number }
  | { kind: 'stale-int3'; address: number }
  | { kind: 'optimized'; address: number; buffer: number; copied: number; jump: number[] }
  | { kind: 'unoptimized'; address: number; reason: string }
  | { kind: 'slot-tail'; address: number; at: number; bytes: number[]; boosted: boolean; reason: string }
  | { kind: 'detour'; hit: number; address: number; buffer: number; returnTo: number }
  | { kind: 'kretprobe-entry'; address: number; instance: number; returnAddress: number; trampoline: number }
  | { kind: 'kretprobe-missed'; address: number; nmissed: number }
  | { kind: 'kretprobe-return'; address: number; instance: number; via: 'booster' | 'int3'; returnValue: number; to: number }
  | { kind: 'fatal'; address: number; message: string };

export type ProbeEventKind = ProbeEvent['kind'];
