// Calling host handlers as the kernel calls a probe's handlers: a pt_regs-like copy of the
// registers is handed over and written back afterwards, aggregated probes run in turn (a non-zero
// pre_handler result ends the round), and ctx.call runs emulated code from inside a handler.

import { EFLAGS, type Machine } from '../../cpu';
import type { KprobeStatus, ProbeContext, PtRegs } from './live-probe-types';
import type { KprobeEngineState } from './kprobe-engine-state';
import type { ProbeSite } from './probe-site-and-control-block';

const NESTED_CALL_LIMIT = 10_000_000;

export function readPtRegs(m: Machine): PtRegs {
  const r = m.regs;
  return { ax: r[0]!, cx: r[1]!, dx: r[2]!, bx: r[3]!, sp: r[4]!, bp: r[5]!, si: r[6]!, di: r[7]!, ip: m.eip, flags: m.eflags };
}

export function writePtRegs(m: Machine, regs: PtRegs): void {
  const r = m.regs;
  r[0] = regs.ax; r[1] = regs.cx; r[2] = regs.dx; r[3] = regs.bx; r[4] = regs.sp; r[5] = regs.bp; r[6] = regs.si; r[7] = regs.di;
  m.eip = regs.ip >>> 0;
  m.eflags = regs.flags >>> 0;
}

/**
 * Runs an emulated function as handler code would call it: on a scratch stack below `sp`, with TF
 * and IF clear (as on exception entry); the machine's registers are restored afterwards.
 */
export function callEmulated(m: Machine, sentinel: number, sp: number, address: number, args: number[]): number | null {
  const saved = readPtRegs(m);
  let esp = ((sp - 256) & ~15) >>> 0;
  try {
    for (const a of [...args].reverse()) { esp = (esp - 4) >>> 0; m.memory.write32(esp, a); }
    esp = (esp - 4) >>> 0;
    m.memory.write32(esp, sentinel);
  } catch {
    return null;
  }
  m.regs[4] = esp;
  m.eip = address >>> 0;
  m.eflags = (m.eflags & ~(EFLAGS.TF | EFLAGS.IF)) >>> 0;
  const hadSentinel = m.hostBreakpoints.has(sentinel);
  m.hostBreakpoints.add(sentinel);
  const r = m.run(NESTED_CALL_LIMIT);
  if (!hadSentinel) m.hostBreakpoints.delete(sentinel);
  const result = r.stop.kind === 'breakpoint' && r.stop.eip === sentinel ? m.regs[0]! : null;
  writePtRegs(m, saved);
  return result;
}

/**
 * Calls every member's handler of one kind; true when a pre_handler returned non-zero (which ends
 * the round), unless `ignoreResults` (6.1's opt_pre_handler calls every member and ignores them).
 */
export function runHandlers(state: KprobeEngineState, site: ProbeSite, which: 'pre' | 'post', hit: number, status: KprobeStatus, ignoreResults = false): boolean {
  const m = state.machine;
  for (const probe of [...site.probes]) {
    const handler = which === 'pre' ? probe.preHandler : probe.postHandler;
    if (handler === null) continue;
    const regs = readPtRegs(m);
    const ctx: ProbeContext = {
      probe, regs, status, machine: m,
      call: (address, args = []) => callEmulated(m, state.callSentinel, regs.sp, address, args),
    };
    state.emit({ kind: 'handler-enter', hit, address: site.address, probe: probe.id, handler: which, status });
    let result = 0;
    try {
      result = Number(handler(ctx) ?? 0) | 0;
    } catch (e) {
      state.errors.push(`${which}_handler of probe ${probe.id} threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    writePtRegs(m, regs);
    state.emit({ kind: 'handler-leave', hit, address: site.address, probe: probe.id, handler: which, result });
    if (which === 'pre' && result !== 0 && !ignoreResults) return true;
  }
  return false;
}
