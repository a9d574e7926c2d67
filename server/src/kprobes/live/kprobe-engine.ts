// Live kprobes on one emulated Machine: register/unregister (aggregating probes at one address),
// arming through pokeText, slots in the slot page, and the hit path of each profile implemented as
// the machine's exception handler (#BP for the probe and 6.1's second int3, #DB for 2.6.x's TF
// step). Every stage is appended to `trace` as a typed ProbeEvent.

import { EFLAGS, PAGE_SIZE, type CpuException, type HandlerDecision, type LoadedImage, type Machine, type MachineExceptionHandler } from '../../cpu';
import type { DecodedInstruction } from '../../isa';
import type { KernelAreas } from '../function-probe-analysis';
import { DEFAULT_KERNEL_CONFIG, type BoostableFlag, type KernelConfig, type ProfileId } from '../kprobe-vocabulary';
import type { StaticVerdict } from '../static-verdict';
import { emulateLinux61 } from './emulate-linux-6-1';
import { decideRegistration, resolveProbeAddress } from './kprobe-registry';
import type { KprobeRequest, KprobeStatus, LiveKprobe, ProbeEvent, ProbeHandler, PtRegs, RegisterResult } from './live-probe-types';
import { assemblyHandler } from './assembly-handler-call';
import { SLOT_SIZE_2_6, resumeExecution26 } from './resume-execution-2-6';
import { INT3, SlotPage, jmpRel32, pokeText } from './text-poke-and-slot-page';
import { runHandlers } from './probe-handler-calls';

const { TF, IF } = EFLAGS;
export const SLOT_SIZE_6_1 = 15;

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
}

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
  /** 6.1: the copy is followed by a jmp back (decided at registration), else by an int3. */
  readonly boosted: boolean;
  /** 6.1: the instruction is emulated, never run from the slot. */
  readonly emulated: boolean;
  /** Where a jump-back sits in the slot, if any. */
  jumpBackAt: number | null;
}

interface ControlBlock {
  site: ProbeSite | null;
  status: KprobeStatus;
  /** TF/IF (2.6.x) or IF (6.1) to OR back after the step; oldFlags: as found at the hit. */
  savedFlags: number;
  oldFlags: number;
  hit: number;
}

const idle = (): ControlBlock => ({ site: null, status: 'HIT_ACTIVE', savedFlags: 0, oldFlags: 0, hit: 0 });

export class KprobeEngine {
  readonly trace: ProbeEvent[] = [];
  readonly profile: ProfileId;
  readonly config: KernelConfig;
  readonly slots: SlotPage | null;
  readonly errors: string[] = [];
  private readonly sites = new Map<number, ProbeSite>();
  private kcb: ControlBlock = idle();
  private prev: ControlBlock | null = null;
  private hits = 0;
  private nextId = 1;
  private readonly pendingRelease: ProbeSite[] = [];
  /** Host callouts: an `int1` (icebp) at one of these addresses calls the function (kretprobe booster). */
  private readonly callouts = new Map<number, (m: Machine) => HandlerDecision>();

  constructor(readonly machine: Machine, private readonly options: KprobeEngineOptions) {
    this.profile = options.profile;
    this.config = options.config ?? DEFAULT_KERNEL_CONFIG[options.profile];
    const page = SlotPage.create(machine, options.slotBase ?? 0x7ff00000, this.profile === 'linux-6.1' ? SLOT_SIZE_6_1 : SLOT_SIZE_2_6);
    this.slots = page instanceof SlotPage ? page : null;
    if (!(page instanceof SlotPage)) this.errors.push(page.error);
    machine.setExceptionHandler(this.handleException);
  }

  site(address: number): ProbeSite | null {
    return this.sites.get(address >>> 0) ?? null;
  }

  /** The status of the probe being handled, or null when none is. */
  get running(): { address: number; status: KprobeStatus } | null {
    return this.kcb.site === null ? null : { address: this.kcb.site.address, status: this.kcb.status };
  }

