// The i386 instruction decoder: bytes in, one DecodedInstruction out, driven by the opcode table.
//
// decode() never throws and never reads more than 15 bytes from `offset` (the architectural
// limit); an encoding that is reserved, truncated, too long or misuses a prefix comes back with
// `valid: false` and the reason. Operand construction is in decoder-operands.ts.

import type { DecodedInstruction, OpcodeMapId, PrefixState, VexFields } from './decoded-instruction';
import type { OpcodeEntry } from './opcode-entry';
import type { OpcodeSlot } from './opcode-table-compiler';
import { OPCODE_TABLE } from './opcode-table';
import { buildOperands, memoryBytesFollow, immediateLayout } from './decoder-operands';

/** The longest legal instruction. */
export const MAX_INSTRUCTION_LENGTH = 15;

const EMPTY = new Uint8Array(0);

/** Which byte values are legacy prefixes in 32-bit mode. */
const IS_PREFIX = new Uint8Array(256);
for (const b of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) IS_PREFIX[b] = 1;

/** A reader over at most 15 bytes; reading past the end records truncation instead of throwing. */
class ByteCursor {
  pos: number;
  readonly limit: number;
  truncated = false;
  constructor(readonly bytes: Uint8Array, readonly start: number) {
    this.pos = start;
    this.limit = Math.min(bytes.length, start + MAX_INSTRUCTION_LENGTH);
  }
  next(): number {
    if (this.pos >= this.limit) {
      this.truncated = true;
      return 0;
    }
    return this.bytes[this.pos++]!;
  }
  peek(): number {
    return this.pos < this.limit ? this.bytes[this.pos]! : -1;
  }
  /** Little-endian read of `size` bytes; signed when asked. */
  read(size: number, signed: boolean): number {
    let value = 0;
    for (let i = 0; i < size; i++) value |= this.next() << (8 * i);
    if (size === 4) return signed ? value | 0 : value >>> 0;
    if (signed) {
      const shift = 32 - 8 * size;
      return (value << shift) >> shift;
    }
    return value;
  }
}

function newPrefixState(): PrefixState {
  return { count: 0, lock: false, rep: 0, segment: 0, operandSize: false, addressSize: false, mandatory: 0, vex: null };
}

function readPrefixes(cur: ByteCursor, p: PrefixState): void {
  while (cur.pos < cur.limit && IS_PREFIX[cur.bytes[cur.pos]!] === 1) {
    const b = cur.bytes[cur.pos++]!;
    p.count++;
    if (b === 0xf0) p.lock = true;
    else if (b === 0xf2 || b === 0xf3) p.rep = b;
    else if (b === 0x66) p.operandSize = true;
    else if (b === 0x67) p.addressSize = true;
    else p.segment = b;
  }
}

/** Reads the VEX prefix after C4/C5 (already consumed). Returns the map or a message. */
function readVex(cur: ByteCursor, first: number, p: PrefixState): 'vex0f' | 'vex0f38' | 'vex0f3a' | string {
  let mapSelect = 1;
  let w = 0;
  let byte: number;
  if (first === 0xc4) {
    const b1 = cur.next();
    mapSelect = b1 & 0x1f;
    byte = cur.next();
    w = byte >> 7;
  } else {
    byte = cur.next();
  }
  const vex: VexFields = {
    size: first === 0xc4 ? 3 : 2,
    l: ((byte >> 2) & 1) as 0 | 1,
    w: w as 0 | 1,
    vvvv: (~byte >> 3) & 7,
    pp: [0, 0x66, 0xf3, 0xf2][byte & 3]!,
  };
  p.vex = vex;
  p.count += vex.size;
  if (p.operandSize || p.rep !== 0 || p.lock) return 'a 66, F2, F3 or F0 prefix before VEX is #UD';
  if (mapSelect === 1) return 'vex0f';
  if (mapSelect === 2) return 'vex0f38';
  if (mapSelect === 3) return 'vex0f3a';
  return `VEX map ${mapSelect} is reserved`;
}

function effectiveOperandSize(e: OpcodeEntry, p: PrefixState): 16 | 32 {
  return p.operandSize && e.mandatory !== 0x66 ? 16 : 32;
}

