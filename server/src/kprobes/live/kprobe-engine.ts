// Live kprobes on one emulated Machine: the public face (register/unregister, sites, the trace)
// and the machine's exception handler, which runs the optprobe worker when it is due, then
// dispatches #BP to the int3 hit path, 2.6.x's #DB step trap to the step completion, and int1 to
// host callouts (kretprobe booster, optprobe callback). The hit paths live in int3-hit-dispatch.ts,
// step-completion.ts and optprobe-detour-hit.ts, registration in probe-registration-and-arming.ts.

import { PAGE_SIZE, type CpuException, type HandlerDecision, type LoadedImage, type Machine, type MachineExceptionHandler } from '../../cpu';
import type { KernelAreas } from '../function-probe-analysis';
import { DEFAULT_KERNEL_CONFIG, type KernelConfig, type ProfileId } from '../kprobe-vocabulary';
import { assemblyHandler } from './assembly-handler-call';
import { onInt3 } from './int3-hit-dispatch';
import { DEFAULT_OPTIMIZE_DELAY_INSTRUCTIONS, DETOUR_BUFFER_SIZE, releaseIdleDetours, runOptimizerIfDue } from './optprobe-optimizer';
import { KprobeEngineState } from './kprobe-engine-state';
import type { KprobeRequest, KprobeStatus, LiveKprobe, ProbeEvent, ProbeHandler, PtRegs, RegisterResult } from './live-probe-types';
import { readOriginal, registerProbe, unregisterProbe } from './probe-registration-and-arming';
import type { ProbeSite } from './probe-site-and-control-block';
import { SLOT_SIZE_2_6 } from './resume-execution-2-6';
import { faultInSlot, onSingleStep26 } from './step-completion';
import { SlotPage } from './text-poke-and-slot-page';

export const SLOT_SIZE_6_1 = 15;
/** DR6.BS: the #DB reports a single-step. */
const DR6_SINGLE_STEP = 0x4000;
const DEFAULT_SLOT_BASE = 0x7ff00000;

export interface KprobeEngineOptions {
  profile: ProfileId;
  config?: KernelConfig;
  /** The loaded program: symbols for symbol+offset and function bounds for -EILSEQ. */
  image?: LoadedImage;
  areas?: KernelAreas;
  /** Page-aligned address of the slot page (default 0x7ff00000). */
  slotBase?: number;
  /** Exceptions that are not the engine's (a real int3, int $0x80...) go here; default 'stop'. */
  chain?: MachineExceptionHandler;
  /**
   * linux-6.1 with CONFIG_OPTPROBES: emulated instructions between registering an optimizable probe
   * and the optimizer's run (default: the kernel's 5 jiffies at HZ=250 on the reference CPU).
   */
  optimizeDelay?: number;
}

export type { ProbeSite };

export class KprobeEngine {
  readonly trace: ProbeEvent[];
  readonly profile: ProfileId;
  readonly config: KernelConfig;
  readonly slots: SlotPage | null;
  readonly errors: string[];
  private readonly state: KprobeEngineState;

  constructor(readonly machine: Machine, private readonly options: KprobeEngineOptions) {
    this.profile = options.profile;
    this.config = options.config ?? DEFAULT_KERNEL_CONFIG[options.profile];
    const base = options.slotBase ?? DEFAULT_SLOT_BASE;
    const page = SlotPage.create(machine, base, this.profile === 'linux-6.1' ? SLOT_SIZE_6_1 : SLOT_SIZE_2_6);
    this.slots = page instanceof SlotPage ? page : null;
    this.state = new KprobeEngineState(machine, this.profile, this.config, this.slots, this.slots !== null ? this.slots.sentinel : base + PAGE_SIZE - 1);
    this.trace = this.state.trace;
    this.errors = this.state.errors;
    if (!(page instanceof SlotPage)) this.errors.push(page.error);
    if (this.profile === 'linux-6.1' && this.config.optprobes && this.slots !== null) {
      // The detour buffers live in their own executable page, right after the slot page.
      const detours = SlotPage.create(machine, base + PAGE_SIZE, DETOUR_BUFFER_SIZE);
      if (detours instanceof SlotPage) this.state.detourPage = detours;
      else this.errors.push(detours.error);
      this.state.optimizeDelay = options.optimizeDelay ?? DEFAULT_OPTIMIZE_DELAY_INSTRUCTIONS;
    }
    machine.setExceptionHandler(this.handleException);
  }

