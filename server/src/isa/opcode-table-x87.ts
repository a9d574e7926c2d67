// The x87 escape opcodes D8-DF (Intel SDM Vol. 2 Tables) as decoded in 32-bit mode:
// a memory form per ModRM.reg (`D8 /0 mem`), a register form per fixed ModRM range (`D8 C0+i`:
// mod = 3, reg fixed by the byte, rm = i) and single fixed ModRM bytes (`D9 E8`).
// AT&T spellings are objdump 2.40's: the memory operand's format is in the mnemonic (flds, fildll),
// and the DC/DE register forms of fsub/fsubr and fdiv/fdivr swap names, as GNU as has always done.

import { op, type OpcodeRow, type RowFacts } from './opcode-row-schema';
import { hex2 } from './opcode-table-flags';

/** Facts every x87 row shares: the spelling is complete in `att`, objdump adds no suffix. */
const X87: RowFacts = { ext: 'X87', suffix: 'never' };
/** fcomi/fucomi and their popping forms set ZF PF CF from the compare and clear OF SF AF. */
const COMPARE_TO_EFLAGS: RowFacts = { ...X87, ext: 'P6', flags: { w: 'OSZAPC' } };

/**
 * The undocumented register aliases: CPUs and iced-x86 decode them, objdump 2.40 does not know
 * them and prints `(bad)` over the same two bytes, so the formatters do too.
 */
const ALIAS: RowFacts = { undocumented: true, objdumpBad: true };
const ALIAS_NOTE = 'undocumented alias decoded by CPUs and iced-x86; objdump 2.40 prints (bad)';
/** The environment and state forms: a 66 prefix selects the 16-bit layout (fldenvs/fldenvw). */
const ENV16: RowFacts = { suffix: 'env16' };

interface MemoryForm {
  m: string;
  att: string;
  ops: string;
  facts?: RowFacts;
}

/** Eight memory forms of one escape byte, /0 to /7; `null` marks an invalid ModRM.reg. */
function memoryRows(escape: number, forms: ReadonlyArray<MemoryForm | null>): OpcodeRow[] {
  const rows: OpcodeRow[] = [];
  forms.forEach((form, reg) => {
    if (form === null) return;
    rows.push(op(`${hex2(escape)} /${reg} mem`, form.m, form.ops, { ...X87, att: form.att, ...form.facts }));
  });
  return rows;
}

/**
 * The arithmetic group shared by D8 (m32fp), DC (m64fp), DA (m32int) and DE (m16int): the
 * operation order is add, mul, com, comp, sub, subr, div, divr. `prefix` is `f` or `fi`.
 */
function arithmeticMemoryRows(escape: number, prefix: 'f' | 'fi', ops: string, suffix: string): OpcodeRow[] {
  const names = ['add', 'mul', 'com', 'comp', 'sub', 'subr', 'div', 'divr'];
  return memoryRows(escape, names.map((n) => ({ m: `${prefix}${n}`, att: `${prefix}${n}${suffix}`, ops })));
}

/** A register form over eight consecutive ModRM bytes starting at `first` (mod = 3). */
function stackRow(escape: number, first: number, m: string, ops: string, facts: RowFacts = {}): OpcodeRow {
  return op(`${hex2(escape)} ${hex2(first)}+i`, m, ops, { ...X87, ...facts });
}

/** A form with one fixed ModRM byte and no operand (or a fixed one). */
function fixedRow(escape: number, modrm: number, m: string, ops = '', facts: RowFacts = {}): OpcodeRow {
  return op(`${hex2(escape)} ${hex2(modrm)}`, m, ops, { ...X87, ...facts });
}

/** The D9 register forms without operands, E0-FF, in ModRM order; `null` is invalid. */
const D9_CONSTANTS_AND_FUNCTIONS: ReadonlyArray<string | null> = [
  'fchs', 'fabs', null, null, 'ftst', 'fxam', null, null,
  'fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz', null,
  'f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fxtract', 'fprem1', 'fdecstp', 'fincstp',
  'fprem', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint', 'fscale', 'fsin', 'fcos',
];

/** fcmovcc: DA has b/e/be/u, DB their negations; each reads the flags of its condition. */
const FCMOV = [
  { cc: 'b', reads: 'C' },
  { cc: 'e', reads: 'Z' },
  { cc: 'be', reads: 'CZ' },
  { cc: 'u', reads: 'P' },
] as const;

function d8Rows(): OpcodeRow[] {
  return [
    ...arithmeticMemoryRows(0xd8, 'f', 'Msr', 's'),
    stackRow(0xd8, 0xc0, 'fadd', 'ST0,STi'),
    stackRow(0xd8, 0xc8, 'fmul', 'ST0,STi'),
    stackRow(0xd8, 0xd0, 'fcom', 'STi'),
    stackRow(0xd8, 0xd8, 'fcomp', 'STi'),
    stackRow(0xd8, 0xe0, 'fsub', 'ST0,STi'),
    stackRow(0xd8, 0xe8, 'fsubr', 'ST0,STi'),
    stackRow(0xd8, 0xf0, 'fdiv', 'ST0,STi'),
    stackRow(0xd8, 0xf8, 'fdivr', 'ST0,STi'),
  ];
}