  register(req: KprobeRequest): RegisterResult {
    const where = resolveProbeAddress(req, this.options.image ?? null);
    if ('errno' in where) return { ok: false, ...where };
    const make = (): LiveKprobe => ({
      id: this.nextId++, address: where.address, symbol: where.symbol, offset: where.offset,
      preHandler: req.preHandler ?? null, postHandler: req.postHandler ?? null, nhit: 0, nmissed: 0, registered: true,
    });
    const existing = this.sites.get(where.address);
    if (existing !== undefined) {
      // Aggregation: one int3, one slot, the members' handlers called in turn.
      const probe = make();
      existing.probes.push(probe);
      return { ok: true, probe };
    }
    if (this.slots === null) return { ok: false, errno: 'ENOENT', rule: this.errors[0] ?? 'no slot page' };
    const decision = decideRegistration(this.machine, this.profile, this.config, where.address, req.postHandler !== undefined,
      this.options.image ?? null, this.options.areas, (a, n) => this.readOriginal(a, n));
    if ('errno' in decision) return { ok: false, ...decision };
    const slot = this.slots.allocate();
    if (slot === null) return { ok: false, errno: 'ENOSPC', rule: 'the slot page is full' };
    const { insn, verdict } = decision;
    const copy = Uint8Array.from(insn.bytes);
    const boosted = this.profile === 'linux-6.1' && verdict.firstHit === 'boosted';
    const tail = this.profile !== 'linux-6.1' ? [] : boosted ? jmpRel32(slot + copy.length, where.address + copy.length) : [INT3];
    this.slots.write(slot, [...copy, ...tail]);
    const original = pokeText(this.machine, where.address, INT3);
    if (original === null) {
      this.slots.release(slot);
      return { ok: false, errno: 'ENOENT', rule: `cannot write text at 0x${where.address.toString(16)}` };
    }
    const site: ProbeSite = {
      address: where.address, insn, verdict, slot, copy, original, probes: [make()],
      boostable: verdict.boostable?.atRegistration ?? 0, boosted, emulated: this.profile === 'linux-6.1' && verdict.firstHit === 'emulated',
      jumpBackAt: boosted ? slot + copy.length : null,
    };
    this.sites.set(where.address, site);
    this.trace.push({ kind: 'arm', address: where.address, original });
    return { ok: true, probe: site.probes[0]! };
  }

  /** Disarms when the last member goes; the slot is freed only once the CPU is out of it. */
  unregister(probe: LiveKprobe): { ok: true } | { ok: false; error: string } {
    const site = this.sites.get(probe.address);
    if (!probe.registered || site === undefined) return { ok: false, error: 'the probe is not registered' };
    probe.registered = false;
    site.probes.splice(site.probes.indexOf(probe), 1);
    if (site.probes.length > 0) return { ok: true };
    pokeText(this.machine, site.address, site.original);
    this.trace.push({ kind: 'disarm', address: site.address, restored: site.original });
    this.sites.delete(site.address);
    this.pendingRelease.push(site);
    this.releaseIdleSlots();
    return { ok: true };
  }