  /** How many probes wait for the optprobe worker (0 when none is queued). */
  get pendingOptimizations(): number {
    return this.state.optimizeQueue.size;
  }

  /** Which of the engine's own code pages holds `address`: the slot page, the optprobe detour page, or none. */
  codePageOf(address: number): 'slot' | 'detour' | null {
    const inPage = (page: SlotPage | null) => page !== null && address >>> 0 >= page.base && address >>> 0 < page.base + PAGE_SIZE;
    return inPage(this.slots) ? 'slot' : inPage(this.state.detourPage) ? 'detour' : null;
  }

  /** Address of the optprobe detour page (null without optprobes). */
  get detourPageBase(): number | null {
    return this.state.detourPage?.base ?? null;
  }

  /** Every armed site (one per probed address). */
  sites(): ProbeSite[] {
    return [...this.state.sites.values()];
  }

  site(address: number): ProbeSite | null {
    return this.state.sites.get(address >>> 0) ?? null;
  }

  /** The status of the probe being handled, or null when none is. */
  get running(): { address: number; status: KprobeStatus } | null {
    const kcb = this.state.kcb;
    return kcb.site === null ? null : { address: kcb.site.address, status: kcb.status };
  }

  register(req: KprobeRequest): RegisterResult {
    return registerProbe(this.state, { image: this.options.image ?? null, areas: this.options.areas }, req);
  }

  /** Disarms when the last member goes; the slot is freed only once the CPU is out of it. */
  unregister(probe: LiveKprobe): { ok: true } | { ok: false; error: string } {
    return unregisterProbe(this.state, probe);
  }

  /** Memory with every armed int3 replaced by its original byte; unmapped bytes read as 0. */
  readOriginal(address: number, length: number): Uint8Array {
    return readOriginal(this.state, address, length);
  }

  readonly handleException = (m: Machine, e: CpuException): HandlerDecision => {
    const s = this.state;
    s.releaseIdleSlots();
    const int3 = e.kind === 'software-interrupt' && e.vector === 3;
    if (s.detourPage !== null) {
      releaseIdleDetours(s);
      runOptimizerIfDue(s, int3 ? (e.eip - 1) >>> 0 : null);
    }
    let decision: HandlerDecision | null = null;
    // A data breakpoint hit by the stepped copy reports the step too (DR6.BS): the step is the
    // engine's, the data breakpoint goes on to `chain` once the step is complete.
    const stepped = e.kind === 'debug' && (e.cause === 'single-step' || (e.cause === 'data-breakpoint' && (e.dr6 & DR6_SINGLE_STEP) !== 0));
    if (int3) decision = onInt3(s, (e.eip - 1) >>> 0);
    else if (stepped && this.profile !== 'linux-6.1') decision = onSingleStep26(s, e.instructionAddress);
    else if (e.kind === 'debug' && e.cause === 'int1') decision = s.callouts.get(e.instructionAddress)?.(m) ?? null;
    if (decision !== null && e.kind === 'debug' && e.cause === 'data-breakpoint') return this.options.chain ? this.options.chain(m, { ...e, eip: m.eip }) : 'stop';
    if (decision !== null) return decision;
    const passed = e.kind === 'fault' || e.kind === 'page-fault' ? faultInSlot(s, e) : e;
    return this.options.chain ? this.options.chain(m, passed) : 'stop';
  };

  /** A handler that calls assembly code of the program at `address` with a struct pt_regs * in %eax. */
  assemblyHandler(address: number): ProbeHandler {
    return assemblyHandler(address, () => this.callSentinel);
  }

  /** Installs a host callout reached by an `int1` byte at `address` (written by the caller). */
  addCallout(address: number, fn: (m: Machine) => HandlerDecision): void {
    this.state.callouts.set(address >>> 0, fn);
  }

  /** The sentinel return address of nested calls from handlers. */
  get callSentinel(): number {
    return this.state.callSentinel;
  }

  /**
   * Calls `listener` with every event as the engine records it: synchronously, from inside the
   * exception handler, so the machine's registers are those of that stage.
   */
  onEvent(listener: (event: ProbeEvent) => void): void {
    this.state.listeners.push(listener);
  }

  /** For kretprobe-trampoline.ts. */
  emitEvent(event: ProbeEvent): void {
    this.state.emit(event);
  }
}

export type { PtRegs };
