// Turns the declarative rows of the opcode table into entries and per-opcode dispatch slots.
//
// This is the only place that reads the `enc` strings. It runs once when the module loads; a row
// it cannot parse is reported in `errors` (a test requires none) and left out, never thrown.

import type { OpcodeRow } from './opcode-row-schema';
import type { LegacyMap, MandatoryPrefix, OpcodeEntry, VexRequirement } from './opcode-entry';
import { parseOperandCode, type OperandCode } from './operand-codes';
import {
  KERNEL_DECODER_MISSES_MODRM, KERNEL_TWO_BYTE_BOOSTABLE_2_6_18, KERNEL_TWO_BYTE_BOOSTABLE_6_1,
} from './opcode-table-kernel-facts';

/** The candidates of one opcode byte in one map, most specific first. */
export interface OpcodeSlot {
  hasModrm: boolean;
  candidates: OpcodeEntry[];
  /** The entry when the slot holds one that every encoding matches (no prefix, ModRM or size condition). */
  direct: OpcodeEntry | null;
  /** For groups whose entries differ only by ModRM.reg: the entry per reg value (null = reserved). */
  byReg: Array<OpcodeEntry | null> | null;
}

function unconditional(e: OpcodeEntry): boolean {
  return e.mandatory === -1 && e.reg < 0 && e.mod === 'any' && e.rm < 0 && e.osize === 0 && e.asize === 0 && e.vex === null;
}

/** Fills the slot's shortcuts, which selectEntry takes before walking the candidates. */
function indexSlot(slot: OpcodeSlot): void {
  const c = slot.candidates;
  if (c.length === 1 && unconditional(c[0]!)) slot.direct = c[0]!;
  const onlyReg = c.length > 1 && c.every((e) => e.reg >= 0 && unconditional({ ...e, reg: -1 }));
  if (onlyReg && new Set(c.map((e) => e.reg)).size === c.length) {
    slot.byReg = new Array<OpcodeEntry | null>(8).fill(null);
    for (const e of c) slot.byReg[e.reg] = e;
  }
}

export type VexMap = '0f' | '0f38' | '0f3a';

export interface CompiledOpcodeTable {
  entries: OpcodeEntry[];
  legacy: Record<LegacyMap, Array<OpcodeSlot | null>>;
  vex: Record<VexMap, Array<OpcodeSlot | null>>;
  errors: string[];
}

const EFLAGS_BITS: Record<string, number> = {
  C: 1 << 0, P: 1 << 2, A: 1 << 4, Z: 1 << 6, S: 1 << 7, T: 1 << 8, I: 1 << 9, D: 1 << 10,
  O: 1 << 11, L: 3 << 12, N: 1 << 14, R: 1 << 16, K: 1 << 18, J: 1 << 21,
};

function flagMask(letters: string | undefined): number {
  let mask = 0;
  for (const letter of letters ?? '') mask |= EFLAGS_BITS[letter] ?? 0;
  return mask;
}

/** SDM group names by map and opcode byte. */
const GROUPS: Record<string, string> = {
  'primary:80': 'Grp1', 'primary:81': 'Grp1', 'primary:82': 'Grp1', 'primary:83': 'Grp1',
  'primary:8f': 'Grp1A', 'primary:c0': 'Grp2', 'primary:c1': 'Grp2', 'primary:d0': 'Grp2',
  'primary:d1': 'Grp2', 'primary:d2': 'Grp2', 'primary:d3': 'Grp2', 'primary:f6': 'Grp3',
  'primary:f7': 'Grp3', 'primary:fe': 'Grp4', 'primary:ff': 'Grp5', 'primary:c6': 'Grp11',
  'primary:c7': 'Grp11', '0f:00': 'Grp6', '0f:01': 'Grp7', '0f:ba': 'Grp8', '0f:c7': 'Grp9',
  '0f:b9': 'Grp10', '0f:71': 'Grp12', '0f:72': 'Grp13', '0f:73': 'Grp14', '0f:ae': 'Grp15',
  '0f:18': 'Grp16', 'vex0f38:f3': 'Grp17',
  // D8-DF: the SDM's "escape to coprocessor instruction set".
  'primary:d8': 'Esc', 'primary:d9': 'Esc', 'primary:da': 'Esc', 'primary:db': 'Esc',
  'primary:dc': 'Esc', 'primary:dd': 'Esc', 'primary:de': 'Esc', 'primary:df': 'Esc',
};

/** ModRM-bearing addressing methods. */
const MODRM_METHODS = new Set(['C', 'D', 'E', 'G', 'M', 'N', 'P', 'Q', 'R', 'S', 'U', 'V', 'W']);

interface ParsedEncoding {
  map: LegacyMap;
  vex: VexRequirement | null;
  mandatory: MandatoryPrefix;
  opcode: number;
  opcodeRegister: boolean;
  modrmToken: boolean;
  reg: number;
  mod: 'any' | 'mem' | 'reg';
  rm: number;
}

