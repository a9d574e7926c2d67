// kretprobes on the live engine: an entry kprobe swaps the return address for the trampoline's
// (bounded by maxactive; a miss counts nmissed), and the trampoline calls the return handler and
// goes back to the real return address. With the kretprobe-booster the trampoline reaches the
// handler directly (here: one `int1` byte that the engine turns into a host call, standing for the
// kernel's direct call); without it the trampoline is a `nop` carrying an ordinary kprobe, so each
// return costs an extra int3 trap (kprobes-reference.md §4).

import type { HandlerDecision, Machine } from '../../cpu';
import type { KprobeEngine } from './kprobe-engine';
import type { LiveKprobe, ProbeContext, ProbeHandler, RegisterErrno } from './live-probe-types';
import { readPtRegs, writePtRegs } from './probe-handler-calls';

const INT1 = 0xf1;
const NOP = 0x90;

export interface KretprobeRequest {
  address?: number;
  symbol?: string;
  offset?: number;
  /** Runs at function entry; a non-zero result drops this instance (no return handler). */
  entryHandler?: ProbeHandler;
  /** Runs when the function returns; regs.ax is the return value, regs.ip the real return address. */
  handler?: ProbeHandler;
  /** Instances that may be pending at once (default 4). */
  maxactive?: number;
  /** Use the kretprobe-booster (default true). */
  booster?: boolean;
}

export interface LiveKretprobe {
  readonly id: number;
  readonly kprobe: LiveKprobe;
  readonly booster: boolean;
  readonly maxactive: number;
  /** Returns that ran the handler. */
  nhit: number;
  /** Entries with no free instance. */
  nmissed: number;
  active: number;
}

interface Instance {
  id: number;
  rp: LiveKretprobe;
  returnAddress: number;
  handler: ProbeHandler | null;
}

interface KretprobeState {
  instances: Instance[];
  trampolines: Map<boolean, { address: number; probe: LiveKprobe | null }>;
  nextId: number;
}

const STATES = new WeakMap<KprobeEngine, KretprobeState>();

function state(engine: KprobeEngine): KretprobeState {
  let s = STATES.get(engine);
  if (s === undefined) STATES.set(engine, (s = { instances: [], trampolines: new Map(), nextId: 1 }));
  return s;
}

/** Runs the return handler of the newest instance and sends the CPU to its real return address. */
function returnThroughTrampoline(engine: KprobeEngine, m: Machine, via: 'booster' | 'int3', regsIn: ReturnType<typeof readPtRegs>): ReturnType<typeof readPtRegs> | null {
  const inst = state(engine).instances.pop();
  if (inst === undefined) return null;
  inst.rp.active--;
  inst.rp.nhit++;
  const regs = { ...regsIn, ip: inst.returnAddress };
  if (inst.handler !== null) {
    const ctx: ProbeContext = { probe: inst.rp.kprobe, regs, status: 'HIT_ACTIVE', machine: m, call: () => null };
    try {
      inst.handler(ctx);
    } catch (e) {
      engine.errors.push(`kretprobe handler threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  regs.ip = inst.returnAddress;
  engine.emitEvent({ kind: 'kretprobe-return', address: inst.rp.kprobe.address, instance: inst.id, via, returnValue: regs.ax, to: inst.returnAddress });
  return regs;
}

function trampoline(engine: KprobeEngine, booster: boolean): number | { errno: RegisterErrno; rule: string } {
  const s = state(engine);
  const known = s.trampolines.get(booster);
  if (known !== undefined) return known.address;
  const slot = engine.slots?.allocate() ?? null;
  if (slot === null) return { errno: 'ENOSPC', rule: 'no slot for the kretprobe trampoline' };
  if (booster) {
    engine.slots!.write(slot, [INT1]);
    engine.addCallout(slot, (m): HandlerDecision => {
      const regs = returnThroughTrampoline(engine, m, 'booster', readPtRegs(m));
      if (regs === null) return 'stop';
      writePtRegs(m, regs);
      return 'resume';
    });
    s.trampolines.set(true, { address: slot, probe: null });
    return slot;
  }
  engine.slots!.write(slot, [NOP, INT1]);
  const r = engine.register({
    address: slot,
    preHandler: (ctx) => {
      const regs = returnThroughTrampoline(engine, ctx.machine, 'int3', ctx.regs);
      if (regs === null) return 0;
      Object.assign(ctx.regs, regs);
      return 1; // the handler set the IP: no step
    },
  });
  if (!r.ok) return { errno: r.errno, rule: `kretprobe trampoline: ${r.rule}` };
  s.trampolines.set(false, { address: slot, probe: r.probe });
  return slot;
}

export function registerKretprobe(engine: KprobeEngine, req: KretprobeRequest): { ok: true; kretprobe: LiveKretprobe } | { ok: false; errno: RegisterErrno; rule: string } {
  const booster = req.booster ?? true;
  const tramp = trampoline(engine, booster);
  if (typeof tramp !== 'number') return { ok: false, ...tramp };
  let rp: LiveKretprobe | null = null;
  const entry: ProbeHandler = (ctx) => {
    const self = rp!;
    if (self.active >= self.maxactive) {
      self.nmissed++;
      engine.emitEvent({ kind: 'kretprobe-missed', address: self.kprobe.address, nmissed: self.nmissed });
      return 0;
    }
    const m = ctx.machine;
    let returnAddress: number;
    try {
      returnAddress = m.memory.read32(ctx.regs.sp);
    } catch {
      return 0;
    }
    if (req.entryHandler && Number(req.entryHandler(ctx) ?? 0) !== 0) return 0;
    const s = state(engine);
    const inst: Instance = { id: s.nextId++, rp: self, returnAddress, handler: req.handler ?? null };
    m.memory.write32(ctx.regs.sp, tramp);
    s.instances.push(inst);
    self.active++;
    engine.emitEvent({ kind: 'kretprobe-entry', address: self.kprobe.address, instance: inst.id, returnAddress, trampoline: tramp });
    return 0;
  };
  const r = engine.register({
    ...(req.address !== undefined ? { address: req.address } : {}),
    ...(req.symbol !== undefined ? { symbol: req.symbol } : {}),
    ...(req.offset !== undefined ? { offset: req.offset } : {}),
    preHandler: entry,
  });
  if (!r.ok) return r;
  rp = { id: r.probe.id, kprobe: r.probe, booster, maxactive: req.maxactive ?? 4, nhit: 0, nmissed: 0, active: 0 };
  return { ok: true, kretprobe: rp };
}
