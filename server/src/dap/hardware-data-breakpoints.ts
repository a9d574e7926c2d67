// Data breakpoints on the emulated CPU's own debug registers: up to four watches in DR0-DR3, made
// live by DR7 (L bit, RW = 01 write or 11 read/write, LEN = 1, 2 or 4 bytes, aligned as the CPU
// requires). The CPU then traps (#DB, DR6.Bn) after an instruction that touches a watched range.
// x86 has no read-only watch: "read" watches reads and writes, and says so.

import type { Machine } from '../cpu';

export type DataAccess = 'read' | 'write' | 'readWrite';

export interface DataBreakpointRequest {
  address: number;
  size: number;
  access: DataAccess;
}

export interface DataBreakpointAnswer {
  verified: boolean;
  message: string;
}

const LEN_BITS: Record<number, number> = { 1: 0, 2: 1, 4: 3 };

/** Parses a data breakpoint id `0x0804a000:4` (address and size). */
export function parseDataId(dataId: unknown): { address: number; size: number } | null {
  const m = typeof dataId === 'string' ? /^0x([0-9a-f]{1,8}):([124])$/i.exec(dataId) : null;
  return m ? { address: parseInt(m[1]!, 16) >>> 0, size: Number(m[2]) } : null;
}

export function dataId(address: number, size: number): string {
  return `0x${(address >>> 0).toString(16).padStart(8, '0')}:${size}`;
}

/** Programs DR0-DR3 and DR7 with the requests (all earlier watches replaced). */
export function setDataBreakpoints(machine: Machine, requests: readonly DataBreakpointRequest[]): DataBreakpointAnswer[] {
  let dr7 = machine.debug[7]! & ~0xffff00ff;
  let used = 0;
  const answers = requests.map((r): DataBreakpointAnswer => {
    if (LEN_BITS[r.size] === undefined || r.address % r.size !== 0) return { verified: false, message: `a watch covers 1, 2 or 4 bytes aligned to their size (0x${r.address.toString(16)}, ${r.size} bytes)` };
    if (used === 4) return { verified: false, message: 'the CPU has four debug address registers (DR0-DR3), all in use' };
    const n = used++;
    machine.debug[n] = r.address >>> 0;
    dr7 |= (1 << (2 * n)) | ((r.access === 'write' ? 1 : 3) << (16 + 4 * n)) | (LEN_BITS[r.size]! << (18 + 4 * n));
    const how = r.access === 'write' ? 'writes' : r.access === 'read' ? 'reads and writes (x86 watches no read alone)' : 'reads and writes';
    return { verified: true, message: `DR${n}: ${how} of ${r.size} byte${r.size > 1 ? 's' : ''} at 0x${r.address.toString(16)}` };
  });
  for (let n = used; n < 4; n++) machine.debug[n] = 0;
  machine.debug[7] = dr7 >>> 0;
  return answers;
}
