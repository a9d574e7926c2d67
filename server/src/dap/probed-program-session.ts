// The debugger's model of one program under live kprobes, free of any protocol: load (assemble,
// stack, registers), breakpoints as kprobes registered through the live engine, run/step/pause,
// why it stopped, and the stages of a probe hit walked one by one. The DAP session
// (kboost-debug-session.ts) only translates requests and events to and from this.
//
// Stages: the engine runs a hit's stages synchronously inside its exception handler (one
// machine.step() executes the int3 and the engine's pre_handler, slot entry...). So each event is
// recorded with the registers at its emission (the engine's onEvent listener runs at that moment),
// and stepIn presents the recorded stages one per stop, each with the registers of its moment;
// the machine itself is then ahead of what is shown, which is why registers cannot be set there.
// Two stages are the CPU's own moves, not engine events: a copied instruction executed in the
// slot, and entering or leaving an optprobe detour buffer. The engine announces a boosted slot's
// jump back when the copy is entered; it is shown when the CPU takes it.

import { hex, takeCpuState, type CpuException, type CpuRegisters, type Machine } from '../cpu';
import { decode, formatAtt } from '../isa';
import type { ProfileId } from '../kprobes';
import {
  KprobeEngine, formatProbeEvent, resolveHandlerAssignments, kernelConfigFor, loadAssemblyProgram, probeSiteState, probeSummaryLine, profileSummaryLine, symbolizeAddress, tallyHits,
  type AssemblyProgram, type HandlerAssignments, type HitTally, type ProbeEvent, type ProbeSite, type ResolvedHandlers,
} from '../kprobes/live';
import { evaluateFetchArg } from './fetch-arg-expressions';
import { setDataBreakpoints, type DataBreakpointAnswer, type DataBreakpointRequest } from './hardware-data-breakpoints';
import { hitStageWords, type HandlerStageDetail } from './hit-stage-words';
import { StepBackHistory, undoInstruction } from './step-back-history';
import { ProbeBreakpoints, type BreakpointAnswer, type BreakpointOptions } from './probe-breakpoints';

export interface SessionLaunch {
  program: string;
  entry: string;
  profile: ProfileId;
  preemption: boolean | null;
  optprobes: boolean | null;
  optimizeDelay: number | null;
  registers: Partial<CpuRegisters>;
  limit: number;
  /** Assembly handlers of the program by probe place, and the empty post_handler on every probe. */
  handlers: HandlerAssignments;
  postHandler: boolean;
}

/** One presented stage of a hit: the engine's event (null for the CPU's own moves), its words, the registers of its moment. */
export interface HitStage {
  event: ProbeEvent | null;
  words: string;
  registers: CpuRegisters;
}

export type StopReason = 'entry' | 'breakpoint' | 'step' | 'pause' | 'exception' | 'data breakpoint';

export type SessionState =
  | { kind: 'stopped'; reason: StopReason; description: string; text?: string }
  | { kind: 'terminated'; lines: string[] }
  /** A budget of instructions ran without a stop: call resume() again (after other requests). */
  | { kind: 'running' };

interface HitWalk {
  site: ProbeSite;
  started: boolean;
  /** The engine's number of the hit, once an event of it was seen (an optprobe race may come first). */
  hit: number | null;
  shown: HitStage[];
  pending: HitStage[];
  /** The boosted slot's jump back, announced at slot entry: shown when the CPU takes it. */
  heldJumpBack: Extract<ProbeEvent, { kind: 'jump-back' }> | null;
}

/** How a continue-like request runs: to a stop, over one call, or out of the current function. */
type RunGoal = { kind: 'continue' } | { kind: 'over'; address: number; esp: number } | { kind: 'out'; esp: number };

/** The faults the debugger offers as exception filters (all on by default). */
export const EXCEPTION_FILTERS = ['#DE', '#UD', '#GP', '#PF'] as const;

const RUN_CHUNK = 200_000;
const EVENT_LINES_PER_RUN = 5_000;
/** Trace events kept before a long run folds them into tallies. */
const TRACE_KEPT = 100_000;
const NOT_KEPT = "the kprobe engine's state (kprobe_status, boostable, slots, nhit) is not kept";
/** Machine steps one stage request may take inside a hit before giving up (a detour's template). */
const HIT_STEP_BOUND = 256;

