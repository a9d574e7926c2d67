// register_kprobe and unregister_kprobe on the live engine: the static verdict decides (through
// kprobe-registry.ts), a second probe at an address joins the site's aggregate, arming copies the
// instruction into a slot (6.1: followed by a jmp back or an int3) and writes the int3 through the
// one text-poking path; disarming restores the byte and defers the slot's release.

import type { LoadedImage } from '../../cpu';
import type { KernelAreas } from '../function-probe-analysis';
import type { KprobeEngineState } from './kprobe-engine-state';
import { decideRegistration, resolveProbeAddress } from './kprobe-registry';
import type { KprobeRequest, LiveKprobe, RegisterResult } from './live-probe-types';
import { originalUnderJump, queueOptimization, reoptimizeAround, unoptimize, unoptimizeAround } from './optprobe-optimizer';
import { hasPostHandler, type ProbeSite } from './probe-site-and-control-block';
import { INT3, jmpRel32, pokeText } from './text-poke-and-slot-page';

export interface RegistrationContext {
  image: LoadedImage | null;
  areas: KernelAreas | undefined;
}

export function registerProbe(s: KprobeEngineState, ctx: RegistrationContext, req: KprobeRequest): RegisterResult {
  const where = resolveProbeAddress(req, ctx.image);
  if ('errno' in where) return { ok: false, ...where };
  const make = (): LiveKprobe => ({
    id: s.nextProbeId(), address: where.address, symbol: where.symbol, offset: where.offset,
    preHandler: req.preHandler ?? null, postHandler: req.postHandler ?? null, nhit: 0, nmissed: 0, registered: true,
  });
  const existing = s.sites.get(where.address);
  if (existing !== undefined) {
    // Aggregation: one int3, one slot, the members' handlers called in turn.
    const probe = make();
    existing.probes.push(probe);
    if (probe.postHandler !== null) {
      // add_new_kprobe: a post_handler makes the aggregate fall back to a normal kprobe.
      unoptimize(s, existing, 'a probe with a post_handler joined');
      refreshSlotTail61(s, existing, 'a probe with a post_handler joined');
    }
    return { ok: true, probe };
  }
  if (s.slots === null) return { ok: false, errno: 'ENOENT', rule: s.errors[0] ?? 'no slot page' };
  const decision = decideRegistration(s.machine, s.profile, s.config, where.address, req.postHandler !== undefined,
    ctx.image, ctx.areas, (a, n) => readOriginal(s, a, n));
  if ('errno' in decision) return { ok: false, ...decision };
  const slot = s.slots.allocate();
  if (slot === null) return { ok: false, errno: 'ENOSPC', rule: 'the slot page is full' };
  const { insn, verdict } = decision;
  const copy = Uint8Array.from(insn.bytes);
  const boosted = s.profile === 'linux-6.1' && verdict.firstHit === 'boosted';
  const tail = s.profile !== 'linux-6.1' ? [] : boosted ? jmpRel32(slot + copy.length, where.address + copy.length) : [INT3];
  s.slots.write(slot, [...copy, ...tail]);
  // __arm_kprobe: an optimized probe whose jump covers this address falls back to its int3 first,
  // so the byte the new int3 covers is the original one.
  unoptimizeAround(s, where.address);
  const original = pokeText(s.machine, where.address, INT3);
  if (original === null) {
    s.slots.release(slot);
    return { ok: false, errno: 'ENOENT', rule: `cannot write text at 0x${where.address.toString(16)}` };
  }
  const site: ProbeSite = {
    address: where.address, insn, verdict, slot, copy, original, probes: [make()],
    boostable: verdict.boostable?.atRegistration ?? 0, boosted, emulated: s.profile === 'linux-6.1' && verdict.firstHit === 'emulated',
    jumpBackAt: boosted ? slot + copy.length : null, optimizable: decision.optimizable, detour: null,
  };
  s.sites.set(where.address, site);
  s.emit({ kind: 'arm', address: where.address, original });
  queueOptimization(s, site);
  return { ok: true, probe: site.probes[0]! };
}

/** Disarms when the last member goes; the slot is freed only once the CPU is out of it. */
export function unregisterProbe(s: KprobeEngineState, probe: LiveKprobe): { ok: true } | { ok: false; error: string } {
  const site = s.sites.get(probe.address);
  if (!probe.registered || site === undefined) return { ok: false, error: 'the probe is not registered' };
  probe.registered = false;
  site.probes.splice(site.probes.indexOf(probe), 1);
  if (site.probes.length > 0) {
    // The aggregate's post_handler may be gone: boost and optimize again where allowed.
    refreshSlotTail61(s, site, 'the last probe with a post_handler left');
    queueOptimization(s, site);
    return { ok: true };
  }
  unoptimize(s, site, 'unregistered');
  pokeText(s.machine, site.address, site.original);
  s.emit({ kind: 'disarm', address: site.address, restored: site.original });
  s.sites.delete(site.address);
  s.pendingRelease.push(site);
  s.releaseIdleSlots();
  reoptimizeAround(s, site.address);
  return { ok: true };
}

/**
 * 6.1: a boosted slot ends in a jmp back, a stepped one in an int3. A probe with a post_handler
 * disables boosting of its site (the reference's rule), so its next hit must trap after the copy:
 * the slot's tail follows whether the aggregate has a post_handler.
 */
function refreshSlotTail61(s: KprobeEngineState, site: ProbeSite, reason: string): void {
  if (s.profile !== 'linux-6.1') return;
  const boost = site.verdict.firstHit === 'boosted' && !hasPostHandler(site);
  if (boost === site.boosted) return;
  const at = site.slot + site.copy.length;
  const tail = boost ? jmpRel32(at, site.address + site.copy.length) : [INT3];
  s.slots!.write(at, tail);
  site.boosted = boost;
  site.jumpBackAt = boost ? at : null;
  s.emit({ kind: 'slot-tail', address: site.address, at, bytes: tail, boosted: boost, reason });
}

/** Memory with every armed int3 and optprobe jump replaced by the original bytes; unmapped bytes read as 0. */
export function readOriginal(s: KprobeEngineState, address: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let k = 0; k < length; k++) {
    const a = (address + k) >>> 0;
    const site = s.sites.get(a);
    const covered = s.optimized.size > 0 ? originalUnderJump(s, a) : null;
    const b = s.machine.memory.readBytes(a, 1);
    out[k] = site !== undefined ? site.original : covered !== null ? covered : b instanceof Uint8Array ? b[0]! : 0;
  }
  return out;
}