  /** Memory with every armed int3 replaced by its original byte; unmapped bytes read as 0. */
  readOriginal(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k++) {
      const a = (address + k) >>> 0;
      const site = this.sites.get(a);
      const b = this.machine.memory.readBytes(a, 1);
      out[k] = site !== undefined ? site.original : b instanceof Uint8Array ? b[0]! : 0;
    }
    return out;
  }

  readonly handleException = (m: Machine, e: CpuException): HandlerDecision => {
    this.releaseIdleSlots();
    let decision: HandlerDecision | null = null;
    if (e.kind === 'software-interrupt' && e.vector === 3) decision = this.onInt3((e.eip - 1) >>> 0);
    else if (e.kind === 'debug' && e.cause === 'single-step' && this.profile !== 'linux-6.1') decision = this.onSingleStep(e.instructionAddress);
    else if (e.kind === 'debug' && e.cause === 'int1') decision = this.callouts.get(e.instructionAddress)?.(m) ?? null;
    if (decision !== null) return decision;
    const passed = e.kind === 'fault' || e.kind === 'page-fault' ? this.faultInSlot(e) : e;
    return this.options.chain ? this.options.chain(m, passed) : 'stop';
  };

  /**
   * kprobe_fault_handler: a fault while stepping the copy puts the IP back on the probed address,
   * restores the flags and ends the hit, so the fault is seen where the original would raise it.
   */
  private faultInSlot(e: CpuException): CpuException {
    const kcb = this.kcb;
    const site = kcb.site;
    if (site === null || (kcb.status !== 'HIT_SS' && kcb.status !== 'REENTER') || !this.slots!.contains(e.instructionAddress, site.slot)) return e;
    const m = this.machine;
    const ipBefore = m.eip;
    m.eip = site.address;
    m.eflags = ((m.eflags & ~TF) | kcb.oldFlags) >>> 0;
    this.emit({ kind: 'fixup', hit: kcb.hit, address: site.address, rule: 'fault in the slot: IP back to the probed address, flags restored', ipBefore, ipAfter: m.eip });
    if (kcb.status === 'REENTER') this.restorePrevious();
    else this.resetCurrent();
    return { ...e, eip: site.address, instructionAddress: site.address };
  }

  private emit(event: ProbeEvent): void {
    this.trace.push(event);
  }

  private fatal(address: number, message: string): HandlerDecision {
    this.emit({ kind: 'fatal', address, message });
    return 'stop';
  }

  private releaseIdleSlots(): void {
    for (let k = this.pendingRelease.length - 1; k >= 0; k--) {
      const site = this.pendingRelease[k]!;
      const busy = this.kcb.site === site || this.prev?.site === site || this.slots!.contains(this.machine.eip, site.slot);
      if (busy) continue;
      this.slots!.release(site.slot);
      this.pendingRelease.splice(k, 1);
    }
  }

  private setCurrent(site: ProbeSite, hit: number): void {
    const flags = this.machine.eflags & (this.profile === 'linux-6.1' ? IF : TF | IF);
    let saved = flags;
    // 2.6.x: cli/sti/popf/iret ("IF modifiers") keep IF cleared in the saved flags.
    if (this.profile !== 'linux-6.1' && site.insn.entry?.writesIF) saved &= ~IF;
    this.kcb = { site, status: 'HIT_ACTIVE', savedFlags: saved, oldFlags: flags, hit };
  }

  private resetCurrent(): void {
    this.kcb = idle();
  }

  private restorePrevious(): void {
    this.kcb = this.prev ?? idle();
    this.prev = null;
  }

  private hasPost(site: ProbeSite): boolean {
    return site.probes.some((p) => p.postHandler !== null);
  }

  private onInt3(address: number): HandlerDecision | null {
    const m = this.machine;
    const site = this.sites.get(address);
    const kcb = this.kcb;
    if (site === undefined) {
      const current = kcb.site;
      if (this.profile === 'linux-6.1' && current !== null && (kcb.status === 'HIT_SS' || kcb.status === 'REENTER') && address === current.slot + current.copy.length) {
        return this.finishInt3Step(current);
      }
      const byte = m.memory.readBytes(address, 1);
      if (byte instanceof Uint8Array && byte[0] !== INT3) {
        // The probe went away between the int3 and its handling: run the restored instruction.
        m.eip = address;
        this.emit({ kind: 'stale-int3', address });
        return 'resume';
      }
      return null;
    }
    const hit = ++this.hits;
    this.emit({ kind: 'trap', hit, address });
    if (kcb.site !== null) return this.reenter(site, hit);
    this.setCurrent(site, hit);
    for (const p of site.probes) p.nhit++;
    if (runHandlers(this, site, 'pre', hit, 'HIT_ACTIVE')) {
      this.emit({ kind: 'ip-changed-by-handler', hit, address, ip: m.eip });
      this.resetCurrent();
      return 'resume';
    }
    return this.profile === 'linux-6.1' ? this.setupStep61(site, hit, false) : this.setupStep26(site, hit);
  }

  private reenter(site: ProbeSite, hit: number): HandlerDecision {
    const status = this.kcb.status;
    if (status === 'REENTER' || (this.profile === 'linux-6.1' && status === 'HIT_SS')) {
      return this.fatal(site.address, `probe at 0x${site.address.toString(16)} hit while status is ${status}: the kernel BUG()s here`);
    }
    for (const p of site.probes) p.nmissed++;
    this.emit({ kind: 'reenter', hit, address: site.address, outer: this.kcb.site!.address, nmissed: site.probes[0]!.nmissed });
    if (this.profile === 'linux-6.1') return this.setupStep61(site, hit, true);
    this.prev = this.kcb;
    this.setCurrent(site, hit);
    this.enterSlotStepping(site, hit, TF);
    this.kcb.status = 'REENTER';
    return 'resume';
  }

  private enterBoosted(site: ProbeSite, hit: number): HandlerDecision {
    this.machine.eip = site.slot;
    this.emit({ kind: 'slot-enter', hit, address: site.address, slot: site.slot, mode: 'boosted' });
    if (site.jumpBackAt !== null) this.emit({ kind: 'jump-back', hit, address: site.address, from: site.jumpBackAt, to: site.address + (site.jumpBackAt - site.slot) });
    return 'resume';
  }

  /** IP = slot with IF cleared; 2.6.x also sets TF. */
  private enterSlotStepping(site: ProbeSite, hit: number, tf: number): void {
    this.machine.eflags = ((this.machine.eflags | tf) & ~IF) >>> 0;
    this.machine.eip = site.slot;
    this.emit({ kind: 'slot-enter', hit, address: site.address, slot: site.slot, mode: 'single-step' });
  }

  private setupStep26(site: ProbeSite, hit: number): HandlerDecision {
    if (site.boostable === 1 && !this.hasPost(site) && !this.config.preemption) {
      this.resetCurrent();
      return this.enterBoosted(site, hit);
    }
    this.enterSlotStepping(site, hit, TF);
    this.kcb.status = 'HIT_SS';
    return 'resume';
  }

  /** 2.6.x post_kprobe_handler: post_handler, resume_execution, flags, restore. */
  private onSingleStep(stepped: number): HandlerDecision | null {
    const kcb = this.kcb;
    const site = kcb.site;
    if (site === null || (kcb.status !== 'HIT_SS' && kcb.status !== 'REENTER') || stepped !== site.slot) return null;
    const m = this.machine;
    const hit = kcb.hit;
    this.emit({ kind: 'step-trap', hit, address: site.address, by: 'tf', ip: m.eip });
    if (kcb.status !== 'REENTER' && this.hasPost(site)) {
      kcb.status = 'HIT_SSDONE';
      runHandlers(this, site, 'post', hit, 'HIT_SSDONE');
    }
    m.eflags = (m.eflags & ~TF) >>> 0;
    const before = site.boostable;
    const ipBefore = m.eip;
    let outcome;
    try {
      outcome = resumeExecution26(this.profile, m, site, site.boostable, kcb.oldFlags, (at, bytes) => this.slots!.write(at, bytes));
    } catch {
      return this.fatal(site.address, 'the fix-up could not access the stack');
    }
    this.emit({ kind: 'fixup', hit, address: site.address, rule: outcome.rule, ipBefore, ipAfter: m.eip });
    if (outcome.jumpBack !== null) {
      site.jumpBackAt = outcome.jumpBack.at;
      this.emit({ kind: 'jump-back-written', hit, address: site.address, at: outcome.jumpBack.at, bytes: outcome.jumpBack.bytes });
    }
    site.boostable = outcome.boostable;
    if (before !== site.boostable) this.emit({ kind: 'boostable', hit, address: site.address, from: before, to: site.boostable });
    m.eflags = (m.eflags | kcb.savedFlags) >>> 0;
    if (kcb.status === 'REENTER') this.restorePrevious();
    else this.resetCurrent();
    this.emit({ kind: 'resume', hit, address: site.address, ip: m.eip });
    return 'resume';
  }

  private setupStep61(site: ProbeSite, hit: number, reentered: boolean): HandlerDecision {
    if (site.boosted && !this.hasPost(site) && !this.config.preemption) {
      if (!reentered) this.resetCurrent();
      return this.enterBoosted(site, hit);
    }
    if (reentered) {
      this.prev = this.kcb;
      this.setCurrent(site, hit);
      this.kcb.status = 'REENTER';
    } else this.kcb.status = 'HIT_SS';
    if (site.emulated) {
      let op: string | null;
      try {
        op = emulateLinux61(this.machine, site.insn);
      } catch {
        return this.fatal(site.address, 'the emulation could not access the stack');
      }
      if (op === null) return this.fatal(site.address, `no emulation for ${site.insn.mnemonic}`);
      this.emit({ kind: 'emulate', hit, address: site.address, op, ipAfter: this.machine.eip });
      return this.postProcess61(site, hit);
    }
    this.enterSlotStepping(site, hit, 0);
    return 'resume';
  }

  /** The second int3 after the copy: IP = IP + (orig - slot) - 1, IF restored, post-processing. */
  private finishInt3Step(site: ProbeSite): HandlerDecision {
    const m = this.machine;
    const hit = this.kcb.hit;
    const ipBefore = m.eip;
    this.emit({ kind: 'step-trap', hit, address: site.address, by: 'int3', ip: ipBefore });
    m.eflags = (m.eflags | this.kcb.savedFlags) >>> 0;
    m.eip = (ipBefore + (site.address - site.slot) - 1) >>> 0;
    this.emit({ kind: 'fixup', hit, address: site.address, rule: 'resume after the int3 step: IP = IP + (orig - slot) - 1, IF restored', ipBefore, ipAfter: m.eip });
    return this.postProcess61(site, hit);
  }

  private postProcess61(site: ProbeSite, hit: number): HandlerDecision {
    if (this.kcb.status === 'REENTER') this.restorePrevious();
    else {
      this.kcb.status = 'HIT_SSDONE';
      runHandlers(this, site, 'post', hit, 'HIT_SSDONE');
      this.resetCurrent();
    }
    this.emit({ kind: 'resume', hit, address: site.address, ip: this.machine.eip });
    return 'resume';
  }

  /** A handler that calls assembly code of the program at `address` with a struct pt_regs * in %eax. */
  assemblyHandler(address: number): ProbeHandler {
    return assemblyHandler(address, () => this.callSentinel);
  }

  /** Installs a host callout reached by an `int1` byte at `address` (written by the caller). */
  addCallout(address: number, fn: (m: Machine) => HandlerDecision): void {
    this.callouts.set(address >>> 0, fn);
  }

  /** For probe-handler-calls.ts: the sentinel return address of nested calls. */
  get callSentinel(): number {
    return this.slots !== null ? this.slots.sentinel : (this.options.slotBase ?? 0x7ff00000) + PAGE_SIZE - 1;
  }

  /** For probe-handler-calls.ts. */
  emitEvent(event: ProbeEvent): void {
    this.emit(event);
  }
}

export type { PtRegs };