export class ProbedProgramSession {
  readonly machine: Machine;
  readonly engine: KprobeEngine;
  readonly program: AssemblyProgram;
  private readonly breakpoints: ProbeBreakpoints;
  /** Events with their registers, recorded during one machine.step() only (runs record nothing). */
  private recording: Array<{ event: ProbeEvent; registers: CpuRegisters }> | null = null;
  /** Event lines printed since the last stop (a hot probe in a long run would flood the console). */
  private eventLines = 0;
  /** Per probed address, the hits of trace events already dropped (long runs keep the trace short). */
  private readonly earlierHits = new Map<number, HitTally>();
  private walk: HitWalk | null = null;
  /** The last walked hit (its stages stay visible after it ends). */
  private lastWalk: HitWalk | null = null;
  private lastProbeAddress: number | null = null;
  private goal: RunGoal = { kind: 'continue' };
  private readonly history = new StepBackHistory();
  private runStart = { eip: -1, count: 0 };
  private pauseRequested = false;
  private executed = 0;
  private finished: SessionState | null = null;
  private exceptionFilters = new Set<string>(EXCEPTION_FILTERS);
  /** The engine's BUG() message, once one stopped the run. */
  private fatal: string | null = null;

  static launch(options: SessionLaunch, output: (line: string) => void): ProbedProgramSession | { errors: string[] } {
    const program = loadAssemblyProgram(options.program, options.entry, options.registers);
    if ('errors' in program) return program;
    const handlers = resolveHandlerAssignments(options.handlers, program.loaded.symbols, options.postHandler);
    if ('errors' in handlers) return handlers;
    return new ProbedProgramSession(options, program, handlers, output);
  }

  private constructor(readonly options: SessionLaunch, program: AssemblyProgram, handlers: ResolvedHandlers, private readonly output: (line: string) => void) {
    this.program = program;
    this.machine = program.machine;
    const config = kernelConfigFor(options.profile, options.preemption, options.optprobes);
    this.engine = new KprobeEngine(this.machine, {
      profile: options.profile, config, image: program.loaded, ...(options.optimizeDelay !== null ? { optimizeDelay: options.optimizeDelay } : {}),
    });
    this.engine.onEvent((event) => {
      this.recording?.push({ event, registers: this.machine.getRegisters() });
      if (event.kind === 'fatal') this.fatal = event.message;
      this.printCounted(`# ${formatProbeEvent(event, this.name)}`);
    });
    for (const e of this.engine.errors) output(`kboost: ${e}`);
    this.breakpoints = new ProbeBreakpoints(this.engine, this.machine, program.loaded.symbols, handlers, this.name, (a) => verdictWords(this.engine, a, this.name), (line) => this.printCounted(line));
  }

  readonly name = (address: number): string => symbolizeAddress(this.program.loaded, address);

  /** Where an address is for a reader of the registers: a symbol, or the engine's slot or detour page and the offset in it. */
  readonly placeName = (address: number): string => {
    const page = this.engine.codePageOf(address);
    if (page === null) return this.name(address);
    const base = page === 'slot' ? this.engine.slots!.base : this.engine.detourPageBase!;
    return `${page === 'slot' ? 'kprobe slot page' : 'optprobe detour page'}+0x${((address - base) >>> 0).toString(16)}`;
  };

  /** Event and logpoint lines, at most EVENT_LINES_PER_RUN between two stops, then one line saying so. */
  private printCounted(line: string): void {
    if (this.eventLines < EVENT_LINES_PER_RUN) this.output(line);
    else if (this.eventLines === EVENT_LINES_PER_RUN) this.output(`# ... further probe events and logpoint lines until the next stop are not printed (${EVENT_LINES_PER_RUN} were)`);
    this.eventLines++;
  }

  /** The program's executable sections, by name, where they were loaded. */
  private get codeSections(): Map<string, { address: number; size: number }> {
    if (this.codeSectionsCache === null) {
      this.codeSectionsCache = new Map();
      for (const [name, placed] of this.program.loaded.sections) {
        const section = this.program.image.sections.find((s) => s.name === name);
        if (section !== undefined && (section.flags.includes('x') || name === '.text')) this.codeSectionsCache.set(name, placed);
      }
    }
    return this.codeSectionsCache;
  }

