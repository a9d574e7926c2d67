// What stepBack can undo, newest last: a plain instruction step (the CPU state before it and the
// memory its writes replaced, from machine.lastOverwritten(): far cheaper than a whole-machine
// snapshot, which copies every page), a hit stage presented from the recorded ones (the machine
// did not move), or a barrier the history cannot cross: a probe hit the machine ran (the engine's
// own state, kprobe_status, boostable, slots, nhit, is not kept) or a run.

import type { Machine } from '../cpu';

interface CpuState {
  regs: Uint32Array;
  eip: number;
  eflags: number;
  segments: Uint16Array;
  segmentBase: { fs: number; gs: number };
  descriptorBases: Map<number, number>;
  control: Uint32Array;
  debug: Uint32Array;
  x87: Machine['x87'];
  descriptorTables: Machine['descriptorTables'];
  msrs: Machine['msrs'];
  instructionCount: number;
}

export type HistoryEntry =
  | { kind: 'instruction'; before: CpuState; writes: Array<{ address: number; size: number; old: number }> }
  | { kind: 'stage' }
  | { kind: 'barrier'; why: string };

/** Entries kept; older steps cannot be undone. */
const HISTORY_LIMIT = 10_000;

export function captureCpuState(m: Machine): CpuState {
  return {
    regs: m.regs.slice(), eip: m.eip, eflags: m.eflags, segments: m.segments.slice(), segmentBase: { ...m.segmentBase },
    descriptorBases: new Map(m.descriptorBases), control: m.control.slice(), debug: m.debug.slice(), x87: m.x87.clone(),
    descriptorTables: m.descriptorTables.clone(), msrs: m.msrs.clone(), instructionCount: m.instructionCount,
  };
}

/** Puts back the CPU state and, newest first, the bytes each write replaced. */
export function undoInstruction(m: Machine, entry: Extract<HistoryEntry, { kind: 'instruction' }>): void {
  for (let k = entry.writes.length - 1; k >= 0; k--) {
    const w = entry.writes[k]!;
    m.memory.writeBytes(w.address, Uint8Array.from({ length: w.size }, (_, i) => Math.floor(w.old / 256 ** i) % 256));
  }
  const s = entry.before;
  m.regs.set(s.regs);
  m.eip = s.eip;
  m.eflags = s.eflags;
  m.segments.set(s.segments);
  m.segmentBase = { ...s.segmentBase };
  m.descriptorBases = new Map(s.descriptorBases);
  m.control.set(s.control);
  m.debug.set(s.debug);
  m.x87 = s.x87.clone();
  m.descriptorTables = s.descriptorTables.clone();
  m.msrs = s.msrs.clone();
  m.instructionCount = s.instructionCount;
}

export class StepBackHistory {
  private entries: HistoryEntry[] = [];

  push(entry: HistoryEntry): void {
    // Two barriers in a row say no more than one.
    if (entry.kind === 'barrier' && this.entries[this.entries.length - 1]?.kind === 'barrier') return;
    this.entries.push(entry);
    if (this.entries.length > HISTORY_LIMIT) this.entries = this.entries.slice(-HISTORY_LIMIT / 2);
  }

  /** The newest entry, removed unless it is a barrier (which stays: nothing before it can be undone). */
  take(): HistoryEntry | null {
    const last = this.entries[this.entries.length - 1];
    if (last === undefined) return null;
    if (last.kind !== 'barrier') this.entries.pop();
    return last;
  }
}
