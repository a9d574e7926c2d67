// The one-byte opcode map (Intel SDM Vol. 2 Table A-2) with its groups 1, 1A, 2, 3, 4, 5 and 11,
// as decoded in 32-bit protected mode. Prefix bytes (26 2E 36 3E 64 65 66 67 F0 F2 F3), the 0F
// escape, VEX (C4/C5 with ModRM.mod == 3) and the x87 escapes D8-DF live elsewhere.

import { op, type OpcodeRow } from './opcode-row-schema';
import {
  ARITH, ARITH_CARRY, CONDITIONS, DIVIDE, INC_DEC, INTERRUPT, LOGIC, MULTIPLY, ROTATE, ROTATE_CARRY,
  SHIFT, STRING, STRING_COMPARE, WRITES_ALL, ALL_FLAGS, hex2,
} from './opcode-table-flags';

/** The eight ALU operations of rows 00-3F and of Grp1, in encoding order. */
const ALU = [
  { m: 'add', flags: ARITH, lock: true },
  { m: 'or', flags: LOGIC, lock: true },
  { m: 'adc', flags: ARITH_CARRY, lock: true },
  { m: 'sbb', flags: ARITH_CARRY, lock: true },
  { m: 'and', flags: LOGIC, lock: true },
  { m: 'sub', flags: ARITH, lock: true },
  { m: 'xor', flags: LOGIC, lock: true },
  { m: 'cmp', flags: ARITH, lock: false },
] as const;

function aluRows(): OpcodeRow[] {
  const rows: OpcodeRow[] = [];
  ALU.forEach(({ m, flags, lock }, i) => {
    const base = i * 8;
    const locked = lock ? { lock: true as const } : {};
    rows.push(
      op(`${hex2(base)} /r`, m, 'Eb,Gb', { flags, ...locked, ext: '8086' }),
      op(`${hex2(base + 1)} /r`, m, 'Ev,Gv', { flags, ...locked, ext: '8086' }),
      op(`${hex2(base + 2)} /r`, m, 'Gb,Eb', { flags, ext: '8086' }),
      op(`${hex2(base + 3)} /r`, m, 'Gv,Ev', { flags, ext: '8086' }),
      op(`${hex2(base + 4)} ib`, m, 'AL,Ib', { flags, ext: '8086' }),
      op(`${hex2(base + 5)} iz`, m, 'eAX,Iz', { flags, ext: '8086' }),
      op(`80 /${i} ib`, m, 'Eb,Ib', { flags, ...locked, ext: '8086' }),
      op(`81 /${i} iz`, m, 'Ev,Iz', { flags, ...locked, ext: '8086' }),
      // 82 is an alias of 80, valid outside 64-bit mode.
      op(`82 /${i} ib`, m, 'Eb,Ib', { flags, ...locked, ext: '8086', note: '82 is an undocumented alias of 80' }),
      op(`83 /${i} ib`, m, 'Ev,Ibs', { flags, ...locked, ext: '8086' }),
    );
  });
  return rows;
}

const SHIFTS = [
  { m: 'rol', flags: ROTATE },
  { m: 'ror', flags: ROTATE },
  { m: 'rcl', flags: ROTATE_CARRY },
  { m: 'rcr', flags: ROTATE_CARRY },
  { m: 'shl', flags: SHIFT },
  { m: 'shr', flags: SHIFT },
  // /6 is an undocumented alias of shl; objdump spells it `shl` too.
  { m: 'shl', flags: SHIFT, note: 'Grp2 /6 (sal) is an undocumented alias of /4' },
  { m: 'sar', flags: SHIFT },
] as const;

function shiftRows(): OpcodeRow[] {
  return SHIFTS.flatMap(({ m, flags, ...rest }, i) => {
    const facts = { flags, ext: '8086' as const, ...rest };
    return [
      op(`C0 /${i} ib`, m, 'Eb,Ib', { ...facts, ext: '186' }),
      op(`C1 /${i} ib`, m, 'Ev,Ib', { ...facts, ext: '186' }),
      op(`D0 /${i}`, m, 'Eb,1', facts),
      op(`D1 /${i}`, m, 'Ev,1', facts),
      op(`D2 /${i}`, m, 'Eb,CL', facts),
      op(`D3 /${i}`, m, 'Ev,CL', facts),
    ];
  });
}