/** Picks the first candidate (most specific first) that the prefixes and ModRM allow. */
function selectEntry(slot: OpcodeSlot, p: PrefixState, modrm: number): OpcodeEntry | null {
  const vex = p.vex;
  const mandatory = vex ? vex.pp : p.rep !== 0 ? p.rep : p.operandSize ? 0x66 : 0;
  const mod = modrm >> 6;
  const reg = (modrm >> 3) & 7;
  const rm = modrm & 7;
  for (const e of slot.candidates) {
    if (e.mandatory !== -1 && e.mandatory !== mandatory) continue;
    if (e.reg >= 0 && e.reg !== reg) continue;
    if (e.mod === 'mem' ? mod === 3 : e.mod === 'reg' ? mod !== 3 : false) continue;
    if (e.rm >= 0 && e.rm !== rm) continue;
    if (e.osize !== 0 && e.osize !== effectiveOperandSize(e, p)) continue;
    if (e.asize !== 0 && e.asize !== (p.addressSize ? 16 : 32)) continue;
    if (vex && e.vex) {
      if (e.vex.l !== -1 && e.vex.l !== vex.l) continue;
      if (e.vex.w !== -1 && e.vex.w !== vex.w) continue;
    }
    return e;
  }
  return null;
}

function invalid(insn: DecodedInstruction, cur: ByteCursor, reason: string): DecodedInstruction {
  insn.valid = false;
  insn.error = cur.truncated ? (cur.limit - cur.start >= MAX_INSTRUCTION_LENGTH ? 'instruction longer than 15 bytes' : 'truncated instruction') : reason;
  insn.length = Math.max(1, Math.min(cur.pos, cur.limit) - cur.start);
  insn.bytes = cur.bytes.subarray(cur.start, cur.start + insn.length);
  insn.mnemonic = '(bad)';
  insn.entry = null;
  insn.operands = [];
  return insn;
}

function slotFor(map: OpcodeMapId, opcode: number): OpcodeSlot | null {
  switch (map) {
    case 'primary': return OPCODE_TABLE.legacy.primary[opcode]!;
    case '0f': return OPCODE_TABLE.legacy['0f'][opcode]!;
    case '0f38': return OPCODE_TABLE.legacy['0f38'][opcode]!;
    case '0f3a': return OPCODE_TABLE.legacy['0f3a'][opcode]!;
    case 'vex0f': return OPCODE_TABLE.vex['0f'][opcode]!;
    case 'vex0f38': return OPCODE_TABLE.vex['0f38'][opcode]!;
    case 'vex0f3a': return OPCODE_TABLE.vex['0f3a'][opcode]!;
  }
}

/**
 * Decodes the instruction at `bytes[offset]`, which the caller says lives at `address`
 * (branch targets are computed from it). Never throws.
 */