function d9Rows(): OpcodeRow[] {
  const rows = [
    ...memoryRows(0xd9, [
      { m: 'fld', att: 'flds', ops: 'Msr' },
      null,
      { m: 'fst', att: 'fsts', ops: 'Msr' },
      { m: 'fstp', att: 'fstps', ops: 'Msr' },
      // With a 66 prefix the environment is the 14-byte 16-bit one: objdump says fldenvs/fldenvw.
      { m: 'fldenv', att: 'fldenv', ops: 'Menv', facts: ENV16 },
      { m: 'fldcw', att: 'fldcw', ops: 'Mw' },
      { m: 'fnstenv', att: 'fnstenv', ops: 'Menv', facts: ENV16 },
      { m: 'fnstcw', att: 'fnstcw', ops: 'Mw' },
    ]),
    stackRow(0xd9, 0xc0, 'fld', 'STi'),
    stackRow(0xd9, 0xc8, 'fxch', 'STi'),
    fixedRow(0xd9, 0xd0, 'fnop'),
    stackRow(0xd9, 0xd8, 'fstp', 'STi', { ...ALIAS, note: `D9 D8+i: ${ALIAS_NOTE} (fstp1)` }),
  ];
  D9_CONSTANTS_AND_FUNCTIONS.forEach((m, i) => {
    if (m !== null) rows.push(fixedRow(0xd9, 0xe0 + i, m));
  });
  return rows;
}

function daRows(): OpcodeRow[] {
  return [
    ...arithmeticMemoryRows(0xda, 'fi', 'Mdi', 'l'),
    ...FCMOV.map(({ cc, reads }, i) =>
      stackRow(0xda, 0xc0 + 8 * i, `fcmov${cc}`, 'ST0,STi', { ext: 'P6', flags: { r: reads } }),
    ),
    fixedRow(0xda, 0xe9, 'fucompp'),
  ];
}

function dbRows(): OpcodeRow[] {
  return [
    ...memoryRows(0xdb, [
      { m: 'fild', att: 'fildl', ops: 'Mdi' },
      { m: 'fisttp', att: 'fisttpl', ops: 'Mdi', facts: { ext: 'SSE3' } },
      { m: 'fist', att: 'fistl', ops: 'Mdi' },
      { m: 'fistp', att: 'fistpl', ops: 'Mdi' },
      null,
      { m: 'fld', att: 'fldt', ops: 'Mer' },
      null,
      { m: 'fstp', att: 'fstpt', ops: 'Mer' },
    ]),
    ...FCMOV.map(({ cc, reads }, i) =>
      stackRow(0xdb, 0xc0 + 8 * i, `fcmovn${cc}`, 'ST0,STi', { ext: 'P6', flags: { r: reads } }),
    ),
    // 8087/287 control forms that later FPUs execute as no-ops; objdump names them this way.
    fixedRow(0xdb, 0xe0, 'fneni', '', { objdumpRemark: '(8087 only)', note: '8087 only; a no-op since the 387' }),
    fixedRow(0xdb, 0xe1, 'fndisi', '', { objdumpRemark: '(8087 only)', note: '8087 only; a no-op since the 387' }),
    fixedRow(0xdb, 0xe2, 'fnclex'),
    fixedRow(0xdb, 0xe3, 'fninit'),
    fixedRow(0xdb, 0xe4, 'fnsetpm', '', { objdumpRemark: '(287 only)', note: '287 only; a no-op since the 387' }),
    stackRow(0xdb, 0xe8, 'fucomi', 'ST0,STi', COMPARE_TO_EFLAGS),
    stackRow(0xdb, 0xf0, 'fcomi', 'ST0,STi', COMPARE_TO_EFLAGS),
  ];
}

function dcRows(): OpcodeRow[] {
  return [
    ...arithmeticMemoryRows(0xdc, 'f', 'Mdr', 'l'),
    stackRow(0xdc, 0xc0, 'fadd', 'STi,ST0'),
    stackRow(0xdc, 0xc8, 'fmul', 'STi,ST0'),
    stackRow(0xdc, 0xd0, 'fcom', 'STi', { ...ALIAS, note: `DC D0+i: ${ALIAS_NOTE} (fcom2)` }),
    stackRow(0xdc, 0xd8, 'fcomp', 'STi', { ...ALIAS, note: `DC D8+i: ${ALIAS_NOTE} (fcomp3)` }),
    // AT&T swaps the names of the reversed forms when the destination is st(i).
    stackRow(0xdc, 0xe0, 'fsubr', 'STi,ST0', { att: 'fsub' }),
    stackRow(0xdc, 0xe8, 'fsub', 'STi,ST0', { att: 'fsubr' }),
    stackRow(0xdc, 0xf0, 'fdivr', 'STi,ST0', { att: 'fdiv' }),
    stackRow(0xdc, 0xf8, 'fdiv', 'STi,ST0', { att: 'fdivr' }),
  ];
}