function conditionRows(): OpcodeRow[] {
  return CONDITIONS.map(({ cc, reads }, i) =>
    op(`${hex2(0x70 + i)} cb`, `j${cc}`, 'Jb', { flow: 'jcc', flags: { r: reads }, ext: '8086' }),
  );
}

/** Grp3 (F6 byte, F7 operand size): test, not, neg, mul, imul, div, idiv. */
function group3Rows(): OpcodeRow[] {
  return (['b', 'v'] as const).flatMap((size) => {
    const opcode = size === 'b' ? 'F6' : 'F7';
    const e = `E${size}`;
    const imm = size === 'b' ? ['ib', 'Ib'] : ['iz', 'Iz'];
    return [
      op(`${opcode} /0 ${imm[0]}`, 'test', `${e},${imm[1]}`, { flags: LOGIC, ext: '8086' }),
      op(`${opcode} /1 ${imm[0]}`, 'test', `${e},${imm[1]}`, { flags: LOGIC, ext: '8086', note: 'Grp3 /1 is an undocumented alias of /0' }),
      op(`${opcode} /2`, 'not', e, { lock: true, ext: '8086' }),
      op(`${opcode} /3`, 'neg', e, { flags: ARITH, lock: true, ext: '8086' }),
      op(`${opcode} /4`, 'mul', e, { flags: MULTIPLY, ext: '8086' }),
      op(`${opcode} /5`, 'imul', e, { flags: MULTIPLY, ext: '8086' }),
      op(`${opcode} /6`, 'div', e, { flags: DIVIDE, ext: '8086' }),
      op(`${opcode} /7`, 'idiv', e, { flags: DIVIDE, ext: '8086' }),
    ];
  });
}

const REGISTER_ROWS: OpcodeRow[] = [
  op('40+r', 'inc', 'Zv', { flags: INC_DEC, ext: '8086' }),
  op('48+r', 'dec', 'Zv', { flags: INC_DEC, ext: '8086' }),
  op('50+r', 'push', 'Zv', { ext: '8086' }),
  op('58+r', 'pop', 'Zv', { ext: '8086' }),
  op('B0+r ib', 'mov', 'Zb,Ib', { ext: '8086' }),
  op('B8+r iv', 'mov', 'Zv,Iv', { ext: '8086' }),
  // 90 is xchg eAX,eAX: `nop` at 32 bits, but objdump spells `66 90` as `xchg %ax,%ax`.
  op('90+r', 'xchg', 'Zv,eAX', { ext: '8086' }),
];

