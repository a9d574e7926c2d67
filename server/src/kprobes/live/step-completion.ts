// The end of a stepped hit: 2.6.x's #DB after the TF step (post_handler, resume_execution fix-up,
// the lazy jump-back, flags restored), 6.1's second int3 after the copy (IP relocated, IF restored,
// post-processing), and kprobe_fault_handler for a fault while the copy is stepped.

import { EFLAGS, type CpuException, type HandlerDecision } from '../../cpu';
import type { KprobeEngineState } from './kprobe-engine-state';
import { hasPostHandler, type ProbeSite } from './probe-site-and-control-block';
import { runHandlers } from './probe-handler-calls';
import { resumeExecution26 } from './resume-execution-2-6';

const { TF } = EFLAGS;

/** 2.6.x post_kprobe_handler: post_handler, resume_execution, flags, restore. */
export function onSingleStep26(s: KprobeEngineState, stepped: number): HandlerDecision | null {
  const kcb = s.kcb;
  const site = kcb.site;
  if (site === null || (kcb.status !== 'HIT_SS' && kcb.status !== 'REENTER') || stepped !== site.slot) return null;
  const m = s.machine;
  const hit = kcb.hit;
  s.emit({ kind: 'step-trap', hit, address: site.address, by: 'tf', ip: m.eip });
  if (kcb.status !== 'REENTER' && hasPostHandler(site)) {
    kcb.status = 'HIT_SSDONE';
    runHandlers(s, site, 'post', hit, 'HIT_SSDONE');
  }
  m.eflags = (m.eflags & ~TF) >>> 0;
  const before = site.boostable;
  const ipBefore = m.eip;
  let outcome;
  try {
    outcome = resumeExecution26(s.profile, m, site, site.boostable, kcb.oldFlags, (at, bytes) => s.slots!.write(at, bytes));
  } catch {
    return s.fatal(site.address, 'the fix-up could not access the stack');
  }
  s.emit({ kind: 'fixup', hit, address: site.address, rule: outcome.rule, ipBefore, ipAfter: m.eip });
  if (outcome.jumpBack !== null) {
    site.jumpBackAt = outcome.jumpBack.at;
    s.emit({ kind: 'jump-back-written', hit, address: site.address, at: outcome.jumpBack.at, bytes: outcome.jumpBack.bytes });
  }
  site.boostable = outcome.boostable;
  if (before !== site.boostable) s.emit({ kind: 'boostable', hit, address: site.address, from: before, to: site.boostable });
  m.eflags = (m.eflags | kcb.savedFlags) >>> 0;
  if (kcb.status === 'REENTER') s.restorePrevious();
  else s.resetCurrent();
  s.emit({ kind: 'resume', hit, address: site.address, ip: m.eip });
  return 'resume';
}

/** 6.1: the second int3 after the copy: IP = IP + (orig - slot) - 1, IF restored, post-processing. */
export function finishInt3Step(s: KprobeEngineState, site: ProbeSite): HandlerDecision {
  const m = s.machine;
  const hit = s.kcb.hit;
  const ipBefore = m.eip;
  s.emit({ kind: 'step-trap', hit, address: site.address, by: 'int3', ip: ipBefore });
  m.eflags = (m.eflags | s.kcb.savedFlags) >>> 0;
  m.eip = (ipBefore + (site.address - site.slot) - 1) >>> 0;
  s.emit({ kind: 'fixup', hit, address: site.address, rule: 'resume after the int3 step: IP = IP + (orig - slot) - 1, IF restored', ipBefore, ipAfter: m.eip });
  return postProcess61(s, site, hit);
}

/** 6.1 kprobe_post_process: post_handlers in HIT_SSDONE (not for a re-entry), then the block is reset. */
export function postProcess61(s: KprobeEngineState, site: ProbeSite, hit: number): HandlerDecision {
  if (s.kcb.status === 'REENTER') s.restorePrevious();
  else {
    s.kcb.status = 'HIT_SSDONE';
    runHandlers(s, site, 'post', hit, 'HIT_SSDONE');
    s.resetCurrent();
  }
  s.emit({ kind: 'resume', hit, address: site.address, ip: s.machine.eip });
  return 'resume';
}

/**
 * kprobe_fault_handler: a fault while stepping the copy puts the IP back on the probed address,
 * restores the flags and ends the hit, so the fault is seen where the original would raise it.
 */
export function faultInSlot(s: KprobeEngineState, e: CpuException): CpuException {
  const kcb = s.kcb;
  const site = kcb.site;
  if (site === null || (kcb.status !== 'HIT_SS' && kcb.status !== 'REENTER') || !s.slots!.contains(e.instructionAddress, site.slot)) return e;
  const m = s.machine;
  const ipBefore = m.eip;
  m.eip = site.address;
  m.eflags = ((m.eflags & ~TF) | kcb.oldFlags) >>> 0;
  s.emit({ kind: 'fixup', hit: kcb.hit, address: site.address, rule: 'fault in the slot: IP back to the probed address, flags restored', ipBefore, ipAfter: m.eip });
  if (kcb.status === 'REENTER') s.restorePrevious();
  else s.resetCurrent();
  return { ...e, eip: site.address, instructionAddress: site.address };
}
