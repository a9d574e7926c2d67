// The mutable state the hit paths share: the armed sites, the kprobe control block (and the outer
// one saved by a re-entry), the hit counter, the event trace, and slots waiting to be freed once the
// CPU is out of them. The hit-path files are functions over this one object.

import type { HandlerDecision, Machine } from '../../cpu';
import type { KernelConfig, ProfileId } from '../kprobe-vocabulary';
import type { ProbeEvent } from './live-probe-types';
import { controlBlockFor, idleControlBlock, type ControlBlock, type ProbeSite } from './probe-site-and-control-block';
import type { SlotPage } from './text-poke-and-slot-page';

export class KprobeEngineState {
  readonly trace: ProbeEvent[] = [];
  readonly errors: string[] = [];
  readonly sites = new Map<number, ProbeSite>();
  kcb: ControlBlock = idleControlBlock();
  prev: ControlBlock | null = null;
  /** Sites unregistered while the CPU may still be in their slot. */
  readonly pendingRelease: ProbeSite[] = [];
  /** Host callouts: an `int1` (icebp) at one of these addresses calls the function (kretprobe booster, optprobe callback). */
  readonly callouts = new Map<number, (m: Machine) => HandlerDecision>();
  /** Optprobes (6.1): the detour buffers' page, the delay, the queued sites and when the worker runs. */
  detourPage: SlotPage | null = null;
  optimizeDelay = 0;
  optimizerDue: number | null = null;
  readonly optimizeQueue = new Set<ProbeSite>();
  readonly optimized = new Set<ProbeSite>();
  /** Detour buffers of unoptimized probes, freed once the CPU is out of them. */
  readonly pendingDetourRelease: Array<{ site: ProbeSite; buffer: number; callout: number }> = [];
  private hits = 0;
  private probeIds = 0;

  constructor(
    readonly machine: Machine,
    readonly profile: ProfileId,
    readonly config: KernelConfig,
    readonly slots: SlotPage | null,
    /** The return address of nested calls from handlers (never a slot). */
    readonly callSentinel: number,
  ) {}

  /** Numbers the next probe hit (a re-entry has its own number). */
  nextHit(): number {
    return ++this.hits;
  }

  nextProbeId(): number {
    return ++this.probeIds;
  }

  /** Told each event as it is recorded, inside the exception handler (the machine at that moment). */
  readonly listeners: Array<(event: ProbeEvent) => void> = [];

  emit(event: ProbeEvent): void {
    this.trace.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** The kernel's BUG(): a fatal event, and the run stops. */
  fatal(address: number, message: string): HandlerDecision {
    this.emit({ kind: 'fatal', address, message });
    return 'stop';
  }

  setCurrent(site: ProbeSite, hit: number): void {
    this.kcb = controlBlockFor(this.profile, this.machine.eflags, site, hit);
  }

  resetCurrent(): void {
    this.kcb = idleControlBlock();
  }

  restorePrevious(): void {
    this.kcb = this.prev ?? idleControlBlock();
    this.prev = null;
  }

  /** Frees the slots of unregistered sites that no hit is using and the CPU is not executing in. */
  releaseIdleSlots(): void {
    for (let k = this.pendingRelease.length - 1; k >= 0; k--) {
      const site = this.pendingRelease[k]!;
      const busy = this.kcb.site === site || this.prev?.site === site || this.slots!.contains(this.machine.eip, site.slot);
      if (busy) continue;
      this.slots!.release(site.slot);
      this.pendingRelease.splice(k, 1);
    }
  }
}
