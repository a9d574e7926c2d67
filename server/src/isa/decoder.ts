// The i386 instruction decoder: bytes in, one DecodedInstruction out, driven by the opcode table.
//
// decode() never throws and never reads more than 15 bytes from `offset` (the architectural
// limit); an encoding that is reserved, truncated, too long or misuses a prefix comes back with
// `valid: false` and the reason. Operand construction is in decoder-operands.ts.

import type { DecodedInstruction, OpcodeMapId, Operand, PrefixState, VexFields } from './decoded-instruction';
import type { OpcodeEntry } from './opcode-entry';
import type { OpcodeSlot } from './opcode-table-compiler';
import { OPCODE_TABLE } from './opcode-table';
import { buildOperands, cachedImmediateLayout, memoryBytesFollow, operandsMayFail, usesVexVvvv } from './decoder-operands';

/** The longest legal instruction. */
export const MAX_INSTRUCTION_LENGTH = 15;

const EMPTY = new Uint8Array(0);
/** Shared by every result without operands, so scanning allocates nothing; never mutated. */
const NO_OPERANDS = Object.freeze([]) as unknown as Operand[];

/** Which byte values are legacy prefixes in 32-bit mode. */
const IS_PREFIX = new Uint8Array(256);
for (const b of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) IS_PREFIX[b] = 1;


/**
 * Decoding state for one instruction. `pos` may run past `limit` when the bytes run out: reads
 * there return 0 and `truncated` is set, so no byte outside the 15-byte window is ever read.
 */
interface Cursor {
  bytes: Uint8Array;
  start: number;
  pos: number;
  limit: number;
  truncated: boolean;
}

function next(c: Cursor): number {
  if (c.pos >= c.limit) {
    c.truncated = true;
    c.pos++;
    return 0;
  }
  return c.bytes[c.pos++]!;
}

/** Little-endian read of `size` bytes, signed when asked. */
function readValue(c: Cursor, size: number, signed: boolean): number {
  if (size === 1) {
    const v = next(c);
    return signed ? (v << 24) >> 24 : v;
  }
  if (size === 2) {
    const v = next(c) | (next(c) << 8);
    return signed ? (v << 16) >> 16 : v;
  }
  const v = next(c) | (next(c) << 8) | (next(c) << 16) | (next(c) << 24);
  return signed ? v : v >>> 0;
}

function readPrefixes(c: Cursor, p: PrefixState): void {
  while (c.pos < c.limit && IS_PREFIX[c.bytes[c.pos]!] === 1) {
    const b = c.bytes[c.pos++]!;
    p.count++;
    if (b === 0xf0) p.lock = true;
    else if (b === 0xf2 || b === 0xf3) p.rep = b;
    else if (b === 0x66) p.operandSize = true;
    else if (b === 0x67) p.addressSize = true;
    else p.segment = b;
  }
}

const VEX_PP = [0, 0x66, 0xf3, 0xf2] as const;

