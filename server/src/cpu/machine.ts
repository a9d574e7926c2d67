// The i386 machine: flat 32-bit protected mode at ring 0. Registers, EFLAGS, segment bases,
// control/debug registers, paged memory, the decoded-instruction cache, and the step/run loop
// that delivers exceptions and traps as the Intel SDM orders them.
//
// Handlers (execute-*.ts) use the small public helpers below (getReg/setReg, readE/writeE,
// push/pop, readMem/writeMem); flag arithmetic lives in flags-arithmetic.ts.

import type { CpuException, CpuRegisters, ExceptionHandler, PortHandler, RunResult, StepResult } from './cpu-events';
import { VECTOR_NAMES } from './cpu-events';
import { CpuSignal } from './cpu-signals';
import { FIXED_ONE, TF, RF, STATUS } from './eflags-bits';
import { blockAt, type CompiledBlock } from './block-compiler';
import { lazyStatusFlags } from './block-compiler-runtime';
import { dataBreakpointHits, enabledBreakpoints, instructionBreakpointHits, type HardwareBreakpoint } from './debug-breakpoints';
import { DescriptorTables } from './descriptor-tables';
import { fetchInstruction } from './instruction-fetch';
import { SEG_FS, SEG_GS, type Insn } from './instruction-record';
import { restoreSnapshot, takeSnapshot, type MachineSnapshot } from './machine-snapshot';
import { ModelSpecificRegisters } from './model-specific-registers';
import { MemoryFault, PagedMemory, PAGE_SHIFT, PAGE_SIZE, PF_FETCH, type Page } from './paged-memory';
import { X87State } from './x87-state';

export type MachineExceptionHandler = ExceptionHandler<Machine>;
export type { MachineSnapshot };

export interface MachineOptions {
  ioPort?: PortHandler;
  /** Run hot code through the block compiler (default true); false keeps the pure interpreter. */
  compileBlocks?: boolean;
  /** Visits of a block's start before it is compiled (default 8; 0 compiles on first visit). */
  blockHotVisits?: number;
}

export class Machine {
  readonly memory = new PagedMemory();
  /** eax ecx edx ebx esp ebp esi edi, unsigned (a Uint32Array wraps every store). */
  readonly regs = new Uint32Array(8);
  eip = 0;
  /**
   * EFLAGS as stored. A compiled block may leave its last flag-setting operation pending
   * (lazyFlagsKind, lazyA, lazyB, lazyResult) with the status bits here stale: read EFLAGS through
   * `eflags`, which computes them first; writing `eflags` drops the pending operation.
   */
  eflagsStored = FIXED_ONE;
  lazyFlagsKind = 0;
  lazyA = 0;
  lazyB = 0;
  lazyResult = 0;
  /** Segment selectors es cs ss ds fs gs (only fs and gs have bases in this flat model). */
  readonly segments = new Uint16Array(6);
  segmentBase = { fs: 0, gs: 0 };
  /** Base of the descriptor a selector's index names, consulted by mov/pop to fs and gs. */
  descriptorBases = new Map<number, number>();
  /** cr0..cr4 (cr2 holds the last #PF address) and dr0..dr7. */
  readonly control = new Uint32Array(5);
  readonly debug = new Uint32Array(8);
  x87 = new X87State();
  /** GDTR, IDTR, LDTR, TR and the built-in GDT (descriptor-tables.ts). */
  descriptorTables = new DescriptorTables();
  msrs = new ModelSpecificRegisters();
  instructionCount = 0;
  /** Addresses where run() stops before executing (the debugger's own, not int3). */
  readonly hostBreakpoints = new Set<number>();
  ioPort: PortHandler | null;
  /** run() executes compiled blocks where it may (block-compiler.ts); false: interpreter only. */
  compileBlocks: boolean;
  /** Visits of a start address before its block is compiled, so cold code stays interpreted. */
  blockHotVisits: number;

