// The instructions around an address for the debugger's disassembly view, free of the protocol:
// our decoder and AT&T formatter over the program's original bytes (engine.readOriginal, so the
// armed int3s and optprobe jumps do not show), the slot and detour pages as they are. Boundaries
// come from decoding a whole region from its start (an executable section of the program, or the
// engine's page, whose int3 filler re-synchronizes at every slot), so instructions before the
// address are as exact as those after it. Rows outside any region are marked invalid.

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
  for (const [name, placed] of session.program.loaded.sections) {
    const section = session.program.image.sections.find((s) => s.name === name);
    const executable = section !== undefined && (section.flags.includes('x') || name === '.text');
    if (executable && address >= placed.address && address < placed.address + placed.size) return { start: placed.address, end: placed.address + placed.size, original: true };
  }
  if (session.engine.codePageOf(address) !== null) {
    const start = address - (address % PAGE);
    return { start, end: start + PAGE, original: false };
  }
  return null;
}

function decodeRow(session: ProbedProgramSession, address: number, end: number, original: boolean): DisassembledRow {
  const want = Math.max(1, Math.min(15, end - address));
  const bytes = original ? session.engine.readOriginal(address, want) : session.machine.memory.readBytes(address, want);
  if (!(bytes instanceof Uint8Array)) return invalidRow(address);
  const insn = decode(bytes, 0, address);
  const length = insn.valid && insn.length <= want ? insn.length : 1;
  const text = insn.valid && insn.length <= want ? formatAtt(insn) : `.byte 0x${bytes[0]!.toString(16).padStart(2, '0')}`;
  let symbol: string | null = null;
  for (const [name, a] of session.program.loaded.symbols) if (a === address) symbol = name;
  return {
    address, bytes: [...bytes.subarray(0, length)].map((b) => b.toString(16).padStart(2, '0')).join(' '), text, symbol,
    line: original ? session.lineOf(address) : null, invalid: !insn.valid,
  };
}

function invalidRow(address: number): DisassembledRow {
  return { address: address >>> 0, bytes: '', text: '??', symbol: null, line: null, invalid: true };
}

/** `count` rows starting `instructionOffset` instructions away from the one at `address`. */
export function disassemblyWindow(session: ProbedProgramSession, address: number, instructionOffset: number, count: number): DisassembledRow[] {
  const region = regionOf(session, address);
  if (region === null) {
    // Unknown ground: forwards from the address, invalid rows before it.
    const rows: DisassembledRow[] = [];
    let at = address;
    for (let k = 0; k < instructionOffset && rows.length < count; k++) at += 1;
    for (let k = instructionOffset; k < 0 && rows.length < count; k++) rows.push(invalidRow(address + k));
    while (rows.length < count) rows.push(invalidRow(at++));
    return rows;
  }
  const starts: number[] = [];
  const rowsByStart = new Map<number, DisassembledRow>();
  for (let at = region.start; at < region.end;) {
    const row = decodeRow(session, at, region.end, region.original);
    starts.push(at);
    rowsByStart.set(at, row);
    at += row.bytes === '' ? 1 : row.bytes.split(' ').length;
  }
  // The instruction that holds `address` (the address itself when it starts one).
  let index = starts.length - 1;
  while (index > 0 && starts[index]! > address) index--;
  const rows: DisassembledRow[] = [];
  for (let k = 0; k < count; k++) {
    const i = index + instructionOffset + k;
    if (i < 0) rows.push(invalidRow(region.start + i));
    else if (i >= starts.length) rows.push(invalidRow(region.end + (i - starts.length)));
    else rows.push(rowsByStart.get(starts[i]!)!);
  }
  return rows;
}

/** `0x0804800a`, as the protocol's memory and instruction references are written. */
export function addressReference(address: number): string {
  return `0x${hex(address)}`;
}