export function decode(bytes: Uint8Array, offset: number, address: number): DecodedInstruction {
  const cur = new ByteCursor(bytes, offset);
  const p = newPrefixState();
  const insn: DecodedInstruction = {
    address: address >>> 0, length: 0, valid: true, error: null, bytes: EMPTY, prefixes: p,
    map: 'primary', opcode: 0, modrm: -1, sib: -1, displacement: 0, displacementSize: 0,
    immediate: 0, immediateSize: 0, immediate2: 0, immediate2Size: 0, operandSize: 32,
    addressSize: 32, mnemonic: '', operands: [], entry: null,
  };
  if (offset < 0 || offset >= bytes.length) return invalid(insn, cur, 'no bytes to decode');
  readPrefixes(cur, p);
  let map: OpcodeMapId = 'primary';
  let opcode = cur.next();
  if (opcode === 0x0f) {
    map = '0f';
    opcode = cur.next();
    if (opcode === 0x38 || opcode === 0x3a) {
      map = opcode === 0x38 ? '0f38' : '0f3a';
      opcode = cur.next();
    }
  } else if ((opcode === 0xc4 || opcode === 0xc5) && (cur.peek() & 0xc0) === 0xc0) {
    const vexMap = readVex(cur, opcode, p);
    if (vexMap.startsWith('a ') || vexMap.startsWith('VEX')) {
      opcode = cur.next();
      return invalid(insn, cur, vexMap);
    }
    map = vexMap as OpcodeMapId;
    opcode = cur.next();
  }
  insn.map = map;
  insn.opcode = opcode;
  if (cur.truncated) return invalid(insn, cur, 'truncated instruction');
  const slot = slotFor(map, opcode);
  if (slot === null) return invalid(insn, cur, `reserved opcode ${describeOpcode(map, opcode)}`);
  let modrm = -1;
  if (slot.hasModrm) {
    modrm = cur.next();
    insn.modrm = modrm;
  }
  const entry = selectEntry(slot, p, modrm < 0 ? 0 : modrm);
  if (entry === null) {
    const detail = modrm >= 0 ? ` with ModRM ${modrm.toString(16).padStart(2, '0')} (reg ${(modrm >> 3) & 7})` : '';
    return invalid(insn, cur, `no instruction ${describeOpcode(map, opcode)}${detail} under these prefixes`);
  }
  if (entry.mandatory > 0) p.mandatory = entry.mandatory;
  insn.entry = entry;
  insn.operandSize = effectiveOperandSize(entry, p);
  insn.addressSize = p.addressSize ? 16 : 32;
  if (modrm >= 0 && memoryBytesFollow(entry, modrm)) readAddressing(cur, insn, modrm);
  readImmediates(cur, insn, entry);
  if (cur.truncated) return invalid(insn, cur, 'truncated instruction');
  insn.length = cur.pos - offset;
  insn.bytes = bytes.subarray(offset, cur.pos);
  insn.mnemonic = entry.mnemonic;
  if (p.lock && (!entry.lockable || modrm < 0 || modrm >> 6 === 3)) {
    return invalid(insn, cur, `LOCK prefix is not allowed on ${entry.mnemonic}${entry.lockable ? ' with a register destination' : ''}`);
  }
  if (p.vex && !entry.operands.some((o) => o.kind === 'method' && (o.method === 'H' || o.method === 'B')) && p.vex.vvvv !== 0) {
    return invalid(insn, cur, 'VEX.vvvv must be 1111b when it names no register');
  }
  const operands = buildOperands(insn, entry);
  if (typeof operands === 'string') return invalid(insn, cur, operands);
  insn.operands = operands;
  return insn;
}

/** Reads SIB and displacement for a memory ModRM (mod != 3). */
function readAddressing(cur: ByteCursor, insn: DecodedInstruction, modrm: number): void {
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (mod === 3) return;
  if (insn.addressSize === 16) {
    if (mod === 1) setDisplacement(insn, cur.read(1, true), 1);
    else if (mod === 2 || (mod === 0 && rm === 6)) setDisplacement(insn, cur.read(2, mod === 2), 2);
    return;
  }
  let base = rm;
  if (rm === 4) {
    const sib = cur.next();
    insn.sib = sib;
    base = sib & 7;
  }
  if (mod === 1) setDisplacement(insn, cur.read(1, true), 1);
  else if (mod === 2) setDisplacement(insn, cur.read(4, true), 4);
  else if (base === 5) setDisplacement(insn, cur.read(4, true), 4);
}

function setDisplacement(insn: DecodedInstruction, value: number, size: 1 | 2 | 4): void {
  insn.displacement = value;
  insn.displacementSize = size;
}

function readImmediates(cur: ByteCursor, insn: DecodedInstruction, entry: OpcodeEntry): void {
  const layout = immediateLayout(entry, insn.operandSize, insn.addressSize);
  if (layout.moffs) setDisplacement(insn, cur.read(layout.moffs, false), layout.moffs as 2 | 4);
  if (layout.first) {
    insn.immediate = cur.read(layout.first, layout.firstSigned);
    insn.immediateSize = layout.first as 1 | 2 | 4;
  }
  if (layout.second) {
    insn.immediate2 = cur.read(layout.second, false);
    insn.immediate2Size = layout.second as 1 | 2;
  }
}

function describeOpcode(map: OpcodeMapId, opcode: number): string {
  const hex = opcode.toString(16).toUpperCase().padStart(2, '0');
  const prefix: Record<OpcodeMapId, string> = {
    primary: '', '0f': '0F ', '0f38': '0F 38 ', '0f3a': '0F 3A ',
    vex0f: 'VEX.0F ', vex0f38: 'VEX.0F38 ', vex0f3a: 'VEX.0F3A ',
  };
  return `${prefix[map]}${hex}`;
}
