// The debug adapter's protocol side (@vscode/debugadapter): translates DAP requests into calls on
// ProbedProgramSession and its states into stopped/output/terminated events. It holds no model of
// its own; runs go in budgets, one per event-loop turn, so pause and breakpoint changes are heard
// while the program runs. Every request answers (bad arguments: an error response), never throws.

import path from 'node:path';
import {
  Breakpoint, DebugSession, Handles, InitializedEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { hex, type CpuRegisters } from '../cpu';
import { addressReference, disassemblyWindow } from './disassembly-window';
import { dataId, parseDataId, type DataAccess } from './hardware-data-breakpoints';
import type { BreakpointAnswer, BreakpointOptions } from './probe-breakpoints';
import { readLaunchConfiguration, registerValue, type LaunchConfiguration } from './launch-configuration';
import { EXCEPTION_FILTERS, ProbedProgramSession, type SessionState } from './probed-program-session';
import { REGISTER_ORDER, probeRows, registerRows, stageRows, type InspectionRow } from './session-inspection-rows';

/** An address from a memory or instruction reference (`0x...` or decimal); null when it is none. */
function memoryReference(reference: unknown): number | null {
  if (typeof reference !== 'string' || !/^(?:0x[0-9a-f]{1,8}|\d{1,10})$/i.test(reference.trim())) return null;
  const n = Number(reference.trim());
  return n <= 0xffffffff ? n : null;
}

/** A request's memoryReference + offset and its count (at most `most`), or what is wrong with them. */
function addressAndCount(request: string, args: { memoryReference?: unknown; offset?: unknown } | undefined, count: unknown, countName: string, most: number): { address: number; count: number } | string {
  const base = memoryReference(args?.memoryReference);
  if (base === null) return `${request}: memoryReference must be an address such as 0x08048000, not ${JSON.stringify(args?.memoryReference)}`;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > most) return `${request}: ${countName} must be a count up to ${most}`;
  return { address: (base + integerOr(args?.offset, 0)) >>> 0, count };
}

/** A breakpoint's condition, hit condition and log message, where they are strings. */
function breakpointOptions(b: { condition?: unknown; hitCondition?: unknown; logMessage?: unknown }): BreakpointOptions {
  const o: BreakpointOptions = {};
  if (typeof b.condition === 'string') o.condition = b.condition;
  if (typeof b.hitCondition === 'string') o.hitCondition = b.hitCondition;
  if (typeof b.logMessage === 'string') o.logMessage = b.logMessage;
  return o;
}

function integerOr(value: unknown, otherwise: number): number {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 0xffffffff ? value : otherwise;
}

const THREAD_ID = 1;
const EXCEPTION_WORDS: Record<(typeof EXCEPTION_FILTERS)[number], string> = {
  '#DE': 'divide error', '#UD': 'invalid opcode', '#GP': 'general protection', '#PF': 'page fault',
};
const SCOPE_REGISTERS = 1;
const SCOPE_PROBE = 2;
const SCOPE_STAGES = 3;
const FIRST_CHILD_HANDLE = 100;

