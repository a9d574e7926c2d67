// The instructions around an address for the debugger's disassembly view, free of the protocol:
// our decoder and AT&T formatter over the program's original bytes (engine.readOriginal, so the
// armed int3s and optprobe jumps do not show), the slot and detour pages as they are. Boundaries
// come from decoding a whole region from its start (an executable section of the program, or the
// engine's page, whose int3 filler re-synchronizes at every slot), so instructions before the
// address are as exact as those after it; a program section's boundaries are decoded once per
// session (a program that rewrites its own code would need them again), and only the rows asked
// for are formatted. Rows outside any region are marked invalid.

import { hex } from '../cpu';
import { decode, formatAtt } from '../isa';
import type { ProbedProgramSession } from './probed-program-session';

export interface DisassembledRow {
  address: number;
  bytes: string;
  text: string;
  /** A label at exactly this address. */
  symbol: string | null;
  /** The source line (0-based) of a program instruction. */
  line: number | null;
  invalid: boolean;
}

const PAGE = 0x1000;

/** The region around `address` whose instruction starts are known by decoding it from its start. */
function regionOf(session: ProbedProgramSession, address: number): { start: number; end: number; original: boolean } | null {
  const code = session.codeSectionAt(address);
  if (code !== null) return { start: code.address, end: code.address + code.size, original: true };
  if (session.engine.codePageOf(address) !== null) {
    const start = address - (address % PAGE);
    return { start, end: start + PAGE, original: false };
  }
  return null;
}

function decodeRow(session: ProbedProgramSession, address: number, end: number, original: boolean, symbols: ReadonlyMap<number, string>): DisassembledRow {
  const want = Math.max(1, Math.min(15, end - address));
  const bytes = original ? session.engine.readOriginal(address, want) : session.machine.memory.readBytes(address, want);
  if (!(bytes instanceof Uint8Array)) return invalidRow(address);
  const insn = decode(bytes, 0, address);
  const whole = insn.valid && insn.length <= want;
  const length = whole ? insn.length : 1;
  return {
    address, bytes: [...bytes.subarray(0, length)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
    text: whole ? formatAtt(insn) : `.byte 0x${bytes[0]!.toString(16).padStart(2, '0')}`, symbol: symbols.get(address) ?? null,
    line: original ? session.lineOf(address) : null, invalid: !insn.valid,
  };
}

function invalidRow(address: number): DisassembledRow {
  return { address: address >>> 0, bytes: '', text: '??', symbol: null, line: null, invalid: true };
}

/** Instruction starts of a program section, decoded once per session (its original bytes do not change). */
const startsOfCode = new WeakMap<ProbedProgramSession, Map<number, number[]>>();

/** Where each instruction of the region starts, decoding it whole from its start. */
function instructionStarts(session: ProbedProgramSession, region: { start: number; end: number; original: boolean }): number[] {
  let cache = startsOfCode.get(session);
  const cached = region.original ? cache?.get(region.start) : undefined;
  if (cached !== undefined) return cached;
  const size = region.end - region.start;
  const read = region.original ? session.engine.readOriginal(region.start, size) : session.machine.memory.readBytes(region.start, size);
  const bytes = read instanceof Uint8Array ? read : new Uint8Array(size);
  const starts: number[] = [];
  for (let offset = 0; offset < size;) {
    starts.push(region.start + offset);
    const insn = decode(bytes, offset, region.start + offset);
    offset += insn.valid && offset + insn.length <= size ? insn.length : 1;
  }
  if (region.original) {
    if (cache === undefined) startsOfCode.set(session, (cache = new Map()));
    cache.set(region.start, starts);
  }
  return starts;
}

/** `count` rows starting `instructionOffset` instructions away from the one at `address`. */
export function disassemblyWindow(session: ProbedProgramSession, address: number, instructionOffset: number, count: number): DisassembledRow[] {
  const region = regionOf(session, address);
  // Unknown ground: no boundaries are known, so every row is an invalid byte.
  if (region === null) return Array.from({ length: count }, (_, k) => invalidRow(address + instructionOffset + k));
  const starts = instructionStarts(session, region);
  const symbols = new Map<number, string>();
  for (const [name, a] of session.program.loaded.symbols) symbols.set(a, name);
  // The instruction that holds `address` (the address itself when it starts one).
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= address) low = mid;
    else high = mid - 1;
  }
  const rows: DisassembledRow[] = [];
  for (let k = 0; k < count; k++) {
    const i = low + instructionOffset + k;
    if (i < 0) rows.push(invalidRow(region.start + i));
    else if (i >= starts.length) rows.push(invalidRow(region.end + (i - starts.length)));
    else rows.push(decodeRow(session, starts[i]!, region.end, region.original, symbols));
  }
  return rows;
}

/** `0x0804800a`, as the protocol's memory and instruction references are written. */
export function addressReference(address: number): string {
  return `0x${hex(address)}`;
}
