// Hardware breakpoints of DR0-DR3 under DR7: data breakpoints (write, read/write) that trap after
// the accessing instruction with DR6.Bn set, and instruction breakpoints that fault before the
// instruction (RF suppresses the repeat after a resume). Consulted only while DR7 enables one.

/** One enabled breakpoint, decoded from DR7. */
export interface HardwareBreakpoint {
  index: number;
  address: number;
  /** 0 instruction, 1 data write, 3 data read or write (2, I/O, is not supported). */
  kind: number;
  length: number;
}

const LENGTHS = [1, 2, 8, 4];

/** The breakpoints DR7 enables (L or G bit), with their addresses aligned to their length. */
export function enabledBreakpoints(debug: Uint32Array): HardwareBreakpoint[] {
  const dr7 = debug[7]!;
  const out: HardwareBreakpoint[] = [];
  for (let n = 0; n < 4; n++) {
    if (((dr7 >>> (2 * n)) & 3) === 0) continue;
    const kind = (dr7 >>> (16 + 4 * n)) & 3;
    const length = kind === 0 ? 1 : LENGTHS[(dr7 >>> (18 + 4 * n)) & 3]!;
    if (kind === 2) continue;
    out.push({ index: n, address: (debug[n]! & ~(length - 1)) >>> 0, kind, length });
  }
  return out;
}

/** DR6 B-bits of the data breakpoints an access of [address, address+size) hits. */
export function dataBreakpointHits(breakpoints: HardwareBreakpoint[], address: number, size: number, write: boolean): number {
  let hits = 0;
  for (const b of breakpoints) {
    if (b.kind === 0 || (b.kind === 1 && !write)) continue;
    if (address < b.address + b.length && b.address < address + size) hits |= 1 << b.index;
  }
  return hits;
}

/** DR6 B-bits of the instruction breakpoints at `eip`. */
export function instructionBreakpointHits(breakpoints: HardwareBreakpoint[], eip: number): number {
  let hits = 0;
  for (const b of breakpoints) if (b.kind === 0 && b.address === eip) hits |= 1 << b.index;
  return hits;
}