  /** Effective address of the current memory operand: offset and linear (offset + segment base). */
  ea = 0;
  linear = 0;
  /** Set by mov ss / pop ss: the single-step trap after this instruction is held back. */
  inhibitSingleStep = false;
  /** Set while a repeated string instruction must stop after one iteration (single-stepping). */
  repOneIteration = false;

  private handler: MachineExceptionHandler | null = null;
  /** The DR0-DR3 breakpoints DR7 enables, while it enables any (checked on every access). */
  private watchedBreakpoints: HardwareBreakpoint[] | null = null;
  private dataBreakpointsHit = 0;
  private readonly writes: Array<{ address: number; size: number }> = [];
  private readonly overwritten: number[] = [];

  constructor(options: MachineOptions = {}) {
    this.ioPort = options.ioPort ?? null;
    this.compileBlocks = options.compileBlocks ?? true;
    this.blockHotVisits = options.blockHotVisits ?? 8;
    this.control[0] = 0x80000011; // PG | ET | PE: paged protected mode
    this.debug[6] = 0xffff0ff0;
    this.debug[7] = 0x400;
  }

  get eflags(): number {
    if (this.lazyFlagsKind !== 0) {
      this.eflagsStored = (this.eflagsStored & ~STATUS) | lazyStatusFlags(this.lazyFlagsKind, this.lazyA, this.lazyB, this.lazyResult);
      this.lazyFlagsKind = 0;
    }
    return this.eflagsStored;
  }

  set eflags(value: number) {
    this.eflagsStored = value;
    this.lazyFlagsKind = 0;
  }

  // ---- registers ----

  getRegisters(): CpuRegisters {
    const r = this.regs;
    return { eax: r[0]!, ecx: r[1]!, edx: r[2]!, ebx: r[3]!, esp: r[4]!, ebp: r[5]!, esi: r[6]!, edi: r[7]!, eip: this.eip, eflags: this.eflags };
  }

  setRegisters(values: Partial<CpuRegisters>): void {
    const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
    names.forEach((name, n) => {
      const v = values[name];
      if (v !== undefined) this.regs[n] = v;
    });
    if (values.eip !== undefined) this.eip = values.eip >>> 0;
    if (values.eflags !== undefined) this.eflags = ((values.eflags | FIXED_ONE) & ~0x8028) >>> 0;
  }

  setExceptionHandler(handler: MachineExceptionHandler | null): void {
    this.handler = handler;
  }

  /** Memory written by the last step() (addresses and sizes, in order). */
  lastWrites(): Array<{ address: number; size: number }> {
    return this.writes.slice();
  }

  /** The writes of the last step() with the values they replaced (little-endian), in order: what undoes it. */
  lastOverwritten(): Array<{ address: number; size: number; old: number }> {
    return this.writes.map((w, k) => ({ ...w, old: this.overwritten[k] ?? 0 }));
  }

  getReg(n: number, size: number): number {
    if (size === 4) return this.regs[n]!;
    if (size === 2) return this.regs[n]! & 0xffff;
    return n < 4 ? this.regs[n]! & 0xff : (this.regs[n - 4]! >>> 8) & 0xff;
  }

  setReg(n: number, size: number, value: number): void {
    if (size === 4) this.regs[n] = value;
    else if (size === 2) this.regs[n] = (this.regs[n]! & 0xffff0000) | (value & 0xffff);
    else if (n < 4) this.regs[n] = (this.regs[n]! & 0xffffff00) | (value & 0xff);
    else this.regs[n - 4] = (this.regs[n - 4]! & 0xffff00ff) | ((value & 0xff) << 8);
  }

  // ---- memory ----

  readMem(address: number, size: number): number {
    if (this.watchedBreakpoints !== null) this.dataBreakpointsHit |= dataBreakpointHits(this.watchedBreakpoints, address, size, false);
    if (size === 4) return this.memory.read32(address);
    if (size === 2) return this.memory.read16(address);
    return this.memory.read8(address);
  }

