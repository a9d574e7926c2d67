// Reads the event trace back as the static verdict speaks: how each hit of a probe executed
// (boosted, single-stepped, emulated, or optimized through an optprobe's detour), so the live
// engine can be checked against the prediction.

import type { HitExecution } from '../kprobe-vocabulary';
import type { ProbeEvent } from './live-probe-types';

export interface ObservedHit {
  hit: number;
  address: number;
  execution: HitExecution | 'optimized' | 'handler-changed-ip' | 'unfinished';
  reentered: boolean;
}

export function classifyHits(trace: readonly ProbeEvent[], address?: number): ObservedHit[] {
  const byHit = new Map<number, ObservedHit>();
  for (const e of trace) {
    if (!('hit' in e)) continue;
    if (address !== undefined && e.address !== address) continue;
    let h = byHit.get(e.hit);
    if (h === undefined) byHit.set(e.hit, (h = { hit: e.hit, address: e.address, execution: 'unfinished', reentered: false }));
    if (e.kind === 'reenter') h.reentered = true;
    else if (e.kind === 'slot-enter' && e.mode === 'boosted') h.execution = 'boosted';
    else if (e.kind === 'step-trap') h.execution = 'single-stepped';
    else if (e.kind === 'emulate') h.execution = 'emulated';
    else if (e.kind === 'detour') h.execution = 'optimized';
    else if (e.kind === 'ip-changed-by-handler') h.execution = 'handler-changed-ip';
  }
  return [...byHit.values()];
}