  private codeSectionsCache: Map<string, { address: number; size: number }> | null = null;

  // ---- breakpoints ----

  /** Replaces the source breakpoints (0-based lines): each moves to the first instruction at or after its line. */
  setBreakpoints(requests: ReadonlyArray<{ line: number } & BreakpointOptions>): BreakpointAnswer[] {
    return this.breakpoints.set('source', requests.map((r) => {
      const at = this.instructionAtOrAfter(r.line);
      return at === null
        ? { ...r, actualLine: r.line, address: null, message: 'no instruction on or after this line' }
        : { ...r, actualLine: at.line, address: at.address };
    }));
  }

  /** Replaces the instruction breakpoints (probes at addresses). */
  setInstructionBreakpoints(requests: ReadonlyArray<{ address: number } & BreakpointOptions>): BreakpointAnswer[] {
    return this.breakpoints.set('instruction', requests.map((r) => {
      const line = this.lineOf(r.address) ?? -1;
      return { ...r, line, actualLine: line };
    }));
  }

  /** The first line at or after `line` whose code is an instruction in an executable section. */
  instructionAtOrAfter(line: number): { line: number; address: number } | null {
    let best: { line: number; address: number } | null = null;
    for (const l of this.program.image.lines) {
      if (l.line < line || l.bytes.length === 0 || (best !== null && l.line >= best.line)) continue;
      const placed = this.codeSections.get(l.section);
      if (placed === undefined) continue;
      best = { line: l.line, address: placed.address + l.address };
    }
    return best;
  }

