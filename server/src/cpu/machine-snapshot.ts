// Snapshots of the complete machine state (registers, segments, control/debug registers, x87,
// descriptor tables, MSRs, memory pages and counters) for stepping back; restoring copies again
// so a snapshot is reusable.

import type { DescriptorTables } from './descriptor-tables';
import type { Machine } from './machine';
import type { ModelSpecificRegisters } from './model-specific-registers';
import type { Page } from './paged-memory';
import type { X87State } from './x87-state';

export interface MachineSnapshot {
  readonly regs: Uint32Array;
  readonly eip: number;
  readonly eflags: number;
  readonly segments: Uint16Array;
  readonly segmentBase: { fs: number; gs: number };
  readonly descriptorBases: ReadonlyMap<number, number>;
  readonly control: Uint32Array;
  readonly debug: Uint32Array;
  readonly x87: X87State;
  readonly descriptorTables: DescriptorTables;
  readonly msrs: ModelSpecificRegisters;
  readonly pages: ReadonlyMap<number, Page>;
  readonly instructionCount: number;
}

/** The machine's state without its memory pages (what one instruction step can be undone from, with its writes). */
export type CpuStateSnapshot = Omit<MachineSnapshot, 'pages'>;

export function takeCpuState(m: Machine): CpuStateSnapshot {
  return {
    regs: m.regs.slice(), eip: m.eip, eflags: m.eflags, segments: m.segments.slice(),
    segmentBase: { ...m.segmentBase }, descriptorBases: new Map(m.descriptorBases), control: m.control.slice(),
    debug: m.debug.slice(), x87: m.x87.clone(), descriptorTables: m.descriptorTables.clone(), msrs: m.msrs.clone(), instructionCount: m.instructionCount,
  };
}

export function restoreCpuState(m: Machine, s: CpuStateSnapshot): void {
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

export function takeSnapshot(m: Machine): MachineSnapshot {
  return { ...takeCpuState(m), pages: m.memory.clonePages() };
}

export function restoreSnapshot(m: Machine, s: MachineSnapshot): void {
  restoreCpuState(m, s);
  m.memory.restorePages(s.pages);
}