const HEX_BYTE = /^[0-9A-F]{2}$/;

function parseVexToken(token: string): { vex: VexRequirement; map: LegacyMap } | string {
  const parts = token.split('.');
  if (parts.length !== 5 || parts[0] !== 'VEX') return `bad VEX token '${token}'`;
  const [, l, pp, map, w] = parts as [string, string, string, string, string];
  const lMap: Record<string, -1 | 0 | 1> = { '128': 0, L0: 0, LZ: 0, '256': 1, L1: 1, LIG: -1 };
  const ppMap: Record<string, 0 | 0x66 | 0xf3 | 0xf2> = { NP: 0, '66': 0x66, F3: 0xf3, F2: 0xf2 };
  const mapMap: Record<string, LegacyMap> = { '0F': '0f', '0F38': '0f38', '0F3A': '0f3a' };
  const wMap: Record<string, -1 | 0 | 1> = { W0: 0, W1: 1, WIG: -1 };
  if (!(l in lMap) || !(pp in ppMap) || !(map in mapMap) || !(w in wMap)) return `bad VEX token '${token}'`;
  return { vex: { l: lMap[l]!, pp: ppMap[pp]!, w: wMap[w]! }, map: mapMap[map]! };
}

function parseEncoding(enc: string): ParsedEncoding | string {
  const tokens = enc.trim().split(/\s+/);
  const result: ParsedEncoding = {
    map: 'primary', vex: null, mandatory: -1, opcode: -1, opcodeRegister: false,
    modrmToken: false, reg: -1, mod: 'any', rm: -1,
  };
  let i = 0;
  const first = tokens[0] ?? '';
  if (first.startsWith('VEX.')) {
    const vex = parseVexToken(first);
    if (typeof vex === 'string') return vex;
    result.vex = vex.vex;
    result.map = vex.map;
    i = 1;
  } else {
    const prefixes: Record<string, MandatoryPrefix> = { NP: 0, '66': 0x66, F3: 0xf3, F2: 0xf2 };
    if (first in prefixes && tokens.length > 1 && /^[0-9A-F]{2}/.test(tokens[1] ?? '')) {
      result.mandatory = prefixes[first]!;
      i = 1;
    }
    if (tokens[i] === '0F') {
      result.map = '0f';
      i++;
      if (tokens[i] === '38' || tokens[i] === '3A') {
        result.map = tokens[i] === '38' ? '0f38' : '0f3a';
        i++;
      }
    }
  }
  const opcodeToken = tokens[i++] ?? '';
  const opcodeMatch = /^([0-9A-F]{2})(\+r)?$/.exec(opcodeToken);
  if (!opcodeMatch) return `bad opcode byte '${opcodeToken}' in '${enc}'`;
  result.opcode = parseInt(opcodeMatch[1]!, 16);
  result.opcodeRegister = opcodeMatch[2] !== undefined;
  const modrmToken = tokens[i];
  if (modrmToken !== undefined) {
    const digit = /^\/([0-7r])$/.exec(modrmToken);
    const fixed = /^([0-9A-F]{2})(\+i)?$/.exec(modrmToken);
    if (digit) {
      result.modrmToken = true;
      if (digit[1] !== 'r') result.reg = Number(digit[1]);
      i++;
    } else if (fixed && HEX_BYTE.test(fixed[1]!)) {
      const byte = parseInt(fixed[1]!, 16);
      if (byte < 0xc0) return `fixed ModRM byte below C0 in '${enc}'`;
      result.modrmToken = true;
      result.mod = 'reg';
      result.reg = (byte >> 3) & 7;
      if (fixed[2] === undefined) result.rm = byte & 7;
      else if ((byte & 7) !== 0) return `'+i' needs a ModRM byte with rm = 0 in '${enc}'`;
      i++;
    }
  }
  const restriction = tokens[i];
  if (restriction === 'mem' || restriction === 'reg') {
    if (!result.modrmToken) return `'${restriction}' without a ModRM token in '${enc}'`;
    result.mod = restriction;
    i++;
  }
  for (; i < tokens.length; i++) {
    if (!/^(ib|iw|id|iz|iv|cb|cw|cd|cz|cp)$/.test(tokens[i]!)) return `unexpected token '${tokens[i]}' in '${enc}'`;
  }
  return result;
}

function parseOperands(text: string | undefined): OperandCode[] | string {
  if (!text) return [];
  const codes: OperandCode[] = [];
  for (const part of text.split(',')) {
    const code = parseOperandCode(part.trim());
    if (typeof code === 'string') return code;
    codes.push(code);
  }
  return codes;
}

function specificity(e: OpcodeEntry): number {
  return (
    (e.mandatory !== -1 ? 64 : 0) +
    (e.rm >= 0 ? 32 : 0) +
    (e.mod !== 'any' ? 16 : 0) +
    (e.reg >= 0 ? 8 : 0) +
    (e.osize || e.asize ? 4 : 0) +
    (e.vex && e.vex.l !== -1 ? 2 : 0) +
    (e.vex && e.vex.w !== -1 ? 1 : 0)
  );
}