const MISC_ROWS: OpcodeRow[] = [
  op('06', 'push', 'ES', { ext: '8086', suffix: 'data16' }),
  op('07', 'pop', 'ES', { ext: '8086', suffix: 'data16' }),
  op('0E', 'push', 'CS', { ext: '8086', suffix: 'data16' }),
  op('16', 'push', 'SS', { ext: '8086', suffix: 'data16' }),
  op('17', 'pop', 'SS', { ext: '8086', suffix: 'data16', note: 'pop %ss inhibits interrupts and the TF trap for one instruction' }),
  op('1E', 'push', 'DS', { ext: '8086', suffix: 'data16' }),
  op('1F', 'pop', 'DS', { ext: '8086', suffix: 'data16' }),
  op('27', 'daa', '', { flags: { r: 'AC', w: 'OSZAPC', u: 'O' }, ext: '8086' }),
  op('2F', 'das', '', { flags: { r: 'AC', w: 'OSZAPC', u: 'O' }, ext: '8086' }),
  op('37', 'aaa', '', { flags: { r: 'A', w: 'OSZAPC', u: 'OSZP' }, ext: '8086' }),
  op('3F', 'aas', '', { flags: { r: 'A', w: 'OSZAPC', u: 'OSZP' }, ext: '8086' }),
  op('60', 'pusha', '', { ext: '186', osize: 32 }),
  op('60', 'pushaw', '', { ext: '186', osize: 16 }),
  op('61', 'popa', '', { ext: '186', osize: 32 }),
  op('61', 'popaw', '', { ext: '186', osize: 16 }),
  op('62 /r mem', 'bound', 'Gv,Ma', { flow: 'int', ext: '186', suffix: 'never', attKeepsOrder: true }),
  op('63 /r', 'arpl', 'Ew,Gw', { flags: { w: 'Z' }, ext: '286' }),
  op('68 iz', 'push', 'Iz', { ext: '186', suffix: 'data16' }),
  op('69 /r iz', 'imul', 'Gv,Ev,Iz', { flags: MULTIPLY, ext: '186' }),
  op('6A ib', 'push', 'Ibs', { ext: '186', suffix: 'data16' }),
  op('6B /r ib', 'imul', 'Gv,Ev,Ibs', { flags: MULTIPLY, ext: '186' }),
  op('6C', 'ins', 'Yb,DX', { flags: STRING, rep: 'rep', ext: '186' }),
  op('6D', 'ins', 'Yz,DX', { flags: STRING, rep: 'rep', ext: '186' }),
  op('6E', 'outs', 'DX,Xb', { flags: STRING, rep: 'rep', ext: '186' }),
  op('6F', 'outs', 'DX,Xz', { flags: STRING, rep: 'rep', ext: '186' }),
  op('84 /r', 'test', 'Eb,Gb', { flags: LOGIC, ext: '8086' }),
  op('85 /r', 'test', 'Ev,Gv', { flags: LOGIC, ext: '8086' }),
  op('86 /r', 'xchg', 'Eb,Gb', { lock: true, ext: '8086' }),
  op('87 /r', 'xchg', 'Ev,Gv', { lock: true, ext: '8086' }),
  op('88 /r', 'mov', 'Eb,Gb', { ext: '8086' }),
  op('89 /r', 'mov', 'Ev,Gv', { ext: '8086' }),
  op('8A /r', 'mov', 'Gb,Eb', { ext: '8086' }),
  op('8B /r', 'mov', 'Gv,Ev', { ext: '8086' }),
  // Segment register numbers 6 and 7 do not exist, and mov to %cs is #UD: one row per valid register.
  ...[0, 1, 2, 3, 4, 5].map((n) => op(`8C /${n}`, 'mov', 'Ewv,Sw', { ext: '8086' })),
  op('8D /r mem', 'lea', 'Gv,M', { ext: '8086' }),
  ...[0, 2, 3, 4, 5].map((n) =>
    op(`8E /${n}`, 'mov', 'Sw,Ewv', {
      ext: '8086',
      ...(n === 2 ? { note: 'mov to %ss inhibits interrupts and the TF trap for one instruction' } : {}),
    }),
  ),
  op('8F /0', 'pop', 'Ev', { ext: '8086', suffix: 'data16' }),
  op('90', 'nop', '', { ext: '8086', osize: 32 }),
  op('90', 'xchg', 'AX,AX', { ext: '8086', osize: 16 }),
  op('F3 90', 'pause', '', { ext: 'P5' }),
  op('98', 'cwde', '', { att: 'cwtl', ext: '386', osize: 32 }),
  op('98', 'cbw', '', { att: 'cbtw', ext: '8086', osize: 16 }),
  op('99', 'cdq', '', { att: 'cltd', ext: '386', osize: 32 }),
  op('99', 'cwd', '', { att: 'cwtd', ext: '8086', osize: 16 }),
  op('9A cp', 'call', 'Ap', { att: 'lcall', flow: 'call', ext: '8086', suffix: 'data16' }),
  op('9B', 'fwait', '', { ext: 'X87' }),
  op('9C', 'pushf', '', { flags: { r: ALL_FLAGS }, ext: '8086', osize: 32 }),
  op('9C', 'pushfw', '', { flags: { r: ALL_FLAGS }, ext: '8086', osize: 16 }),
  op('9D', 'popf', '', { flags: WRITES_ALL, ext: '8086', osize: 32 }),
  op('9D', 'popfw', '', { flags: WRITES_ALL, ext: '8086', osize: 16 }),
  op('9E', 'sahf', '', { flags: { w: 'SZAPC' }, ext: '8086' }),
  op('9F', 'lahf', '', { flags: { r: 'SZAPC' }, ext: '8086' }),
  op('A0', 'mov', 'AL,Ob', { ext: '8086' }),
  op('A1', 'mov', 'eAX,Ov', { ext: '8086' }),
  op('A2', 'mov', 'Ob,AL', { ext: '8086' }),
  op('A3', 'mov', 'Ov,eAX', { ext: '8086' }),
  op('A4', 'movs', 'Yb,Xb', { flags: STRING, rep: 'rep', ext: '8086' }),
  op('A5', 'movs', 'Yv,Xv', { flags: STRING, rep: 'rep', ext: '8086' }),
  op('A6', 'cmps', 'Xb,Yb', { flags: STRING_COMPARE, rep: 'repe', ext: '8086' }),
  op('A7', 'cmps', 'Xv,Yv', { flags: STRING_COMPARE, rep: 'repe', ext: '8086' }),
  op('A8 ib', 'test', 'AL,Ib', { flags: LOGIC, ext: '8086' }),
  op('A9 iz', 'test', 'eAX,Iz', { flags: LOGIC, ext: '8086' }),
  op('AA', 'stos', 'Yb,AL', { flags: STRING, rep: 'rep', ext: '8086' }),
  op('AB', 'stos', 'Yv,eAX', { flags: STRING, rep: 'rep', ext: '8086' }),
  op('AC', 'lods', 'AL,Xb', { flags: STRING, rep: 'rep', ext: '8086' }),
  op('AD', 'lods', 'eAX,Xv', { flags: STRING, rep: 'rep', ext: '8086' }),
  op('AE', 'scas', 'AL,Yb', { flags: STRING_COMPARE, rep: 'repe', ext: '8086' }),
  op('AF', 'scas', 'eAX,Yv', { flags: STRING_COMPARE, rep: 'repe', ext: '8086' }),
  op('C2 iw', 'ret', 'Iw', { flow: 'ret', ext: '8086', suffix: 'data16' }),
  op('C3', 'ret', '', { flow: 'ret', ext: '8086', suffix: 'data16' }),
  op('C4 /r mem', 'les', 'Gz,Mp', { ext: '8086' }),
  op('C5 /r mem', 'lds', 'Gz,Mp', { ext: '8086' }),
  op('C6 /0 ib', 'mov', 'Eb,Ib', { ext: '8086' }),
  op('C6 F8 ib', 'xabort', 'Ib', { ext: 'OTHER', note: 'RTM' }),
  op('C7 /0 iz', 'mov', 'Ev,Iz', { ext: '8086' }),
  op('C7 F8 cz', 'xbegin', 'Jz', { flow: 'jcc', ext: 'OTHER', note: 'RTM' }),
  op('C8 iw ib', 'enter', 'Iw,Ib', { ext: '186', suffix: 'data16', attKeepsOrder: true }),
  op('C9', 'leave', '', { ext: '186', suffix: 'data16' }),
  op('CA iw', 'retf', 'Iw', { att: 'lret', flow: 'ret', far: true, ext: '8086' }),
  op('CB', 'retf', '', { att: 'lret', flow: 'ret', far: true, ext: '8086' }),
  op('CC', 'int3', '', { flow: 'int', flags: INTERRUPT, ext: '8086' }),
  op('CD ib', 'int', 'Ib', { flow: 'int', flags: INTERRUPT, ext: '8086' }),
  op('CE', 'into', '', { flow: 'int', flags: { r: 'O', w: 'ITNRK' }, ext: '8086' }),
  op('CF', 'iret', '', { flow: 'iret', flags: WRITES_ALL, ext: '8086', osize: 32 }),
  op('CF', 'iretw', '', { flow: 'iret', flags: WRITES_ALL, ext: '8086', osize: 16 }),
  op('D4 ib', 'aam', 'Ib', { flags: { w: 'OSZAPC', u: 'OAC' }, ext: '8086' }),
  op('D5 ib', 'aad', 'Ib', { flags: { w: 'OSZAPC', u: 'OAC' }, ext: '8086' }),
  op('D6', 'salc', '', { flags: { r: 'C' }, undocumented: true, ext: '8086', note: 'undocumented: AL = CF ? 0xFF : 0' }),
  op('D7', 'xlat', 'XLAT', { ext: '8086', suffix: 'never' }),
  op('E0 cb', 'loopne', 'Jb', { flow: 'loop', flags: { r: 'Z' }, ext: '8086' }),
  op('E1 cb', 'loope', 'Jb', { flow: 'loop', flags: { r: 'Z' }, ext: '8086' }),
  op('E2 cb', 'loop', 'Jb', { flow: 'loop', ext: '8086' }),
  op('E3 cb', 'jecxz', 'Jb', { flow: 'loop', ext: '386', asize: 32 }),
  op('E3 cb', 'jcxz', 'Jb', { flow: 'loop', ext: '8086', asize: 16 }),
  op('E4 ib', 'in', 'AL,Ib', { ext: '8086' }),
  op('E5 ib', 'in', 'eAX,Ib', { ext: '8086' }),
  op('E6 ib', 'out', 'Ib,AL', { ext: '8086' }),
  op('E7 ib', 'out', 'Ib,eAX', { ext: '8086' }),
  op('E8 cz', 'call', 'Jz', { flow: 'call', ext: '8086', suffix: 'data16' }),
  op('E9 cz', 'jmp', 'Jz', { flow: 'jmp', ext: '8086', suffix: 'data16' }),
  op('EA cp', 'jmp', 'Ap', { att: 'ljmp', flow: 'jmp', ext: '8086', suffix: 'data16' }),
  op('EB cb', 'jmp', 'Jb', { flow: 'jmp', ext: '8086' }),
  op('EC', 'in', 'AL,DX', { ext: '8086' }),
  op('ED', 'in', 'eAX,DX', { ext: '8086' }),
  op('EE', 'out', 'DX,AL', { ext: '8086' }),
  op('EF', 'out', 'DX,eAX', { ext: '8086' }),
  op('F1', 'int1', '', { flow: 'int', flags: INTERRUPT, undocumented: true, ext: '386', note: 'ICEBP' }),
  op('F4', 'hlt', '', { flow: 'halt', privileged: true, ext: '8086' }),
  op('F5', 'cmc', '', { flags: { r: 'C', w: 'C' }, ext: '8086' }),
  ...group3Rows(),
  op('F8', 'clc', '', { flags: { w: 'C' }, ext: '8086' }),
  op('F9', 'stc', '', { flags: { w: 'C' }, ext: '8086' }),
  op('FA', 'cli', '', { flags: { w: 'I' }, ext: '8086' }),
  op('FB', 'sti', '', { flags: { w: 'I' }, ext: '8086', note: 'sti delays interrupts until after the next instruction' }),
  op('FC', 'cld', '', { flags: { w: 'D' }, ext: '8086' }),
  op('FD', 'std', '', { flags: { w: 'D' }, ext: '8086' }),
  op('FE /0', 'inc', 'Eb', { flags: INC_DEC, lock: true, ext: '8086' }),
  op('FE /1', 'dec', 'Eb', { flags: INC_DEC, lock: true, ext: '8086' }),
  op('FF /0', 'inc', 'Ev', { flags: INC_DEC, lock: true, ext: '8086' }),
  op('FF /1', 'dec', 'Ev', { flags: INC_DEC, lock: true, ext: '8086' }),
  op('FF /2', 'call', 'Ev', { flow: 'call', ext: '8086', suffix: 'data16' }),
  op('FF /3 mem', 'call', 'Mp', { att: 'lcall', flow: 'call', ext: '8086', suffix: 'data16' }),
  op('FF /4', 'jmp', 'Ev', { flow: 'jmp', ext: '8086', suffix: 'data16' }),
  op('FF /5 mem', 'jmp', 'Mp', { att: 'ljmp', flow: 'jmp', ext: '8086', suffix: 'data16' }),
  op('FF /6', 'push', 'Ev', { ext: '8086', suffix: 'data16' }),
];

export const PRIMARY_ROWS: OpcodeRow[] = [
  ...aluRows(),
  ...shiftRows(),
  ...conditionRows(),
  ...REGISTER_ROWS,
  ...MISC_ROWS,
];
