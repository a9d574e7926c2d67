// Handlers written in assembly in the probed program, called as the i386 kernel calls them: a
// `struct pt_regs` laid out as on i386 (bx cx dx si di bp ax ds es fs gs orig_ax ip cs flags sp ss,
// 17 dwords) built on a scratch stack, its address in %eax (regparm); what the handler writes into
// it becomes the registers, and its %eax is the handler's return value.

import type { Machine } from '../../cpu';
import type { ProbeHandler, PtRegs } from './live-probe-types';
import { callEmulated } from './probe-handler-calls';

/** Field order of the i386 struct pt_regs; each field is 4 bytes. */
export const PT_REGS_FIELDS = ['bx', 'cx', 'dx', 'si', 'di', 'bp', 'ax', 'ds', 'es', 'fs', 'gs', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'] as const;
export const PT_REGS_SIZE = PT_REGS_FIELDS.length * 4;

const GENERAL: ReadonlyArray<keyof PtRegs> = ['bx', 'cx', 'dx', 'si', 'di', 'bp', 'ax', 'ip', 'flags', 'sp'];
const SEGMENT_INDEX: Record<string, number> = { es: 0, cs: 1, ss: 2, ds: 3, fs: 4, gs: 5 };

/** Writes a struct pt_regs at `at` (orig_ax = -1, segments from the machine). */
export function writePtRegsStruct(m: Machine, at: number, regs: PtRegs): void {
  PT_REGS_FIELDS.forEach((field, k) => {
    const value = (GENERAL as readonly string[]).includes(field) ? regs[field as keyof PtRegs]
      : field === 'orig_ax' ? 0xffffffff
        : m.segments[SEGMENT_INDEX[field]!] ?? 0;
    m.memory.write32(at + 4 * k, value >>> 0);
  });
}

/** Reads the general fields (and ip, flags, sp) of a struct pt_regs at `at` into `regs`. */
export function readPtRegsStruct(m: Machine, at: number, regs: PtRegs): void {
  PT_REGS_FIELDS.forEach((field, k) => {
    if ((GENERAL as readonly string[]).includes(field)) regs[field as keyof PtRegs] = m.memory.read32(at + 4 * k);
  });
}

/**
 * A ProbeHandler that calls the assembly function at `address` with a struct pt_regs * in %eax.
 * The struct sits below the probed context's stack (dead space there); the call runs below it.
 */
export function assemblyHandler(address: number, sentinel: () => number): ProbeHandler {
  return (ctx) => {
    const m = ctx.machine;
    const at = ((ctx.regs.sp - 512) & ~15) >>> 0;
    try {
      writePtRegsStruct(m, at, ctx.regs);
    } catch {
      return 0;
    }
    const saved = m.regs[0]!;
    m.regs[0] = at;
    const result = callEmulated(m, sentinel(), at, address, []);
    m.regs[0] = saved;
    try {
      readPtRegsStruct(m, at, ctx.regs);
    } catch {
      return 0;
    }
    return result ?? 0;
  };
}
