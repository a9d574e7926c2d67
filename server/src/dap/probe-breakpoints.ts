// The debugger's breakpoints as kprobes on the live engine: source and instruction breakpoints,
// each a probe registered through the engine (a refusal is the kernel's answer), with its
// condition, hit condition or logpoint message. A logpoint is the probe's pre_handler printing
// kprobe_events fetch args (no stop); any other breakpoint is also a host breakpoint of the
// machine, so the run stops *before* the int3 trap. A condition is read there from the registers
// the pre_handler will get in pt_regs, and a hit condition counts the probe's nhit (this hit being
// nhit + 1), so both decide as a pre_handler returning "stop" would. The user's assembly
// handlers of the probe's place (launch `handlers`/`postHandler`) are registered with it: its
// pre_handler runs after the logpoint's, and a post_handler changes the verdict the message gives.

import { hex, type Machine } from '../cpu';
import { handlerLabelsAt, probeHandlersAt, type HandlerKind, type HandlerLabels, type KprobeEngine, type LiveKprobe, type ProbeContext, type PtRegs, type ResolvedHandlers } from '../kprobes/live';
import { parseCondition, parseHitCondition, parseLogMessage, type Condition, type FetchContext } from './fetch-arg-expressions';

export type BreakpointKind = 'source' | 'instruction';

export interface BreakpointOptions {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface BreakpointRequest extends BreakpointOptions {
  /** The line asked for (0-based; instruction breakpoints: the address's line or -1). */
  line: number;
  /** The line of the instruction probed. */
  actualLine: number;
  /** The probed address; null when the request names no instruction (the reason is in `message`). */
  address: number | null;
  message?: string;
}

export interface BreakpointAnswer {
  line: number;
  actualLine: number;
  verified: boolean;
  message: string;
  address: number | null;
}

interface Entry {
  probe: LiveKprobe;
  condition: Condition | null;
  hitCondition: ((hit: number) => boolean) | null;
  log: ((ctx: FetchContext) => string) | null;
  message: string;
}

export class ProbeBreakpoints {
  private readonly entries: Record<BreakpointKind, Map<number, Entry>> = { source: new Map(), instruction: new Map() };
  /** Every probe registered in the session, in order (the summary at hlt lists them all). */
  readonly probes: LiveKprobe[] = [];
  /** The machine's host breakpoints this set put there. */
  private hosted = new Set<number>();
  /** The user's handler labels of each registered probe, by probe id. */
  private readonly labels = new Map<number, HandlerLabels>();

  constructor(
    private readonly engine: KprobeEngine,
    private readonly machine: Machine,
    private readonly symbols: ReadonlyMap<string, number>,
    private readonly handlers: ResolvedHandlers | null,
    private readonly name: (address: number) => string,
    private readonly verdictWords: (address: number) => string,
    private readonly output: (line: string) => void,
  ) {}

  /** Replaces the breakpoints of one kind: probes gone are unregistered, new ones registered live. */
  set(kind: BreakpointKind, requests: readonly BreakpointRequest[]): BreakpointAnswer[] {
    const map = this.entries[kind];
    const wanted = new Set<number>();
    const answers = requests.map((r): BreakpointAnswer => {
      const base = { line: r.line, actualLine: r.actualLine, address: r.address };
      if (r.address === null) return { ...base, verified: false, message: r.message ?? 'no instruction here' };
      const parsed = this.parseOptions(r);
      if (typeof parsed === 'string') return { ...base, verified: false, message: parsed };
      let entry = map.get(r.address);
      if (entry === undefined) {
        const registered = this.register(r.address);
        if (typeof registered === 'string') return { ...base, verified: false, message: registered };
        entry = { probe: registered, ...parsed, message: '' };
        map.set(r.address, entry);
      } else Object.assign(entry, parsed);
      wanted.add(r.address);
      entry.message = entry.log !== null ? `logpoint: ${this.verdictWords(r.address)}` : this.verdictWords(r.address);
      return { ...base, verified: true, message: entry.message };
    });
    for (const [address, entry] of map) {
      if (wanted.has(address)) continue;
      this.engine.unregister(entry.probe);
      map.delete(address);
    }
    this.syncHostBreakpoints();
    return answers;
  }

