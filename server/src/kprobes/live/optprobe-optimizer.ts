// Optprobes of linux-6.1 (CONFIG_OPTPROBES), live: a probe whose static verdict says optimizable is
// queued at registration; a delayed worker (kprobe_optimizer), due a number of emulated
// instructions later, copies the instructions the 5-byte jump covers into a detour buffer and
// replaces the int3 by `jmp rel32` through the one text-poking path. The worker runs when the
// engine next gets control after the delay, and only at a quiescent point: no probe being handled,
// the CPU not inside the jump's bytes or the slot, no return address into them on the stack (the
// kernel waits for an RCU-tasks grace period for the same reason). Unoptimizing puts the int3 and
// the covered bytes back; the buffer is freed once the CPU is out of it.

import { REFERENCE_CPU } from '../overhead-model';
import { JMP32_SIZE } from '../profile-linux-6-1';
import type { KprobeEngineState } from './kprobe-engine-state';
import { buildDetourBuffer } from './optprobe-detour-template';
import { optimizedCallback } from './optprobe-detour-hit';
import { readOriginal } from './probe-registration-and-arming';
import { hasPostHandler, type ProbeSite } from './probe-site-and-control-block';
import { INT3, jmpRel32, pokeTextBytes } from './text-poke-and-slot-page';

/** The kernel's OPTIMIZE_DELAY (5 jiffies) at Debian 686's CONFIG_HZ=250: 20 ms. */
export const OPTIMIZE_DELAY_JIFFIES = 5;
export const MODELLED_HZ = 250;
/** 20 ms of the overhead model's reference CPU at about one instruction per cycle. */
export const DEFAULT_OPTIMIZE_DELAY_INSTRUCTIONS = Math.round((OPTIMIZE_DELAY_JIFFIES / MODELLED_HZ) * REFERENCE_CPU.mhz * 1_000_000);

/** Bytes of each detour buffer in the detour page (template 50 + copied <= 19 + jmp 5). */
export const DETOUR_BUFFER_SIZE = 128;

/** How far up the stack the quiescence check looks for return addresses. */
const STACK_SCAN_BYTES = 16 * 1024;

function optprobesOn(s: KprobeEngineState): boolean {
  return s.profile === 'linux-6.1' && s.config.optprobes && s.detourPage !== null;
}

/** optimize_kprobe: queue the site and kick the delayed worker (a pending worker keeps its time). */
export function queueOptimization(s: KprobeEngineState, site: ProbeSite): void {
  if (!optprobesOn(s) || site.optimizable?.ok !== true || site.detour !== null || hasPostHandler(site)) return;
  s.optimizeQueue.add(site);
  if (s.optimizerDue === null) s.optimizerDue = s.machine.instructionCount + s.optimizeDelay;
}

/**
 * The delayed worker, run at each engine entry once due. `trapAt` is the address of an int3 being
 * handled (the CPU stands before that instruction), else null.
 */
export function runOptimizerIfDue(s: KprobeEngineState, trapAt: number | null): void {
  if (s.optimizerDue === null || s.machine.instructionCount < s.optimizerDue) return;
  if (s.kcb.site !== null || s.prev !== null) return;
  s.optimizerDue = null;
  for (const site of [...s.optimizeQueue]) {
    if (s.sites.get(site.address) !== site) {
      s.optimizeQueue.delete(site);
      continue;
    }
    if (!quiescent(s, site, trapAt)) continue;
    s.optimizeQueue.delete(site);
    optimize(s, site);
  }
  if (s.optimizeQueue.size > 0) s.optimizerDue = s.machine.instructionCount + s.optimizeDelay;
}

function copiedLength(site: ProbeSite): number {
  return site.optimizable?.copied ?? JMP32_SIZE;
}

function quiescent(s: KprobeEngineState, site: ProbeSite, trapAt: number | null): boolean {
  const end = site.address + copiedLength(site);
  const at = trapAt ?? s.machine.eip;
  if (at > site.address && at < end) return false;
  if (s.slots!.contains(s.machine.eip, site.slot)) return false;
  return !stackHolds(s, site.address + 1, end);
}