/** Reads the VEX prefix after C4/C5 (already consumed). Returns the map or a message. */
function readVex(c: Cursor, first: number, p: PrefixState): OpcodeMapId | string {
  let mapSelect = 1;
  let w = 0;
  let byte: number;
  if (first === 0xc4) {
    mapSelect = next(c) & 0x1f;
    byte = next(c);
    w = byte >> 7;
  } else {
    byte = next(c);
  }
  const vex: VexFields = {
    size: first === 0xc4 ? 3 : 2,
    l: ((byte >> 2) & 1) as 0 | 1,
    w: w as 0 | 1,
    vvvv: (~byte >> 3) & 7,
    vvvvRaw: (~byte >> 3) & 15,
    pp: VEX_PP[byte & 3]!,
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
  if (slot.direct !== null) return slot.direct;
  if (slot.byReg !== null) return slot.byReg[(modrm >> 3) & 7]!;
  const candidates = slot.candidates;
  const vex = p.vex;
  const mandatory = vex ? vex.pp : p.rep !== 0 ? p.rep : p.operandSize ? 0x66 : 0;
  const mod = modrm >> 6;
  const reg = (modrm >> 3) & 7;
  const rm = modrm & 7;
  for (let i = 0; i < candidates.length; i++) {
    const e = candidates[i]!;
    if (e.mandatory !== -1 && e.mandatory !== mandatory) continue;
    if (e.reg >= 0 && e.reg !== reg) continue;
    if (e.mod === 'mem' ? mod === 3 : e.mod === 'reg' ? mod !== 3 : false) continue;
    if (e.rm >= 0 && e.rm !== rm) continue;
    if (e.osize !== 0 && e.osize !== effectiveOperandSize(e, p)) continue;
    if (e.asize !== 0 && e.asize !== (p.addressSize ? 16 : 32)) continue;
    if (vex) {
      if (e.vex === null || e.vex.pp !== vex.pp) continue;
      if (e.vex.l !== -1 && e.vex.l !== vex.l) continue;
      if (e.vex.w !== -1 && e.vex.w !== vex.w) continue;
    }
    return e;
  }
  return null;
}

function fail(insn: DecodedInstruction, c: Cursor, reason: string): false {
  insn.valid = false;
  const window = c.limit - c.start;
  insn.error = c.truncated ? (window >= MAX_INSTRUCTION_LENGTH ? 'instruction longer than 15 bytes' : 'truncated instruction') : reason;
  insn.length = Math.max(1, Math.min(c.pos, c.limit) - c.start);
  insn.mnemonic = '(bad)';
  insn.entry = null;
  insn.operands = NO_OPERANDS;
  return false;
}

function slotFor(map: OpcodeMapId, opcode: number): OpcodeSlot | null {
  switch (map) {
    case 'primary': return PRIMARY[opcode]!;
    case '0f': return TWO_BYTE[opcode]!;
    case '0f38': return OPCODE_TABLE.legacy['0f38'][opcode]!;
    case '0f3a': return OPCODE_TABLE.legacy['0f3a'][opcode]!;
    case 'vex0f': return OPCODE_TABLE.vex['0f'][opcode]!;
    case 'vex0f38': return OPCODE_TABLE.vex['0f38'][opcode]!;
    case 'vex0f3a': return OPCODE_TABLE.vex['0f3a'][opcode]!;
  }
}

const CURSOR: Cursor = { bytes: EMPTY, start: 0, pos: 0, limit: 0, truncated: false };

/**
 * Per-entry decoding facts, packed once at load so the hot path reads one small integer:
 * bit 0 = the entry ignores ModRM.mod (no SIB/displacement), bit 1 = it names a register in
 * VEX.vvvv. Immediate layouts are packed per (operand size, address size) as
 * moffs | first << 3 | firstSigned << 6 | second << 7.
 */
const ENTRY_BITS = new Uint8Array(OPCODE_TABLE.entries.length);
const IMMEDIATES = new Uint16Array(OPCODE_TABLE.entries.length * 4);
for (const e of OPCODE_TABLE.entries) {
  ENTRY_BITS[e.id] = (memoryBytesFollow(e, 0) ? 0 : 1) | (usesVexVvvv(e) ? 2 : 0) | (operandsMayFail(e, newDecodedInstruction()) ? 4 : 0);
  for (let k = 0; k < 4; k++) {
    const l = cachedImmediateLayout(e, k & 2 ? 32 : 16, k & 1 ? 32 : 16);
    IMMEDIATES[e.id * 4 + k] = l.moffs | (l.first << 3) | ((l.firstSigned ? 1 : 0) << 6) | (l.second << 7);
  }
}
const PRIMARY = OPCODE_TABLE.legacy.primary;
const TWO_BYTE = OPCODE_TABLE.legacy['0f'];

/** A blank result, ready for decodeInto. */
export function newDecodedInstruction(): DecodedInstruction {
  return {
    address: 0, length: 0, valid: true, error: null, bytes: EMPTY,
    prefixes: { count: 0, lock: false, rep: 0, segment: 0, operandSize: false, addressSize: false, mandatory: 0, vex: null },
    map: 'primary', opcode: 0, modrm: -1, sib: -1, displacement: 0, displacementSize: 0,
    immediate: 0, immediateSize: 0, immediate2: 0, immediate2Size: 0, operandSize: 32,
    addressSize: 32, mnemonic: '', operands: [], entry: null,
  };
}

/**
 * Decodes the instruction at `bytes[offset]`, which the caller says lives at `address`
 * (branch targets are computed from it). Never throws.
 */
export function decode(bytes: Uint8Array, offset: number, address: number): DecodedInstruction {
  const insn = newDecodedInstruction();
  const valid = decodeInto(insn, bytes, offset, address);
  insn.bytes = bytes.subarray(offset, offset + insn.length);
  if (valid) {
    const operands = buildOperands(insn, insn.entry!);
    if (typeof operands === 'string') {
      insn.valid = false;
      insn.error = operands;
      insn.mnemonic = '(bad)';
      insn.entry = null;
    } else insn.operands = operands;
  }
  return insn;
}

/**
 * Decodes into a caller-owned result without building operand objects: the fast path for
 * scanning whole sections, where only lengths and table facts are read. Returns `insn.valid`.
 * `insn.operands` is left empty and `insn.bytes` is not set; call decode() when they are wanted.
 */
export function decodeInto(insn: DecodedInstruction, bytes: Uint8Array, offset: number, address: number): boolean {
  // One cursor serves every call: decoding is synchronous, and this keeps the hot path allocation-free.
  const c = CURSOR;
  c.bytes = bytes; c.start = offset; c.pos = offset; c.truncated = false;
  c.limit = Math.min(bytes.length, offset + MAX_INSTRUCTION_LENGTH);
  const p = insn.prefixes;
  p.count = 0; p.lock = false; p.rep = 0; p.segment = 0; p.operandSize = false; p.addressSize = false; p.mandatory = 0; p.vex = null;
  insn.address = address >>> 0; insn.valid = true; insn.error = null; insn.operands = NO_OPERANDS;
  insn.modrm = -1; insn.sib = -1; insn.displacement = 0; insn.displacementSize = 0;
  insn.immediate = 0; insn.immediateSize = 0; insn.immediate2 = 0; insn.immediate2Size = 0;
  insn.map = 'primary'; insn.entry = null;
  if (offset < 0 || offset >= bytes.length) return fail(insn, c, 'no bytes to decode');
  readPrefixes(c, p);
  let map: OpcodeMapId = 'primary';
  let opcode = next(c);
  if (opcode === 0x0f) {
    map = '0f';
    opcode = next(c);
    if (opcode === 0x38 || opcode === 0x3a) {
      map = opcode === 0x38 ? '0f38' : '0f3a';
      opcode = next(c);
    }
  } else if ((opcode === 0xc4 || opcode === 0xc5) && c.pos < c.limit && (bytes[c.pos]! & 0xc0) === 0xc0) {
    const vexMap = readVex(c, opcode, p);
    opcode = next(c);
    if (vexMap.length > 8) return fail(insn, c, vexMap);
    map = vexMap as OpcodeMapId;
  }
  insn.map = map;
  insn.opcode = opcode;
  if (c.truncated) return fail(insn, c, 'truncated instruction');
  const slot = map === 'primary' ? PRIMARY[opcode]! : map === '0f' ? TWO_BYTE[opcode]! : slotFor(map, opcode);
  if (slot === null) return fail(insn, c, `reserved opcode ${describeOpcode(map, opcode)}`);
  let modrm = -1;
  if (slot.hasModrm) {
    modrm = next(c);
    insn.modrm = modrm;
  }
  const entry = selectEntry(slot, p, modrm < 0 ? 0 : modrm);
  if (entry === null) {
    const detail = modrm >= 0 ? ` with ModRM ${modrm.toString(16).padStart(2, '0')} (reg ${(modrm >> 3) & 7})` : '';
    return fail(insn, c, `no instruction ${describeOpcode(map, opcode)}${detail} under these prefixes`);
  }
  if (entry.mandatory > 0) p.mandatory = entry.mandatory;
  insn.entry = entry;
  insn.operandSize = effectiveOperandSize(entry, p);
  insn.addressSize = p.addressSize ? 16 : 32;
  const bits = ENTRY_BITS[entry.id]!;
  if (modrm >= 0 && modrm < 0xc0 && (bits & 1) === 0) readAddressing(c, insn, modrm);
  const layout = IMMEDIATES[entry.id * 4 + (insn.operandSize === 32 ? 2 : 0) + (p.addressSize ? 0 : 1)]!;
  if (layout !== 0) readImmediates(c, insn, layout);
  if (c.truncated) return fail(insn, c, 'truncated instruction');
  insn.length = c.pos - offset;
  insn.mnemonic = entry.mnemonic;
  if (p.lock && (!entry.lockable || modrm < 0 || modrm >> 6 === 3)) {
    return fail(insn, c, `LOCK prefix is not allowed on ${entry.mnemonic}${entry.lockable ? ' with a register destination' : ''}`);
  }
  if (entry.vsib !== null) {
    const why = vsibProblem(insn, modrm);
    if (why !== null) return fail(insn, c, why);
  }
  const vex = p.vex as VexFields | null;
  if (vex !== null && vex.vvvvRaw !== 0 && (bits & 2) === 0) {
    return fail(insn, c, 'VEX.vvvv must be 1111b when it names no register');
  }
  return true;
}

/**
 * decodeInto with decode()'s verdict on validity: operands are built (and dropped) only for the
 * entries whose operands can fail to build, so scanning stays allocation-free for the rest.
 * `insn.operands` is left empty and `insn.bytes` is not set, as with decodeInto.
 */
export function decodeIntoChecked(insn: DecodedInstruction, bytes: Uint8Array, offset: number, address: number): boolean {
  if (!decodeInto(insn, bytes, offset, address)) return false;
  const entry = insn.entry!;
  if ((ENTRY_BITS[entry.id]! & 4) === 0) return true;
  const operands = buildOperands(insn, entry);
  if (typeof operands !== 'string') return true;
  insn.valid = false;
  insn.error = operands;
  insn.mnemonic = '(bad)';
  insn.entry = null;
  return false;
}

/** Why a gather's VSIB encoding is #UD, or null when it is valid. */
function vsibProblem(insn: DecodedInstruction, modrm: number): string | null {
  if (insn.addressSize === 16 || insn.sib < 0) return 'a gather needs a 32-bit SIB (VSIB) address';
  const destination = (modrm >> 3) & 7;
  const index = (insn.sib >> 3) & 7;
  const mask = insn.prefixes.vex!.vvvv;
  if (destination === index || destination === mask || index === mask) {
    return 'a gather\'s destination, index and mask registers must all differ';
  }
  return null;
}

/** Reads SIB and displacement for a memory ModRM (mod != 3). */
function readAddressing(c: Cursor, insn: DecodedInstruction, modrm: number): void {
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (insn.addressSize === 16) {
    if (mod === 1) setDisplacement(insn, readValue(c, 1, true), 1);
    else if (mod === 2 || (mod === 0 && rm === 6)) setDisplacement(insn, readValue(c, 2, mod === 2), 2);
    return;
  }
  let base = rm;
  if (rm === 4) {
    const sib = next(c);
    insn.sib = sib;
    base = sib & 7;
  }
  if (mod === 1) setDisplacement(insn, readValue(c, 1, true), 1);
  else if (mod === 2 || base === 5) setDisplacement(insn, readValue(c, 4, true), 4);
}

function setDisplacement(insn: DecodedInstruction, value: number, size: 1 | 2 | 4): void {
  insn.displacement = value;
  insn.displacementSize = size;
}

function readImmediates(c: Cursor, insn: DecodedInstruction, layout: number): void {
  const moffs = layout & 7;
  const first = (layout >> 3) & 7;
  const second = layout >> 7;
  if (moffs) setDisplacement(insn, readValue(c, moffs, false), moffs as 2 | 4);
  if (first) {
    insn.immediate = readValue(c, first, (layout & 0x40) !== 0);
    insn.immediateSize = first as 1 | 2 | 4;
  }
  if (second) {
    insn.immediate2 = readValue(c, second, false);
    insn.immediate2Size = second as 1 | 2;
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