  private parseOptions(o: BreakpointOptions): Pick<Entry, 'condition' | 'hitCondition' | 'log'> | string {
    const condition = o.condition !== undefined && o.condition.trim() !== '' ? parseCondition(o.condition, this.symbols) : null;
    if (typeof condition === 'string') return `condition: ${condition}`;
    const hitCondition = o.hitCondition !== undefined && o.hitCondition.trim() !== '' ? parseHitCondition(o.hitCondition) : null;
    if (typeof hitCondition === 'string') return hitCondition;
    const log = o.logMessage !== undefined ? parseLogMessage(o.logMessage, this.symbols) : null;
    if (typeof log === 'string') return `logMessage: ${log}`;
    return { condition, hitCondition, log };
  }

  private register(address: number): LiveKprobe | string {
    // The adapter's pre_handler: logpoints print there; it returns 0 (the hit goes on).
    const own = (ctx: ProbeContext): number => {
      for (const map of Object.values(this.entries)) {
        const entry = map.get(address);
        if (entry?.log != null && entry.probe === ctx.probe) this.output(this.logLine(ctx, entry.log({ regs: ctx.regs, machine: this.machine, symbols: this.symbols })));
      }
      return 0;
    };
    const r = this.engine.register({ address, ...probeHandlersAt(this.engine, this.handlers, address, own) });
    if (!r.ok) return `register_kprobe: -${r.errno} (${r.rule})`;
    this.probes.push(r.probe);
    this.labels.set(r.probe.id, handlerLabelsAt(this.handlers, address));
    return r.probe;
  }

  /** An ftrace-like line, as kprobe_events prints a probe's fetch args (`p_body_3: (body+0x3) ...`). */
  private logLine(ctx: ProbeContext, message: string): string {
    const where = this.name(ctx.probe.address);
    const m = /^(.*)\+0x([0-9a-f]+)$/.exec(where);
    const event = m !== null ? `p_${m[1]}_${parseInt(m[2]!, 16)}` : `p_0x${hex(ctx.probe.address)}`;
    return `  kboost-0 [000] d.... ${this.machine.instructionCount}: ${event}: (${where}) ${message}`;
  }

  /** A host breakpoint wherever a breakpoint that can stop (not a logpoint) has its probe. */
  private syncHostBreakpoints(): void {
    const stopping = new Set<number>();
    for (const map of Object.values(this.entries)) for (const [address, e] of map) if (e.log === null) stopping.add(address);
    for (const address of this.hosted) if (!stopping.has(address)) this.machine.hostBreakpoints.delete(address);
    for (const address of stopping) this.machine.hostBreakpoints.add(address);
    this.hosted = stopping;
  }

  /** Whether a breakpoint (not a logpoint) is at `address`. */
  has(address: number): boolean {
    return [this.entries.source.get(address), this.entries.instruction.get(address)].some((e) => e !== undefined && e.log === null);
  }

  /**
   * Whether the run stops at the breakpoint at `address` now, before the int3: some breakpoint
   * there has no condition or a true one (read from the registers the pre_handler will get), and
   * its hit condition holds for this hit (the probe's nhit + 1).
   */
  shouldStop(address: number): boolean {
    const regs = this.ptRegsAtTrap(address);
    return [this.entries.source.get(address), this.entries.instruction.get(address)].some((e) => e !== undefined && e.log === null
      && (e.condition === null || e.condition({ regs, machine: this.machine, symbols: this.symbols }))
      && (e.hitCondition === null || e.hitCondition(e.probe.nhit + 1)));
  }

  /** The pt_regs a pre_handler of the probe at `address` sees: the machine's, ip past the int3. */
  private ptRegsAtTrap(address: number): PtRegs {
    const r = this.machine.getRegisters();
    return { ax: r.eax, bx: r.ebx, cx: r.ecx, dx: r.edx, si: r.esi, di: r.edi, bp: r.ebp, sp: r.esp, ip: (address + 1) >>> 0, flags: r.eflags };
  }

  /** The label of the user's handler of a kind of probe `id`, or null (the adapter's own, or none). */
  handlerLabel(id: number, kind: HandlerKind): string | null {
    return this.labels.get(id)?.[kind] ?? null;
  }

  /** Words for the stop at `address`. */
  stopWords(address: number): string {
    return `kprobe ${this.name(address)} hit (before its int3 trap, 0x${hex(address)})`;
  }
}