/** Whether a word on the live stack (a possible return address) lies in [lo, hi). */
function stackHolds(s: KprobeEngineState, lo: number, hi: number): boolean {
  const m = s.machine;
  const esp = m.regs[4]!;
  for (let a = esp; a - esp < STACK_SCAN_BYTES; a += 4) {
    const word = m.memory.peek32(a);
    if (word === null) return false;
    if (word >= lo && word < hi) return true;
  }
  return false;
}

/** arch_optimize_kprobes for one site: checks what only the live state knows, fills the buffer, writes the jump. */
function optimize(s: KprobeEngineState, site: ProbeSite): void {
  const size = copiedLength(site);
  // arch_check_optimized_kprobe: no other probe inside the copied instructions.
  for (let a = site.address + 1; a < site.address + size; a++) if (s.sites.has(a)) return;
  if (hasPostHandler(site)) return;
  const buffer = s.detourPage!.allocate();
  if (buffer === null) {
    s.errors.push(`no free detour buffer for the probe at 0x${site.address.toString(16)}: left unoptimized`);
    return;
  }
  const detour = buildDetourBuffer(buffer, site.address, readOriginal(s, site.address, size));
  s.detourPage!.write(buffer, detour.bytes);
  const jump = jmpRel32(site.address, buffer);
  const replaced = pokeTextBytes(s.machine, site.address, jump);
  if (replaced === null) {
    s.detourPage!.release(buffer);
    return;
  }
  site.detour = { buffer, copied: size, covered: replaced.slice(1), callout: detour.callout };
  s.callouts.set(detour.callout, () => optimizedCallback(s, site));
  s.optimized.add(site);
  s.emit({ kind: 'optimized', address: site.address, buffer, copied: size, jump });
}

/** arch_unoptimize_kprobe: the int3 and the covered bytes go back; the buffer is freed later. */
export function unoptimize(s: KprobeEngineState, site: ProbeSite, reason: string): void {
  s.optimizeQueue.delete(site);
  const detour = site.detour;
  if (detour === null) return;
  pokeTextBytes(s.machine, site.address, [INT3, ...detour.covered]);
  site.detour = null;
  s.optimized.delete(site);
  s.pendingDetourRelease.push({ site, buffer: detour.buffer, callout: detour.callout });
  s.emit({ kind: 'unoptimized', address: site.address, reason });
  releaseIdleDetours(s);
}

/**
 * Frees detour buffers the CPU is not executing in: not in their callback (whose handlers see the
 * probed context's registers, not the buffer's), not at an address in them, and with no stacked
 * return address into them.
 */
export function releaseIdleDetours(s: KprobeEngineState): void {
  for (let k = s.pendingDetourRelease.length - 1; k >= 0; k--) {
    const { site, buffer, callout } = s.pendingDetourRelease[k]!;
    const eip = s.machine.eip;
    if (s.kcb.site === site || s.prev?.site === site) continue;
    if ((eip >= buffer && eip < buffer + DETOUR_BUFFER_SIZE) || stackHolds(s, buffer, buffer + DETOUR_BUFFER_SIZE)) continue;
    s.callouts.delete(callout);
    s.detourPage!.release(buffer);
    s.pendingDetourRelease.splice(k, 1);
  }
}

/** The original byte under an optprobe's jump at `address`, or null when no jump covers it. */
export function originalUnderJump(s: KprobeEngineState, address: number): number | null {
  for (const site of s.optimized) {
    const k = address - site.address - 1;
    if (k >= 0 && k < site.detour!.covered.length) return site.detour!.covered[k]!;
  }
  return null;
}

/** A probe registered at `address`: optimized probes whose copied instructions contain it fall back to int3. */
export function unoptimizeAround(s: KprobeEngineState, address: number): void {
  for (const site of [...s.optimized]) {
    if (address > site.address && address < site.address + site.detour!.copied) {
      unoptimize(s, site, `a probe was registered at 0x${address.toString(16)}, inside its copied instructions`);
    }
  }
}

/** A probe at `address` went away: optimizable sites whose copied instructions contain it are queued again. */
export function reoptimizeAround(s: KprobeEngineState, address: number): void {
  for (const site of s.sites.values()) {
    if (address > site.address && address < site.address + copiedLength(site)) queueOptimization(s, site);
  }
}