  writeMem(address: number, size: number, value: number): void {
    if (this.watchedBreakpoints !== null) this.dataBreakpointsHit |= dataBreakpointHits(this.watchedBreakpoints, address, size, true);
    if (size === 4) this.memory.write32(address, value);
    else if (size === 2) this.memory.write16(address, value);
    else this.memory.write8(address, value);
  }

  /** The ModRM.rm operand (register or memory at the precomputed linear address). */
  readE(i: Insn, size: number): number {
    return i.mem ? this.readMem(this.linear, size) : this.getReg(i.rm, size);
  }

  writeE(i: Insn, size: number, value: number): void {
    if (i.mem) this.writeMem(this.linear, size, value);
    else this.setReg(i.rm, size, value);
  }

  /** Linear address of offset in a segment (only fs and gs have bases). */
  segmentAddress(seg: number, offset: number): number {
    if (seg === SEG_FS) return (offset + this.segmentBase.fs) >>> 0;
    if (seg === SEG_GS) return (offset + this.segmentBase.gs) >>> 0;
    return offset >>> 0;
  }

  push(size: number, value: number): void {
    const esp = (this.regs[4]! - size) >>> 0;
    this.writeMem(esp, size, value);
    this.regs[4] = esp;
  }

  pop(size: number): number {
    const value = this.readMem(this.regs[4]!, size);
    this.regs[4] = this.regs[4]! + size;
    return value;
  }

  /** Loads a segment register; fs and gs take their base from descriptorBases. */
  loadSegment(seg: number, selector: number): void {
    this.segments[seg] = selector;
    const base = this.descriptorBases.get(selector >> 3) ?? 0;
    if (seg === SEG_FS) this.segmentBase.fs = base;
    else if (seg === SEG_GS) this.segmentBase.gs = base;
  }

  /** Sets ea and linear for the instruction's memory operand from the current registers. */
  computeEffectiveAddress(i: Insn): void {
    let offset = i.disp;
    if (i.base >= 0) offset += this.regs[i.base]!;
    if (i.index >= 0) offset += this.regs[i.index]! << i.scale;
    offset = i.asize16 ? offset & 0xffff : offset >>> 0;
    this.ea = offset;
    this.linear = i.seg < SEG_FS ? offset : this.segmentAddress(i.seg, offset);
  }

  // ---- instruction cache ----

  /** The decoded instruction at eip, from the page cache or freshly decoded (throws on #PF/#UD). */
  fetch(eip: number): Insn {
    return fetchInstruction(this.memory, eip);
  }

  // ---- execution ----

  step(): StepResult {
    this.writes.length = 0;
    this.overwritten.length = 0;
    this.memory.writeLog = this.writes;
    this.memory.overwritten = this.overwritten;
    const result = this.executeOne(true);
    this.memory.writeLog = null;
    this.memory.overwritten = null;
    if (result === null) return { kind: 'executed', exception: null };
    return result;
  }

  run(limit: number): RunResult {
    let executed = 0;
    const breakpoints = this.hostBreakpoints;
    while (executed < limit) {
      if (breakpoints.size !== 0 && executed !== 0 && breakpoints.has(this.eip)) {
        return { stop: { kind: 'breakpoint', eip: this.eip }, executed };
      }
      // The fast path runs while nothing needs a per-instruction check (TF, breakpoints, DR7).
      if ((this.eflags & TF) === 0 && breakpoints.size === 0 && (this.debug[7]! & 0xff) === 0) {
        const done = this.runFast(limit - executed);
        executed += done;
        if (executed >= limit) break;
      }
      const result = this.executeOne(false);
      executed++;
      if (result !== null) {
        if (result.kind === 'executed') continue;
        return { stop: result, executed };
      }
    }
    return { stop: { kind: 'limit' }, executed };
  }

