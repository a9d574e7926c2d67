// What stepBack can undo, newest last: a plain instruction step (the CPU state before it and the
// memory its writes replaced, from machine.lastOverwritten(): far cheaper than a whole-machine
// snapshot, which copies every page), a hit stage presented from the recorded ones (the machine
// did not move), or a barrier the history cannot cross: a probe hit the machine ran (the engine's
// own state, kprobe_status, boostable, slots, nhit, is not kept) or a run.

import { restoreCpuState, type CpuStateSnapshot, type Machine } from '../cpu';

export type HistoryEntry =
  | { kind: 'instruction'; before: CpuStateSnapshot; writes: Array<{ address: number; size: number; old: number }> }
  | { kind: 'stage' }
  | { kind: 'barrier'; why: string };

/** Entries kept; older steps cannot be undone. */
const HISTORY_LIMIT = 10_000;

/** Puts back the CPU state and, newest first, the bytes each write replaced. */
export function undoInstruction(m: Machine, entry: Extract<HistoryEntry, { kind: 'instruction' }>): void {
  for (let k = entry.writes.length - 1; k >= 0; k--) {
    const w = entry.writes[k]!;
    m.memory.writeBytes(w.address, Uint8Array.from({ length: w.size }, (_, i) => Math.floor(w.old / 256 ** i) % 256));
  }
  restoreCpuState(m, entry.before);
}

export class StepBackHistory {
  private entries: HistoryEntry[] = [];

  push(entry: HistoryEntry): void {
    // Two barriers in a row say no more than one.
    if (entry.kind === 'barrier' && this.entries[this.entries.length - 1]?.kind === 'barrier') return;
    this.entries.push(entry);
    if (this.entries.length > HISTORY_LIMIT) this.entries = [{ kind: 'barrier', why: `the ${HISTORY_LIMIT / 2} steps kept` }, ...this.entries.slice(-HISTORY_LIMIT / 2)];
  }

  /** The newest entry, removed unless it is a barrier (which stays: nothing before it can be undone). */
  take(): HistoryEntry | null {
    const last = this.entries[this.entries.length - 1];
    if (last === undefined) return null;
    if (last.kind !== 'barrier') this.entries.pop();
    return last;
  }
}