function compileRow(row: OpcodeRow, id: number): OpcodeEntry | string {
  const enc = parseEncoding(row.enc);
  if (typeof enc === 'string') return enc;
  const operands = parseOperands(row.ops);
  if (typeof operands === 'string') return `${operands} (row '${row.enc}' ${row.m})`;
  const needsModrm = operands.some((o) => o.kind === 'method' && MODRM_METHODS.has(o.method))
    || operands.some((o) => o.kind === 'fixed' && o.name === 'STi' && !enc.opcodeRegister);
  if (needsModrm && !enc.modrmToken && enc.vex === null) return `operands need ModRM but '${row.enc}' has none`;
  const hasModrm = enc.modrmToken || (enc.vex !== null && needsModrm);
  const flow = row.flow ?? null;
  const target = operands[0];
  const isBranch = flow === 'jmp' || flow === 'call' || flow === 'jcc' || flow === 'loop';
  const relative = operands.some((o) => o.kind === 'method' && o.method === 'J');
  const indirect = isBranch && target?.kind === 'method' && (target.method === 'E' || target.method === 'M');
  const far = row.far === true || operands.some((o) => o.kind === 'method' && (o.method === 'A' || (o.method === 'M' && o.size === 'p')));
  const written = flagMask(row.flags?.w);
  const vexKey = enc.vex ? `vex${enc.map}` : enc.map;
  const twoByte = enc.vex === null && enc.map === '0f';
  return {
    id,
    row,
    mnemonic: row.m,
    att: row.att ?? row.m,
    operands,
    map: enc.map,
    vex: enc.vex,
    opcode: enc.opcode,
    opcodeRegister: enc.opcodeRegister,
    mandatory: enc.mandatory,
    hasModrm,
    reg: enc.reg,
    mod: enc.mod,
    rm: enc.rm,
    osize: row.osize ?? 0,
    asize: row.asize ?? 0,
    flow,
    relative,
    indirect: !!indirect,
    far: far && (flow === 'jmp' || flow === 'call' || flow === 'ret'),
    flagsRead: flagMask(row.flags?.r),
    flagsWritten: written,
    flagsUndefined: flagMask(row.flags?.u),
    writesIF: (written & EFLAGS_BITS.I!) !== 0,
    writesTF: (written & EFLAGS_BITS.T!) !== 0,
    lockable: row.lock === true,
    rep: row.rep ?? null,
    suffix: row.suffix ?? 'auto',
    ext: row.ext ?? 'OTHER',
    privileged: row.privileged === true,
    undocumented: row.undocumented === true,
    vsib: row.vsib ?? null,
    kernelTwoByteBoostable2618: twoByte && KERNEL_TWO_BYTE_BOOSTABLE_2_6_18.has(enc.opcode),
    kernelTwoByteBoostable61: twoByte && KERNEL_TWO_BYTE_BOOSTABLE_6_1.has(enc.opcode),
    kernelDecoderMissesModrm: twoByte && KERNEL_DECODER_MISSES_MODRM.has(enc.opcode),
    group: GROUPS[`${vexKey}:${enc.opcode.toString(16).padStart(2, '0')}`] ?? null,
  };
}

function emptyMap(): Array<OpcodeSlot | null> {
  return new Array<OpcodeSlot | null>(256).fill(null);
}

/** Compiles rows into entries and dispatch slots. */
export function compileOpcodeTable(rows: readonly OpcodeRow[]): CompiledOpcodeTable {
  const table: CompiledOpcodeTable = {
    entries: [],
    legacy: { primary: emptyMap(), '0f': emptyMap(), '0f38': emptyMap(), '0f3a': emptyMap() },
    vex: { '0f': emptyMap(), '0f38': emptyMap(), '0f3a': emptyMap() },
    errors: [],
  };
  for (const row of rows) {
    const entry = compileRow(row, table.entries.length);
    if (typeof entry === 'string') {
      table.errors.push(entry);
      continue;
    }
    table.entries.push(entry);
    const slots = entry.vex ? table.vex[entry.map as VexMap] : table.legacy[entry.map];
    const span = entry.opcodeRegister ? 8 : 1;
    for (let k = 0; k < span; k++) {
      const byte = entry.opcode + k;
      const slot = (slots[byte] ??= { hasModrm: entry.hasModrm, candidates: [], direct: null, byReg: null });
      if (slot.hasModrm !== entry.hasModrm) {
        table.errors.push(`rows of ${entry.map} ${byte.toString(16)} disagree on ModRM presence ('${row.enc}')`);
        continue;
      }
      slot.candidates.push(entry);
    }
  }
  for (const slots of [...Object.values(table.legacy), ...Object.values(table.vex)]) {
    for (const slot of slots) {
      if (slot === null) continue;
      slot.candidates.sort((a, b) => specificity(b) - specificity(a) || a.id - b.id);
      indexSlot(slot);
    }
  }
  return table;
}