function ddRows(): OpcodeRow[] {
  return [
    ...memoryRows(0xdd, [
      { m: 'fld', att: 'fldl', ops: 'Mdr' },
      { m: 'fisttp', att: 'fisttpll', ops: 'Mqi', facts: { ext: 'SSE3' } },
      { m: 'fst', att: 'fstl', ops: 'Mdr' },
      { m: 'fstp', att: 'fstpl', ops: 'Mdr' },
      // With a 66 prefix the state is the 94-byte 16-bit one: objdump says frstors/fnsaves.
      { m: 'frstor', att: 'frstor', ops: 'Mfst', facts: ENV16 },
      null,
      { m: 'fnsave', att: 'fnsave', ops: 'Mfst', facts: ENV16 },
      { m: 'fnstsw', att: 'fnstsw', ops: 'Mw' },
    ]),
    stackRow(0xdd, 0xc0, 'ffree', 'STi'),
    stackRow(0xdd, 0xc8, 'fxch', 'STi', { ...ALIAS, note: `DD C8+i: ${ALIAS_NOTE} (fxch4)` }),
    stackRow(0xdd, 0xd0, 'fst', 'STi'),
    stackRow(0xdd, 0xd8, 'fstp', 'STi'),
    stackRow(0xdd, 0xe0, 'fucom', 'STi'),
    stackRow(0xdd, 0xe8, 'fucomp', 'STi'),
  ];
}

function deRows(): OpcodeRow[] {
  return [
    ...arithmeticMemoryRows(0xde, 'fi', 'Mwi', 's'),
    stackRow(0xde, 0xc0, 'faddp', 'STi,ST0'),
    stackRow(0xde, 0xc8, 'fmulp', 'STi,ST0'),
    stackRow(0xde, 0xd0, 'fcomp', 'STi', { ...ALIAS, note: `DE D0+i: ${ALIAS_NOTE} (fcomp5)` }),
    fixedRow(0xde, 0xd9, 'fcompp'),
    stackRow(0xde, 0xe0, 'fsubrp', 'STi,ST0', { att: 'fsubp' }),
    stackRow(0xde, 0xe8, 'fsubp', 'STi,ST0', { att: 'fsubrp' }),
    stackRow(0xde, 0xf0, 'fdivrp', 'STi,ST0', { att: 'fdivp' }),
    stackRow(0xde, 0xf8, 'fdivp', 'STi,ST0', { att: 'fdivrp' }),
  ];
}

function dfRows(): OpcodeRow[] {
  return [
    ...memoryRows(0xdf, [
      { m: 'fild', att: 'filds', ops: 'Mwi' },
      { m: 'fisttp', att: 'fisttps', ops: 'Mwi', facts: { ext: 'SSE3' } },
      { m: 'fist', att: 'fists', ops: 'Mwi' },
      { m: 'fistp', att: 'fistps', ops: 'Mwi' },
      { m: 'fbld', att: 'fbld', ops: 'Mbcd' },
      { m: 'fild', att: 'fildll', ops: 'Mqi' },
      { m: 'fbstp', att: 'fbstp', ops: 'Mbcd' },
      { m: 'fistp', att: 'fistpll', ops: 'Mqi' },
    ]),
    // ffreep is not in Intel's manual but every CPU since the 287 executes it; objdump knows it.
    stackRow(0xdf, 0xc0, 'ffreep', 'STi', { undocumented: true, note: 'ffree then pop; decoded by objdump' }),
    stackRow(0xdf, 0xc8, 'fxch', 'STi', { ...ALIAS, note: `DF C8+i: ${ALIAS_NOTE} (fxch7)` }),
    stackRow(0xdf, 0xd0, 'fstp', 'STi', { ...ALIAS, note: `DF D0+i: ${ALIAS_NOTE} (fstp8)` }),
    stackRow(0xdf, 0xd8, 'fstp', 'STi', { ...ALIAS, note: `DF D8+i: ${ALIAS_NOTE} (fstp9)` }),
    fixedRow(0xdf, 0xe0, 'fnstsw', 'AX'),
    stackRow(0xdf, 0xe8, 'fucomip', 'ST0,STi', COMPARE_TO_EFLAGS),
    stackRow(0xdf, 0xf0, 'fcomip', 'ST0,STi', COMPARE_TO_EFLAGS),
  ];
}

export const X87_ROWS: OpcodeRow[] = [
  ...d8Rows(),
  ...d9Rows(),
  ...daRows(),
  ...dbRows(),
  ...dcRows(),
  ...ddRows(),
  ...deRows(),
  ...dfRows(),
];
