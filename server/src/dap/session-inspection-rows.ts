// What the debugger's scopes show, as plain rows (name, value, optional children), free of the
// protocol: the registers (EFLAGS with its bits), the probe being handled or last hit (status,
// boostable, slot address and bytes, nhit, nmissed, mode), and the stages of the hit so far.

import { hex, type CpuRegisters } from '../cpu';
import type { ProbedProgramSession } from './probed-program-session';

export interface InspectionRow {
  name: string;
  value: string;
  /** Rows shown under this one (EFLAGS bits, a stage's registers). */
  children?: () => InspectionRow[];
  /** An address the value points at (the memory view opens there). */
  address?: number;
}

export const REGISTER_ORDER: ReadonlyArray<keyof CpuRegisters> = ['eax', 'ecx', 'edx', 'ebx', 'esi', 'edi', 'esp', 'ebp', 'eip', 'eflags'];

const EFLAGS_BITS: ReadonlyArray<[string, number]> = [
  ['CF', 0], ['PF', 2], ['AF', 4], ['ZF', 6], ['SF', 7], ['TF', 8], ['IF', 9], ['DF', 10], ['OF', 11], ['RF', 16], ['AC', 18], ['ID', 21],
];

export function registerRows(regs: CpuRegisters, name: (address: number) => string): InspectionRow[] {
  return REGISTER_ORDER.map((r) => {
    const value = `0x${hex(regs[r])}`;
    if (r === 'eflags') return { name: r, value, children: () => eflagsRows(regs.eflags) };
    if (r === 'eip') return { name: r, value: `${value} <${name(regs.eip)}>`, address: regs.eip };
    return { name: r, value, address: regs[r] };
  });
}

export function eflagsRows(eflags: number): InspectionRow[] {
  const rows: InspectionRow[] = EFLAGS_BITS.map(([flag, bit]) => ({ name: flag, value: String((eflags >>> bit) & 1) }));
  rows.push({ name: 'IOPL', value: String((eflags >>> 12) & 3) });
  return rows;
}

export function probeRows(session: ProbedProgramSession): InspectionRow[] {
  const address = session.currentProbeAddress;
  if (address === null) return [{ name: 'probe', value: 'none hit yet' }];
  const engine = session.engine;
  const site = engine.site(address);
  const rows: InspectionRow[] = [{ name: 'probe', value: `${session.name(address)} (0x${hex(address)})`, address }];
  const running = engine.running;
  rows.push({ name: 'kprobe_status', value: running !== null && running.address === address ? running.status : 'none (no hit of it in progress)' });
  if (site === null) {
    rows.push({ name: 'registered', value: 'no (unregistered)' });
    return rows;
  }
  rows.push({ name: 'mode', value: session.probeMode(address) });
  rows.push({ name: 'boostable', value: engine.profile === 'linux-6.1' ? String(site.boosted) : String(site.boostable) });
  rows.push({ name: 'slot', value: `0x${hex(site.slot)}`, address: site.slot });
  const end = site.jumpBackAt !== null ? site.jumpBackAt + 5 : site.slot + site.copy.length + (engine.profile === 'linux-6.1' ? 1 : 0);
  const bytes = session.machine.memory.readBytes(site.slot, end - site.slot);
  rows.push({ name: 'slot bytes', value: bytes instanceof Uint8Array ? [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ') : 'unreadable' });
  rows.push({ name: 'nhit', value: String(site.probes.reduce((n, p) => Math.max(n, p.nhit), 0)) });
  rows.push({ name: 'nmissed', value: String(site.probes.reduce((n, p) => Math.max(n, p.nmissed), 0)) });
  rows.push({ name: 'verdict', value: site.verdict.summary });
  if (site.optimizable !== null) rows.push({ name: 'optprobe', value: site.detour !== null ? `optimized: detour buffer 0x${hex(site.detour.buffer)}` : `${site.optimizable.ok ? 'optimizable' : 'not optimizable'}: ${site.optimizable.why}` });
  return rows;
}

export function stageRows(session: ProbedProgramSession): InspectionRow[] {
  return session.hitStages.map((stage, k) => ({
    // The engine's name of the stage (the CPU's own moves: `cpu`), so the list reads as the trace does.
    name: `${k + 1}. ${stage.event?.kind ?? 'cpu'}`,
    value: stage.words,
    children: () => registerRows(stage.registers, session.placeName),
  }));
}
