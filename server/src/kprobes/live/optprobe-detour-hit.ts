// An optimized hit (6.1's optimized_callback): the detour buffer has built a struct pt_regs on the
// stack and reached the callout. As the kernel does, regs->sp gets the 4 back that the template's
// `push %esp` after `push %ss` lost, regs->ip becomes the probe address + 1 (what an int3 hit shows
// the handler), and the pre_handlers run in HIT_ACTIVE; their return values and any change of ip
// or sp are ignored (an optimized probe cannot change the path). Another probe being handled makes
// it a miss: nmissed, no handlers.

import type { HandlerDecision } from '../../cpu';
import { readPtRegsStruct, writePtRegsStruct } from './assembly-handler-call';
import type { KprobeEngineState } from './kprobe-engine-state';
import type { PtRegs } from './live-probe-types';
import { readPtRegs, runHandlers, writePtRegs } from './probe-handler-calls';
import type { ProbeSite } from './probe-site-and-control-block';

export function optimizedCallback(s: KprobeEngineState, site: ProbeSite): HandlerDecision {
  const m = s.machine;
  // "possible if op is under delayed unoptimizing": the buffer still runs, the probe is gone.
  if (site.detour === null || s.sites.get(site.address) !== site) return 'resume';
  const hit = s.nextHit();
  const event = { kind: 'detour', hit, address: site.address, buffer: site.detour.buffer, returnTo: site.address + site.detour.copied } as const;
  if (s.kcb.site !== null) {
    for (const p of site.probes) p.nmissed++;
    s.emit({ kind: 'reenter', hit, address: site.address, outer: s.kcb.site.address, nmissed: site.probes[0]!.nmissed });
    s.emit(event);
    return 'resume';
  }
  s.emit(event);
  const frame = m.regs[4]!;
  const regs: PtRegs = readPtRegs(m);
  try {
    readPtRegsStruct(m, frame, regs);
  } catch {
    return s.fatal(site.address, 'the optprobe callback could not read its pt_regs');
  }
  regs.sp = (regs.sp + 4) >>> 0;
  regs.ip = (site.address + 1) >>> 0;
  const outer = readPtRegs(m);
  writePtRegs(m, regs);
  s.setCurrent(site, hit);
  for (const p of site.probes) p.nhit++;
  runHandlers(s, site, 'pre', hit, 'HIT_ACTIVE', true);
  const after = readPtRegs(m);
  s.resetCurrent();
  writePtRegs(m, outer);
  try {
    writePtRegsStruct(m, frame, after);
  } catch {
    return s.fatal(site.address, 'the optprobe callback could not write its pt_regs');
  }
  return 'resume';
}