  /**
   * Executes up to `limit` instructions with no trap checks; returns how many completed. It
   * returns early, before executing it, at an instruction that raises an exception (which the
   * caller then runs through executeOne for delivery) and when TF or DR7 becomes set. Compiled
   * blocks run here when all of a block's instructions fit in the limit; a block that faults
   * leaves EIP at the faulting instruction with the instructions before it completed.
   */
  private runFast(limit: number): number {
    const first = this.instructionCount;
    const end = first + limit;
    this.repOneIteration = false;
    const compile = this.compileBlocks;
    let inBlock = false;
    let start = this.eip;
    const memory = this.memory;
    // The last page looked up: valid while the code epoch (bumped by every map, unmap and
    // restore, which are what replace a Page) stays the same.
    let pageNumber = -1;
    let pageEpoch = -1;
    let page: Page | undefined;
    try {
      while (this.instructionCount < end) {
        if (compile) {
          inBlock = true;
          this.runCompiledBlocks(end);
          inBlock = false;
          if ((this.eflagsStored & TF) !== 0 || (this.debug[7]! & 0xff) !== 0 || this.instructionCount >= end) break;
        }
        start = this.eip;
        if (start >>> PAGE_SHIFT !== pageNumber || memory.codeEpoch !== pageEpoch) {
          pageNumber = start >>> PAGE_SHIFT;
          pageEpoch = memory.codeEpoch;
          page = memory.page(start);
        }
        if (compile && page !== undefined) {
          // A slot counts the visits of a start address until it is hot enough to compile.
          const slot = page.blocks !== null ? page.blocks[start & (PAGE_SIZE - 1)] as CompiledBlock | number | undefined : undefined;
          if (typeof slot !== 'object') {
            const block = blockAt(this, start, slot ?? 0);
            if (block !== null && block.count <= end - this.instructionCount) continue;
          }
        }
        let insn: Insn | undefined;
        if (page !== undefined && page.code !== null) insn = page.code[start & (PAGE_SIZE - 1)] as Insn | undefined;
        if (insn === undefined) insn = this.fetch(start);
        this.eip = insn.next;
        if (insn.mem) this.computeEffectiveAddress(insn);
        insn.exec(this, insn);
        this.instructionCount++;
        if ((this.eflagsStored & TF) !== 0 || (this.debug[7]! & 0xff) !== 0) break;
      }
    } catch (e) {
      if (!(e instanceof MemoryFault) && !(e instanceof CpuSignal)) throw e;
      // Undo the partial instruction's EIP change; executeOne will run it again and deliver.
      // Handlers change no state before they fault, so running it twice is safe. A block has
      // already set EIP to its faulting instruction.
      if (!inBlock) this.eip = start;
    }
    this.eflags &= ~RF;
    return this.instructionCount - first;
  }

  /**
   * Runs compiled blocks back to back while the one at EIP is compiled and fits before `end`.
   * Kept apart from runFast so that this hot loop stays small for V8 to optimize.
   */
  private runCompiledBlocks(end: number): void {
    const memory = this.memory;
    for (;;) {
      const start = this.eip;
      const page = memory.page(start);
      if (page === undefined || page.blocks === null) return;
      const block = page.blocks[start & (PAGE_SIZE - 1)] as CompiledBlock | number | undefined;
      if (typeof block !== 'object' || block.count > end - this.instructionCount) return;
      block.run(this, end);
      if ((this.eflagsStored & TF) !== 0 || (this.debug[7]! & 0xff) !== 0) return;
    }
  }