export class KboostDebugSession extends DebugSession {
  private session: ProbedProgramSession | null = null;
  private launch: LaunchConfiguration | null = null;
  private running = false;
  /** Filters set before the launch (VS Code sends them during configuration). */
  private exceptionFilters: string[] | null = null;
  /** Bumped by every run started, so a superseded run's next budget is dropped. */
  private runId = 0;
  private children = new Handles<() => InspectionRow[]>(FIRST_CHILD_HANDLE);

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsSetVariable: true,
      supportsTerminateRequest: true,
      supportsDisassembleRequest: true,
      supportsReadMemoryRequest: true,
      supportsInstructionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsStepBack: true,
      supportsEvaluateForHovers: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((filter) => ({ filter, label: `${filter} ${EXCEPTION_WORDS[filter]}`, default: true })),
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    if (this.session !== null) return this.fail(response, 'launch: a program is already running in this session');
    const config = readLaunchConfiguration(args);
    if ('error' in config) return this.fail(response, config.error);
    const session = ProbedProgramSession.launch(config, (line) => this.sendEvent(new OutputEvent(`${line}\n`, 'console')));
    if ('errors' in session) return this.fail(response, `launch: ${session.errors.join('\n')}`);
    this.session = session;
    this.launch = config;
    if (this.exceptionFilters !== null) session.setExceptionFilters(this.exceptionFilters);
    this.sendResponse(response);
    // Breakpoints need the loaded program's addresses, so the client configures after the launch.
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    const session = this.session;
    if (session === null) return;
    if (this.launch?.stopOnEntry) this.report({ kind: 'stopped', reason: 'entry', description: `entry at ${session.name(session.machine.eip)}` });
    else this.startRun(() => session.begin());
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const session = this.session;
    const list: unknown = args?.breakpoints ?? args?.lines?.map((line) => ({ line })) ?? [];
    if (!Array.isArray(list)) return this.fail(response, "setBreakpoints: 'breakpoints' must be a list of {line}");
    const asked = (list as Array<{ line?: unknown }>).filter((b): b is DebugProtocol.SourceBreakpoint => typeof b?.line === 'number');
    const ours = session !== null && typeof args?.source?.path === 'string' && path.resolve(args.source.path) === path.resolve(session.options.program);
    if (session === null || !ours) {
      response.body = {
        breakpoints: asked.map((b) => {
          const bp = new Breakpoint(false, b.line) as DebugProtocol.Breakpoint;
          bp.message = session === null ? 'no program is loaded' : `not the launched program (${session.options.program})`;
          return bp;
        }),
      };
      return this.sendResponse(response);
    }
    const result = session.setBreakpoints(asked.map((b) => ({ ...breakpointOptions(b), line: this.convertClientLineToDebugger(b.line) })));
    response.body = { breakpoints: result.map((r) => this.breakpointOf(r)) };
    this.sendResponse(response);
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    if (!Array.isArray(args?.breakpoints)) return this.fail(response, "setInstructionBreakpoints: 'breakpoints' must be a list");
    const asked = args.breakpoints.map((b) => {
      const base = memoryReference(b?.instructionReference);
      return { ...breakpointOptions(b ?? {}), address: base === null ? null : (base + integerOr(b.offset, 0)) >>> 0 };
    });
    const result = session.setInstructionBreakpoints(asked.filter((b): b is typeof b & { address: number } => b.address !== null));
    let k = 0;
    response.body = {
      breakpoints: asked.map((b) => {
        if (b.address !== null) return this.breakpointOf(result[k++]!);
        const bp = new Breakpoint(false) as DebugProtocol.Breakpoint;
        bp.message = 'instructionReference must be an address such as 0x08048000';
        return bp;
      }),
    };
    this.sendResponse(response);
  }

  private breakpointOf(r: BreakpointAnswer): DebugProtocol.Breakpoint {
    const bp = (r.actualLine >= 0
      ? new Breakpoint(r.verified, this.convertDebuggerLineToClient(r.actualLine), undefined, this.programSource())
      : new Breakpoint(r.verified)) as DebugProtocol.Breakpoint;
    if (r.address !== null) {
      bp.id = r.address;
      bp.instructionReference = addressReference(r.address);
    }
    bp.message = r.message;
    return bp;
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const filters = Array.isArray(args?.filters) ? args.filters.filter((f): f is string => typeof f === 'string') : [];
    this.exceptionFilters = filters;
    this.session?.setExceptionFilters(filters);
    this.sendResponse(response);
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    const at = addressAndCount('disassemble', args, args?.instructionCount, 'instructionCount', 100_000);
    if (typeof at === 'string') return this.fail(response, at);
    const { address, count } = at;
    const rows = disassemblyWindow(session, address, integerOr(args.instructionOffset, 0), count);
    response.body = {
      instructions: rows.map((r) => {
        const insn: DebugProtocol.DisassembledInstruction = { address: addressReference(r.address), instruction: r.text, instructionBytes: r.bytes };
        if (r.symbol !== null) insn.symbol = r.symbol;
        if (r.line !== null) {
          insn.location = this.programSource();
          insn.line = this.convertDebuggerLineToClient(r.line);
        }
        if (r.invalid) insn.presentationHint = 'invalid';
        return insn;
      }),
    };
    this.sendResponse(response);
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    const at = addressAndCount('readMemory', args, args?.count, 'count', 1 << 24);
    if (typeof at === 'string') return this.fail(response, at);
    const { address, count } = at;
    const bytes = session.readMemory(address, count);
    response.body = { address: addressReference(address), data: Buffer.from(bytes).toString('base64'), unreadableBytes: count - bytes.length };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    const name = typeof args?.name === 'string' ? args.name.trim() : '';
    const size = args?.bytes === undefined ? 4 : args.bytes;
    if (args?.variablesReference === SCOPE_REGISTERS) {
      response.body = { dataId: null, description: `${name} is a register: DR0-DR3 watch memory (watch an address or a data label)` };
      return this.sendResponse(response);
    }
    // An address (the memory view, asAddress), a data label, or an address expression.
    const address = memoryReference(name) ?? session.program.loaded.symbols.get(name) ?? null;
    if (address === null || ![1, 2, 4].includes(size)) {
      response.body = { dataId: null, description: `no watchable memory for '${name}' (an address or a label, 1, 2 or 4 bytes)` };
      return this.sendResponse(response);
    }
    response.body = { dataId: dataId(address, size), description: `${size} byte${size > 1 ? 's' : ''} at ${session.name(address)}`, accessTypes: ['write', 'readWrite', 'read'], canPersist: true };
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    if (!Array.isArray(args?.breakpoints)) return this.fail(response, "setDataBreakpoints: 'breakpoints' must be a list");
    const asked = args.breakpoints.map((b) => ({ at: parseDataId(b?.dataId), access: (['read', 'write', 'readWrite'].includes(b?.accessType as string) ? b.accessType : 'write') as DataAccess }));
    const answers = session.setDataBreakpoints(asked.flatMap((b) => (b.at !== null ? [{ ...b.at, access: b.access }] : [])));
    let k = 0;
    response.body = {
      breakpoints: asked.map((b) => {
        const answer = b.at !== null ? answers[k++]! : { verified: false, message: 'dataId must come from dataBreakpointInfo (0xADDRESS:SIZE)' };
        const bp = new Breakpoint(answer.verified) as DebugProtocol.Breakpoint;
        bp.message = answer.message;
        return bp;
      }),
    };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'CPU 0')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    const eip = session.registers.eip;
    const frames: DebugProtocol.StackFrame[] = [];
    const page = session.engine.codePageOf(eip);
    const probed = session.currentProbeAddress;
    if (page !== null && probed !== null) {
      const where = page === 'slot' ? 'kprobe slot' : 'optprobe detour buffer';
      const frame = new StackFrame(1, `${where} of ${session.name(probed)} (0x${hex(eip)})`) as DebugProtocol.StackFrame;
      frame.instructionPointerReference = `0x${hex(eip)}`;
      frame.presentationHint = 'label';
      frames.push(frame);
      frames.push(this.sourceFrame(2, probed, `${session.name(probed)} (probed)`));
    } else frames.push(this.sourceFrame(1, eip, session.name(eip)));
    // Callers found by scanning the stack for return addresses (no unwind tables to be exact).
    session.callerReturnAddresses().forEach((ret, k) => {
      const frame = this.sourceFrame(frames.length + 1, ret, `${session.name(ret)} (return address at stack scan ${k + 1})`);
      frame.presentationHint = 'subtle';
      frames.push(frame);
    });
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  private sourceFrame(id: number, address: number, name: string): DebugProtocol.StackFrame {
    const line = this.session!.lineOf(address);
    const frame = (line !== null
      ? new StackFrame(id, name, this.programSource(), this.convertDebuggerLineToClient(line), this.convertDebuggerColumnToClient(0))
      : new StackFrame(id, name)) as DebugProtocol.StackFrame;
    frame.instructionPointerReference = `0x${hex(address)}`;
    return frame;
  }

  private programSource(): Source {
    const program = this.session!.options.program;
    return new Source(path.basename(program), path.resolve(program));
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = {
      scopes: [new Scope('Registers', SCOPE_REGISTERS, false), new Scope('Probe', SCOPE_PROBE, false), new Scope('Hit stages', SCOPE_STAGES, false)],
    };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    let rows: InspectionRow[];
    const reference = args?.variablesReference;
    if (reference === SCOPE_REGISTERS) rows = registerRows(session.registers, session.placeName);
    else if (reference === SCOPE_PROBE) rows = probeRows(session);
    else if (reference === SCOPE_STAGES) rows = stageRows(session);
    else {
      const children = typeof reference === 'number' ? this.children.get(reference) : undefined;
      if (children === undefined) return this.fail(response, `no variables under reference ${JSON.stringify(reference)}`);
      rows = children();
    }
    response.body = {
      variables: rows.map((r) => ({
        name: r.name, value: r.value, variablesReference: r.children !== undefined ? this.children.create(r.children) : 0,
        ...(r.address !== undefined ? { memoryReference: addressReference(r.address) } : {}),
      })),
    };
    this.sendResponse(response);
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    const name = args?.name as keyof CpuRegisters;
    if (args?.variablesReference !== SCOPE_REGISTERS || !REGISTER_ORDER.includes(name)) return this.fail(response, `only registers can be set, not '${String(args?.name)}'`);
    const value = registerValue(args.value);
    if (value === null) return this.fail(response, `'${String(args.value)}' is not a 32-bit number (decimal or 0x hex)`);
    const refused = session.setRegister(name, value);
    if (refused !== null) return this.fail(response, refused);
    response.body = { value: `0x${hex(session.registers[name])}` };
    this.sendResponse(response);
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    if (typeof args?.expression !== 'string') return this.fail(response, 'evaluate: expression must be a string');
    const r = session.evaluate(args.expression);
    if ('error' in r) return this.fail(response, r.error);
    response.body = { result: r.value, variablesReference: 0 };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.step(response, (s) => { s.startContinue(); return { kind: 'running' }; }, { allThreadsContinued: true });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.step(response, (s) => s.next());
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.step(response, (s) => s.stepIn());
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.step(response, (s) => s.stepOut());
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    if (this.running) return this.fail(response, 'the program is running: pause it first');
    const state = session.stepBack();
    if ('error' in state) return this.fail(response, `stepBack: ${state.error}`);
    this.sendResponse(response);
    this.children.reset();
    this.report(state);
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.fail(response, 'reverse continue is not supported: stepBack goes back one plain instruction or one hit stage at a time');
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    if (this.session === null) return this.fail(response, 'no program is loaded');
    this.sendResponse(response);
    if (this.running) this.session.pause();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runId++;
    this.running = false;
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runId++;
    this.running = false;
    this.session = null;
    this.sendResponse(response);
    this.shutdown();
  }

  /** A run-control request: refused while running or before a launch; else answered, then run. */
  private step(response: DebugProtocol.Response, action: (s: ProbedProgramSession) => SessionState, body?: object): void {
    const session = this.session;
    if (session === null) return this.fail(response, 'no program is loaded');
    if (this.running) return this.fail(response, 'the program is running: pause it first');
    if (body !== undefined) response.body = body;
    this.sendResponse(response);
    this.startRun(() => action(session));
  }

  private startRun(first: () => SessionState | void): void {
    const id = ++this.runId;
    this.running = true;
    this.children.reset();
    const state = first() ?? { kind: 'running' as const };
    this.drive(id, state);
  }

  private drive(id: number, state: SessionState): void {
    if (id !== this.runId || this.session === null) return;
    if (state.kind === 'running') {
      const session = this.session;
      setImmediate(() => {
        if (id === this.runId) this.drive(id, session.resume());
      });
      return;
    }
    this.running = false;
    this.report(state);
  }

  private report(state: SessionState): void {
    if (state.kind === 'running') return;
    if (state.kind === 'terminated') {
      for (const line of state.lines) this.sendEvent(new OutputEvent(`${line}\n`, 'console'));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    const event = new StoppedEvent(state.reason, THREAD_ID, state.text) as DebugProtocol.StoppedEvent;
    event.body.description = state.description;
    event.body.allThreadsStopped = true;
    this.sendEvent(event);
  }

  private fail(response: DebugProtocol.Response, message: string): void {
    response.success = false;
    response.message = message;
    this.sendResponse(response);
  }
}