  /** The source line whose bytes cover `address`, or null. */
  lineOf(address: number): number | null {
    const index = this.lineIndex;
    // The last piece starting at or below the address (pieces do not overlap).
    let low = 0;
    let high = index.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (index[mid]!.start <= address) low = mid + 1;
      else high = mid - 1;
    }
    const piece = index[high];
    return piece !== undefined && address < piece.end ? piece.line : null;
  }

  /** The line map's pieces with bytes, placed where they were loaded, by address. */
  private get lineIndex(): Array<{ start: number; end: number; line: number }> {
    if (this.lineIndexCache === null) {
      this.lineIndexCache = [];
      for (const l of this.program.image.lines) {
        const placed = this.program.loaded.sections.get(l.section);
        if (placed !== undefined && l.bytes.length > 0) this.lineIndexCache.push({ start: placed.address + l.address, end: placed.address + l.address + l.bytes.length, line: l.line });
      }
      this.lineIndexCache.sort((a, b) => a.start - b.start);
    }
    return this.lineIndexCache;
  }

  private lineIndexCache: Array<{ start: number; end: number; line: number }> | null = null;

  // ---- what is shown ----

  /** The registers shown: a presented stage's, else the machine's. */
  get registers(): CpuRegisters {
    const stage = this.presentedStage;
    return stage !== null ? stage.registers : this.machine.getRegisters();
  }

  /** The stage on screen while the machine is ahead of it (stages still pending). */
  get presentedStage(): HitStage | null {
    const w = this.walk;
    return w !== null && w.pending.length > 0 ? w.shown[w.shown.length - 1] ?? null : null;
  }

  /** The stages so far of the hit being walked (or of the last walked one). */
  get hitStages(): readonly HitStage[] {
    return (this.walk ?? this.lastWalk)?.shown ?? [];
  }

  /** The probe being handled, else the one at EIP, else the last one hit. */
  get currentProbeAddress(): number | null {
    return this.walk?.site.address ?? this.engine.running?.address ?? (this.engine.site(this.machine.eip) !== null ? this.machine.eip : this.lastProbeAddress);
  }

  /** Sets a register of the machine; refused while a recorded stage is shown (the machine is ahead). */
  setRegister(name: keyof CpuRegisters, value: number): string | null {
    if (this.presentedStage !== null) return 'registers cannot be set while a recorded stage of a hit is shown (step to the end of the stages)';
    this.machine.setRegisters({ [name]: value >>> 0 });
    return null;
  }

  get terminated(): boolean {
    return this.finished?.kind === 'terminated';
  }

  // ---- execution ----

  /** Starts a continue (or next-over-call / stepOut); run resume() until it is no longer 'running'. */
  startContinue(): void {
    this.beginRun({ kind: 'continue' });
  }

  /** The first run after configuration: a breakpoint on the entry instruction stops at once. */
  begin(): SessionState {
    const eip = this.machine.eip;
    if (this.breakpoints.has(eip) && this.breakpoints.shouldStop(eip)) return this.breakpointStop(eip);
    this.startContinue();
    return { kind: 'running' };
  }

  pause(): void {
    this.pauseRequested = true;
  }

  /** Runs one budget of the current run goal. */
  resume(): SessionState {
    if (this.finished !== null) return this.finished;
    if (this.pauseRequested) {
      this.pauseRequested = false;
      return this.stopped('pause', `paused at ${this.name(this.machine.eip)}`);
    }
    const left = this.options.limit - this.executed;
    if (left <= 0) return this.limitReached();
    if (this.goal.kind === 'out') return this.runOut(Math.min(left, RUN_CHUNK / 10));
    const temporary = this.goal.kind === 'over' ? this.goal.address : null;
    const hadTemporary = temporary !== null && this.machine.hostBreakpoints.has(temporary);
    if (temporary !== null) this.machine.hostBreakpoints.add(temporary);
    const r = this.machine.run(Math.min(left, RUN_CHUNK));
    this.dropOldTrace();
    if (temporary !== null && !hadTemporary) this.machine.hostBreakpoints.delete(temporary);
    this.executed += r.executed;
    const stop = r.stop;
    if (stop.kind === 'limit') return this.executed >= this.options.limit ? this.limitReached() : { kind: 'running' };
    if (stop.kind === 'halt') return this.terminate();
    if (stop.kind === 'exception') return this.exceptionStop(stop.exception);
    const eip = this.machine.eip;
    // An int3 the optprobe worker replaced by its jump while the trap was taken comes back to the
    // same address without progress: that is the same hit, not a second one.
    const noProgress = eip === this.runStart.eip && this.machine.instructionCount - this.runStart.count <= 1;
    if (this.breakpoints.has(eip) && !noProgress && this.breakpoints.shouldStop(eip)) return this.breakpointStop(eip);
    if (this.goal.kind === 'over' && eip === this.goal.address) {
      if ((this.machine.regs[4]! >>> 0) >= this.goal.esp) return this.stopped('step', `stepped to ${this.name(eip)}`);
    }
    return { kind: 'running' };
  }

  /**
   * stepIn: at a probe (or inside a hit being walked) the next stage of the hit; elsewhere one
   * instruction.
   */
  stepIn(): SessionState {
    if (this.finished !== null) return this.finished;
    const w = this.walk;
    if (w !== null && w.pending.length > 0) return this.presentNext(w);
    if (w !== null && this.hitOver(w)) this.endWalk();
    if (this.walk === null && this.engine.site(this.machine.eip) !== null) this.walk = { site: this.engine.site(this.machine.eip)!, started: false, hit: null, shown: [], pending: [], heldJumpBack: null };
    const walk = this.walk;
    if (walk === null) return this.singleInstruction();
    for (let k = 0; k < HIT_STEP_BOUND && walk.pending.length === 0; k++) {
      const stop = this.stepInHit(walk);
      if (stop !== null) return stop;
      if (this.hitOver(walk)) break;
    }
    if (walk.pending.length > 0) return this.presentNext(walk);
    this.endWalk();
    return this.stopped('step', `the hit of ${this.name(walk.site.address)} is over at ${this.name(this.machine.eip)}`);
  }

  /** next: one source instruction; a call is stepped over, a whole probe hit is one step. */
  next(): SessionState {
    if (this.finished !== null) return this.finished;
    const eip = this.machine.eip;
    const insn = this.walk === null ? this.instructionAt(eip) : null;
    const over = insn !== null && insn.mnemonic.startsWith('call') ? { kind: 'over' as const, address: (eip + insn.length) >>> 0, esp: this.machine.regs[4]! >>> 0 } : null;
    if (this.walk !== null || this.engine.site(eip) !== null) {
      const state = this.finishHit();
      // A probed call: the hit was the step into the callee; step over the rest of it too.
      if (over === null || state.kind !== 'stopped' || state.reason !== 'step' || this.machine.eip === over.address) return state;
    }
    if (over !== null) {
      this.beginRun(over);
      return { kind: 'running' };
    }
    return this.singleInstruction();
  }

  /** stepOut: to the end of the hit inside one; else until a ret pops the current frame. */
  stepOut(): SessionState {
    if (this.finished !== null) return this.finished;
    if (this.walk !== null) return this.finishHit();
    this.beginRun({ kind: 'out', esp: this.machine.regs[4]! >>> 0 });
    return { kind: 'running' };
  }

  private beginRun(goal: RunGoal): void {
    if (this.walk !== null) this.endWalk();
    this.history.push({ kind: 'barrier', why: 'a run' });
    this.goal = goal;
    this.pauseRequested = false;
    this.runStart = { eip: this.machine.eip, count: this.machine.instructionCount };
  }

  /** Runs the rest of the hit (a probe at EIP, or the one being walked) as one step. */
  private finishHit(): SessionState {
    if (this.walk === null) this.walk = { site: this.engine.site(this.machine.eip)!, started: false, hit: null, shown: [], pending: [], heldJumpBack: null };
    const walk = this.walk;
    walk.shown.push(...walk.pending.splice(0));
    for (let k = 0; k < HIT_STEP_BOUND * 4 && !this.hitOver(walk); k++) {
      const stop = this.stepInHit(walk);
      walk.shown.push(...walk.pending.splice(0));
      if (stop !== null) return stop;
    }
    this.endWalk();
    return this.stopped('step', `the hit of ${this.name(walk.site.address)} ran as one step: ${this.name(this.machine.eip)}`);
  }

  private endWalk(): void {
    if (this.walk !== null) this.lastWalk = this.walk;
    this.walk = null;
  }

  private hitOver(w: HitWalk): boolean {
    return w.started && w.hit !== null && w.pending.length === 0 && w.heldJumpBack === null && this.engine.running === null && this.engine.codePageOf(this.machine.eip) === null;
  }

  private presentNext(w: HitWalk): SessionState {
    const stage = w.pending.shift()!;
    w.shown.push(stage);
    this.history.push({ kind: 'stage' });
    return this.stopped('step', stage.words);
  }

  /** One machine step inside a hit; its stages go to the walk's pending list. Non-null: the run ended. */
  private stepInHit(w: HitWalk): SessionState | null {
    // Only the hit's first machine step is a barrier: later stages are recordings, and going back
    // over them leaves the machine where it is (ahead, as while they are presented).
    if (!w.started) this.history.push({ kind: 'barrier', why: `the hit of ${this.name(w.site.address)}` });
    w.started = true;
    this.lastProbeAddress = w.site.address;
    const before = this.machine.eip;
    const pageBefore = this.engine.codePageOf(before);
    const insn = pageBefore !== null ? this.instructionAt(before) : null;
    const { result, events } = this.recordedStep();
    const after = this.machine.getRegisters();
    const regsAfterInsn = events[0]?.registers ?? after;
    const pageAfter = this.engine.codePageOf(after.eip);
    if (pageBefore === 'slot' && insn !== null) {
      const held = w.heldJumpBack;
      if (held !== null && before === held.from) {
        w.pending.push({ event: held, words: hitStageWords(held, this.name), registers: regsAfterInsn });
        w.heldJumpBack = null;
      } else if (this.isCopyOf(before)) {
        w.pending.push({ event: null, words: `the copied \`${formatAtt(insn)}\` executed in the slot`, registers: regsAfterInsn });
      }
    }
    if (pageBefore !== 'detour' && pageAfter === 'detour') {
      w.pending.push({ event: null, words: `the jump at ${this.name(w.site.address)} leads to the optprobe detour buffer at 0x${hex(after.eip)}`, registers: regsAfterInsn });
    }
    let enterRegisters: CpuRegisters | null = null;
    for (const { event, registers } of events) {
      if (w.hit === null && 'hit' in event) w.hit = event.hit;
      if (event.kind === 'handler-enter') enterRegisters = registers;
      if (event.kind === 'jump-back') w.heldJumpBack = event;
      else w.pending.push({ event, words: hitStageWords(event, this.name, this.handlerDetail(event, enterRegisters, registers)), registers });
    }
    if (pageBefore === 'detour' && pageAfter === null) {
      w.pending.push({ event: null, words: `the detour buffer's copied instructions ran and its jump back led to ${this.name(after.eip)}`, registers: after });
    }
    // A stop inside the hit (a data breakpoint, a fault) ends the walk with its stages kept.
    if (result !== null) {
      w.shown.push(...w.pending.splice(0));
      this.endWalk();
    }
    return result;
  }

  /** A handler stage's label and, at leave, the registers changed since its enter. */
  private handlerDetail(event: ProbeEvent, enter: CpuRegisters | null, now: CpuRegisters): HandlerStageDetail | undefined {
    if (event.kind !== 'handler-enter' && event.kind !== 'handler-leave') return undefined;
    const label = this.breakpoints.handlerLabel(event.probe, event.handler);
    if (event.kind === 'handler-enter' || enter === null) return { label };
    const changed = (Object.keys(now) as Array<keyof CpuRegisters>).filter((r) => now[r] !== enter[r]).map((r) => `${r} 0x${hex(enter[r])} -> 0x${hex(now[r])}`);
    return { label, changed };
  }

  private isCopyOf(address: number): boolean {
    return this.engine.sites().some((s) => s.slot === address);
  }

  private singleInstruction(): SessionState {
    const before = this.machine.eip;
    const state = takeCpuState(this.machine);
    const { result, events } = this.recordedStep();
    // A plain step can be undone; one the engine took part in cannot (its state is not kept).
    if (result === null && events.length === 0) this.history.push({ kind: 'instruction', before: state, writes: this.machine.lastOverwritten() });
    else this.history.push({ kind: 'barrier', why: `the engine's handling at ${this.name(before)}` });
    return result ?? this.stopped('step', `stepped ${this.name(before)} -> ${this.name(this.machine.eip)}`);
  }

  /**
   * stepBack: a presented stage goes back to the recorded ones (the machine does not move), a
   * plain instruction is undone; a probe hit the machine ran or a run cannot be crossed.
   */
  stepBack(): SessionState | { error: string } {
    if (this.finished !== null) return { error: 'the program has ended' };
    const entry = this.history.take();
    if (entry === null) return { error: 'no earlier step to go back to' };
    if (entry.kind === 'barrier') return { error: `cannot step back past ${entry.why}: ${NOT_KEPT}` };
    if (entry.kind === 'stage') {
      const w = this.walk ?? this.lastWalk!;
      if (w.shown.length <= 1) {
        // Before the first stage is before the int3 the engine handled: not undoable.
        this.history.push(entry);
        return { error: `cannot step back past the hit of ${this.name(w.site.address)}: ${NOT_KEPT}` };
      }
      this.walk = w;
      w.pending.unshift(w.shown.pop()!);
      return this.stopped('step', `back to: ${w.shown[w.shown.length - 1]!.words}`);
    }
    undoInstruction(this.machine, entry);
    this.executed--;
    return this.stopped('step', `stepped back to ${this.name(this.machine.eip)}`);
  }

  /** machine.step() with the events it caused and their registers; a non-null result ends the run. */
  private recordedStep(): { result: SessionState | null; events: Array<{ event: ProbeEvent; registers: CpuRegisters }> } {
    if (this.executed >= this.options.limit) return { result: this.limitReached(), events: [] };
    this.recording = [];
    const r = this.machine.step();
    this.executed++;
    const events = this.recording;
    this.recording = null;
    if (r.kind === 'halt') return { result: this.terminate(), events };
    if (r.kind === 'exception') return { result: this.exceptionStop(r.exception), events };
    return { result: null, events };
  }

  /** stepOut's run: steps until a ret leaves the frame the run started in. */
  private runOut(budget: number): SessionState {
    const goal = this.goal as Extract<RunGoal, { kind: 'out' }>;
    for (let k = 0; k < budget; k++) {
      const eip = this.machine.eip;
      if (k > 0 && this.breakpoints.has(eip) && this.breakpoints.shouldStop(eip)) return this.breakpointStop(eip);
      const insn = this.instructionAt(eip);
      const { result } = this.recordedStep();
      if (result !== null) return result;
      if (insn !== null && insn.mnemonic.startsWith('ret') && (this.machine.regs[4]! >>> 0) > goal.esp) {
        return this.stopped('step', `returned to ${this.name(this.machine.eip)}`);
      }
    }
    return { kind: 'running' };
  }

  /**
   * Return addresses on the stack, innermost first: dwords from ESP up that point just past a call
   * instruction of the program (the usual stack scan of a debugger without unwind tables).
   */
  callerReturnAddresses(limit = 32): number[] {
    const out: number[] = [];
    const esp = this.registers.esp;
    const words = this.readMemory(esp, 4 * 512);
    for (let k = 0; k + 4 <= words.length && out.length < limit; k += 4) {
      const candidate = (words[k]! | (words[k + 1]! << 8) | (words[k + 2]! << 16) | (words[k + 3]! << 24)) >>> 0;
      if (this.codeSectionAt(candidate, true) !== null && this.followsCall(candidate)) out.push(candidate);
    }
    return out;
  }

  /** The executable section holding `address` (its end included: a call may be a section's last instruction). */
  codeSectionAt(address: number, endIncluded = false): { address: number; size: number } | null {
    for (const placed of this.codeSections.values()) {
      if (address >= placed.address && (address < placed.address + placed.size || (endIncluded && address === placed.address + placed.size))) return placed;
    }
    return null;
  }

  /** Whether the bytes just before `address` are a whole call instruction ending there. */
  private followsCall(address: number): boolean {
    for (let length = 2; length <= 7; length++) {
      const insn = this.instructionAt(address - length);
      if (insn !== null && insn.length === length && insn.mnemonic.startsWith('call')) return true;
    }
    return false;
  }

  /** The instruction at `address` as the program has it (armed int3s and optprobe jumps seen through). */
  instructionAt(address: number): ReturnType<typeof decode> | null {
    const bytes = this.engine.codePageOf(address) !== null ? this.machine.memory.readBytes(address, 15) : this.engine.readOriginal(address, 15);
    if (!(bytes instanceof Uint8Array)) return null;
    const insn = decode(bytes, 0, address);
    return insn.valid ? insn : null;
  }

  /**
   * Between run budgets with no hit in progress, a long trace is folded into per-probe tallies
   * (what the summary at hlt reads) and dropped, so a probe in a hot loop does not grow memory.
   */
  private dropOldTrace(): void {
    const trace = this.engine.trace;
    if (trace.length < TRACE_KEPT || this.engine.running !== null || this.engine.codePageOf(this.machine.eip) !== null) return;
    for (const address of new Set(this.breakpoints.probes.map((p) => p.address))) this.earlierHits.set(address, tallyHits(this.engine.profile, trace, address, this.earlierHits.get(address)));
    trace.length = 0;
  }

  private breakpointStop(address: number): SessionState {
    this.lastProbeAddress = address;
    return this.stopped('breakpoint', this.breakpoints.stopWords(address));
  }

  private stopped(reason: StopReason, description: string, text?: string): SessionState {
    this.eventLines = 0;
    return { kind: 'stopped', reason, description, ...(text !== undefined ? { text } : {}) };
  }

  /** Replaces the data breakpoints (DR0-DR3). */
  setDataBreakpoints(requests: readonly DataBreakpointRequest[]): DataBreakpointAnswer[] {
    return setDataBreakpoints(this.machine, requests);
  }

  /** A data breakpoint's #DB: after the instruction that touched the watched bytes. */
  private dataBreakpointStop(dr6: number, by: number): SessionState {
    const hit: string[] = [];
    for (let n = 0; n < 4; n++) {
      if ((dr6 & (1 << n)) === 0) continue;
      const address = this.machine.debug[n]!;
      const value = this.readMemory(address, 4);
      hit.push(`DR${n} 0x${hex(address)} (${this.name(address)}) now ${value.length === 4 ? `0x${hex(Buffer.from(value).readUInt32LE(0))}` : 'unreadable'}`);
    }
    return this.stopped('data breakpoint', `data breakpoint: ${hit.join(', ')}, touched by the instruction at ${this.name(by)}`);
  }

  /** Which CPU exceptions stop the run (the debugger's exception filters); the others end it. */
  setExceptionFilters(names: readonly string[]): void {
    this.exceptionFilters = new Set(names.filter((n) => (EXCEPTION_FILTERS as readonly string[]).includes(n)));
  }

  /** A fault no handler took: a stop when its filter is on, else the end of the run (the program cannot go on). */
  private exceptionStop(exception: CpuException): SessionState {
    if (exception.kind === 'debug' && exception.cause === 'data-breakpoint') return this.dataBreakpointStop(exception.dr6, exception.instructionAddress);
    if (this.fatal !== null) return this.stopped('exception', `kernel BUG: ${this.fatal}`, `kernel BUG: ${this.fatal}`);
    const text = `${exception.name}: ${exception.message}`;
    if ((EXCEPTION_FILTERS as readonly string[]).includes(exception.name) && !this.exceptionFilters.has(exception.name)) {
      return this.terminate([`# ${text}: the program cannot go on (its exception filter is off, so the run ends here)`]);
    }
    return this.stopped('exception', text, text);
  }

  private limitReached(): SessionState {
    const text = `the instruction limit (${this.options.limit}) was reached at ${this.name(this.machine.eip)}: the run stops here`;
    return this.stopped('exception', text, text);
  }

  /** hlt: the final registers and each probe's summary, as `kboost run` prints them. */
  private terminate(first: string[] = []): SessionState {
    const r = this.machine.getRegisters();
    const lines = [
      ...first,
      `# ${first.length > 0 ? 'stopped' : 'hlt'} after ${this.executed} instructions: ${(['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags'] as const).map((n) => `${n}=0x${hex(r[n])}`).join(' ')}`,
      profileSummaryLine(this.options.profile, this.engine.config),
    ];
    for (const probe of this.breakpoints.probes) lines.push(probeSummaryLine(this.engine, probe, this.name, this.earlierHits.get(probe.address)));
    this.finished = { kind: 'terminated', lines };
    return this.finished;
  }

  /** A kprobe_events fetch arg (`%ax`, `+4(%sp)`, `@sym`, `eax`) read on the registers shown. */
  evaluate(expression: string): { value: string } | { error: string } {
    const r = this.registers;
    const regs = { ax: r.eax, bx: r.ebx, cx: r.ecx, dx: r.edx, si: r.esi, di: r.edi, bp: r.ebp, sp: r.esp, ip: r.eip, flags: r.eflags };
    return evaluateFetchArg(expression, { regs, machine: this.machine, symbols: this.program.loaded.symbols });
  }

  /** Memory as the CPU sees it (int3s included), up to the first unmapped byte. */
  readMemory(address: number, count: number): Uint8Array {
    const out = new Uint8Array(count);
    let done = 0;
    while (done < count) {
      const at = (address + done) >>> 0;
      const n = Math.min(count - done, 0x1000 - (at & 0xfff));
      const chunk = this.machine.memory.readBytes(at, n);
      if (!(chunk instanceof Uint8Array)) break;
      out.set(chunk, done);
      done += n;
    }
    return out.subarray(0, done);
  }

  /** The mode words of the probe at `address` (for the Probe scope). */
  probeMode(address: number): string {
    return probeSiteState(this.engine, address);
  }
}

/** What a hit of the verified probe at `address` will do under the profile, from its static verdict. */
export function verdictWords(engine: KprobeEngine, address: number, name: (a: number) => string): string {
  const site = engine.site(address);
  if (site === null) return 'not registered';
  const v = site.verdict;
  const later = v.laterHits !== v.firstHit ? `, later hits ${v.laterHits}` : '';
  const opt = site.optimizable !== null ? (site.optimizable.ok ? `; optimizable: ${site.optimizable.why}` : `; not optimizable: ${site.optimizable.why}`) : '';
  return `kprobe ${name(address)} (${engine.profile}): first hit ${v.firstHit}${later}: ${v.summary}${opt}`;
}
