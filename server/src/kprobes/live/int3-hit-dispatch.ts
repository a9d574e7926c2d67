// The #BP side of a hit (kprobe_int3_handler): find the site, count the hit, run the pre_handlers
// (HIT_ACTIVE), then leave for the slot as the profile says: boosted (copy + jump back), single-step
// (2.6.x: TF set, IF cleared; 6.1: the copy followed by a second int3), or 6.1's emulation. A hit
// while another probe is handled is a re-entry: nmissed, no handlers, status REENTER.

import { EFLAGS, type HandlerDecision } from '../../cpu';
import { emulateLinux61 } from './emulate-linux-6-1';
import type { KprobeEngineState } from './kprobe-engine-state';
import { hasPostHandler, type ProbeSite } from './probe-site-and-control-block';
import { runHandlers } from './probe-handler-calls';
import { finishInt3Step, postProcess61 } from './step-completion';
import { INT3 } from './text-poke-and-slot-page';

const { TF, IF } = EFLAGS;

/** The int3 at `address` trapped; null when it is none of the engine's. */
export function onInt3(s: KprobeEngineState, address: number): HandlerDecision | null {
  const m = s.machine;
  const site = s.sites.get(address);
  const kcb = s.kcb;
  if (site === undefined) {
    const current = kcb.site;
    if (s.profile === 'linux-6.1' && current !== null && (kcb.status === 'HIT_SS' || kcb.status === 'REENTER') && address === current.slot + current.copy.length) {
      return finishInt3Step(s, current);
    }
    const byte = m.memory.readBytes(address, 1);
    if (byte instanceof Uint8Array && byte[0] !== INT3) {
      // The probe went away between the int3 and its handling: run the restored instruction.
      m.eip = address;
      s.emit({ kind: 'stale-int3', address });
      return 'resume';
    }
    return null;
  }
  if (site.detour !== null) {
    // The optimizer replaced this int3 by the jump while the trap was being taken: take the jump.
    m.eip = address;
    return 'resume';
  }
  const hit = s.nextHit();
  s.emit({ kind: 'trap', hit, address });
  if (kcb.site !== null) return reenter(s, site, hit);
  s.setCurrent(site, hit);
  for (const p of site.probes) p.nhit++;
  if (runHandlers(s, site, 'pre', hit, 'HIT_ACTIVE')) {
    s.emit({ kind: 'ip-changed-by-handler', hit, address, ip: m.eip });
    s.resetCurrent();
    return 'resume';
  }
  return s.profile === 'linux-6.1' ? setupStep61(s, site, hit, false) : setupStep26(s, site, hit);
}

function reenter(s: KprobeEngineState, site: ProbeSite, hit: number): HandlerDecision {
  const status = s.kcb.status;
  if (status === 'REENTER' || (s.profile === 'linux-6.1' && status === 'HIT_SS')) {
    return s.fatal(site.address, `probe at 0x${site.address.toString(16)} hit while status is ${status}: the kernel BUG()s here`);
  }
  for (const p of site.probes) p.nmissed++;
  s.emit({ kind: 'reenter', hit, address: site.address, outer: s.kcb.site!.address, nmissed: site.probes[0]!.nmissed });
  if (s.profile === 'linux-6.1') return setupStep61(s, site, hit, true);
  s.prev = s.kcb;
  s.setCurrent(site, hit);
  enterSlotStepping(s, site, hit, TF);
  s.kcb.status = 'REENTER';
  return 'resume';
}

function enterBoosted(s: KprobeEngineState, site: ProbeSite, hit: number): HandlerDecision {
  s.machine.eip = site.slot;
  s.emit({ kind: 'slot-enter', hit, address: site.address, slot: site.slot, mode: 'boosted' });
  if (site.jumpBackAt !== null) s.emit({ kind: 'jump-back', hit, address: site.address, from: site.jumpBackAt, to: site.address + (site.jumpBackAt - site.slot) });
  return 'resume';
}

/** IP = slot with IF cleared; 2.6.x also sets TF. */
function enterSlotStepping(s: KprobeEngineState, site: ProbeSite, hit: number, tf: number): void {
  s.machine.eflags = ((s.machine.eflags | tf) & ~IF) >>> 0;
  s.machine.eip = site.slot;
  s.emit({ kind: 'slot-enter', hit, address: site.address, slot: site.slot, mode: 'single-step' });
}

function setupStep26(s: KprobeEngineState, site: ProbeSite, hit: number): HandlerDecision {
  if (site.boostable === 1 && !hasPostHandler(site) && !s.config.preemption) {
    s.resetCurrent();
    return enterBoosted(s, site, hit);
  }
  enterSlotStepping(s, site, hit, TF);
  s.kcb.status = 'HIT_SS';
  return 'resume';
}

function setupStep61(s: KprobeEngineState, site: ProbeSite, hit: number, reentered: boolean): HandlerDecision {
  if (site.boosted && !hasPostHandler(site) && !s.config.preemption) {
    if (!reentered) s.resetCurrent();
    return enterBoosted(s, site, hit);
  }
  if (reentered) {
    s.prev = s.kcb;
    s.setCurrent(site, hit);
    s.kcb.status = 'REENTER';
  } else s.kcb.status = 'HIT_SS';
  if (site.emulated) {
    let op: string | null;
    try {
      op = emulateLinux61(s.machine, site.insn);
    } catch {
      return s.fatal(site.address, 'the emulation could not access the stack');
    }
    if (op === null) return s.fatal(site.address, `no emulation for ${site.insn.mnemonic}`);
    s.emit({ kind: 'emulate', hit, address: site.address, op, ipAfter: s.machine.eip });
    return postProcess61(s, site, hit);
  }
  enterSlotStepping(s, site, hit, 0);
  return 'resume';
}