  /** One instruction; null when it simply ran, else what happened. */
  private executeOne(single: boolean): StepResult | null {
    const start = this.eip;
    const singleStepping = (this.eflags & TF) !== 0;
    this.repOneIteration = single || singleStepping;
    this.inhibitSingleStep = false;
    this.watchedBreakpoints = (this.debug[7]! & 0xff) !== 0 ? enabledBreakpoints(this.debug) : null;
    this.dataBreakpointsHit = 0;
    if (this.watchedBreakpoints !== null && (this.eflags & RF) === 0) {
      const hits = instructionBreakpointHits(this.watchedBreakpoints, start);
      if (hits !== 0) {
        // A fault: EIP stays; RF lets the instruction run once the handler resumes.
        this.debug[6] = (this.debug[6]! & ~0x400f) | hits;
        this.eflags |= RF;
        this.watchedBreakpoints = null;
        return this.raise({
          kind: 'debug', vector: 1, name: '#DB', eip: start, instructionAddress: start, dr6: this.debug[6]!,
          cause: 'instruction-breakpoint', message: `instruction breakpoint at 0x${hex(start)}`,
        });
      }
    }
    try {
      const insn = this.fetch(start);
      this.eip = insn.next;
      if (insn.mem) this.computeEffectiveAddress(insn);
      insn.exec(this, insn);
    } catch (e) {
      this.watchedBreakpoints = null;
      return this.deliver(e, start);
    }
    this.instructionCount++;
    this.eflags &= ~RF;
    if (this.watchedBreakpoints !== null) {
      this.watchedBreakpoints = null;
      if (this.dataBreakpointsHit !== 0) {
        this.debug[6] = (this.debug[6]! & ~0x400f) | this.dataBreakpointsHit | (singleStepping && !this.inhibitSingleStep ? 0x4000 : 0);
        return this.raise({
          kind: 'debug', vector: 1, name: '#DB', eip: this.eip, instructionAddress: start, dr6: this.debug[6]!,
          cause: 'data-breakpoint', message: `data breakpoint hit by the instruction at 0x${hex(start)}`,
        });
      }
    }
    if (singleStepping && !this.inhibitSingleStep) {
      this.debug[6] = (this.debug[6]! & ~0xf) | 0x4000;
      return this.raise({
        kind: 'debug', vector: 1, name: '#DB', eip: this.eip, instructionAddress: start, dr6: this.debug[6]!,
        cause: 'single-step', message: `single-step trap after the instruction at 0x${hex(start)}`,
      });
    }
    return null;
  }

  private deliver(e: unknown, start: number): StepResult {
    let exception: CpuException;
    if (e instanceof MemoryFault) {
      this.eip = start;
      this.control[2] = e.address;
      exception = {
        kind: 'page-fault', vector: 14, name: '#PF', eip: start, instructionAddress: start, errorCode: e.errorCode, cr2: e.address,
        message: `page fault (${describePageFault(e.errorCode)}) at 0x${hex(e.address)} by the instruction at 0x${hex(start)}`,
      };
    } else if (e instanceof CpuSignal) {
      if (e.kind === 'halt') {
        this.instructionCount++;
        return { kind: 'halt', eip: this.eip };
      }
      const name = VECTOR_NAMES[e.vector] ?? `int 0x${e.vector.toString(16)}`;
      if (e.kind === 'fault') {
        this.eip = start;
        exception = { kind: 'fault', vector: e.vector as 0, name, eip: start, instructionAddress: start, errorCode: e.errorCode, message: e.message };
      } else {
        this.instructionCount++;
        if (e.vector === 1) {
          this.debug[6] = (this.debug[6]! & ~0xf);
          exception = { kind: 'debug', vector: 1, name: '#DB', eip: this.eip, instructionAddress: start, dr6: this.debug[6]!, cause: 'int1', message: e.message };
        } else exception = { kind: 'software-interrupt', vector: e.vector, name, eip: this.eip, instructionAddress: start, message: e.message };
      }
    } else throw e;
    return this.raise(exception);
  }

  private raise(exception: CpuException): StepResult {
    if (this.handler === null) return { kind: 'exception', exception, handled: false };
    const decision = this.handler(this, exception);
    if (decision === 'resume') return { kind: 'executed', exception };
    return { kind: 'exception', exception, handled: true };
  }

  // ---- snapshots ----

  snapshot(): MachineSnapshot {
    return takeSnapshot(this);
  }

  restore(s: MachineSnapshot): void {
    restoreSnapshot(this, s);
  }
}

export function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

function describePageFault(code: number): string {
  const what = code & PF_FETCH ? 'instruction fetch' : code & 2 ? 'write' : 'read';
  return `${what}, ${code & 1 ? 'protection violation' : 'page not present'}`;
}
