// Floating-point SIMD rows of the two-byte opcode map: SSE/SSE2/SSE3 moves, arithmetic, compares
// and conversions (0F 10-17, 28-2F, 50-5F, 7C-7D, C2, C3, C6, D0, E6, F0) and AMD's SSE4A
// extrq/insertq/movntss/movntsd. The mandatory prefix selects the data type: none = packed
// single, 66 = packed double, F3 = scalar single, F2 = scalar double.
//
// Size codes give the memory width objdump prints in Intel syntax: `ps`/`pd`/`x` are 16 bytes
// (`XMMWORD PTR`), `ss`/`d` 4 (`DWORD`), `sd`/`q` 8 (`QWORD`); `M` alone has no size keyword.

import { op, type FlagEffects, type OpcodeRow, type RowFacts } from './opcode-row-schema';
import { hex2 } from './opcode-table-flags';

/** comiss/ucomiss and the double forms: ZF PF CF from the compare, OF SF AF cleared. */
const COMPARE_FLAGS: FlagEffects = { w: 'OSZAPC' };

/** Operations with all four types: ps (SSE), pd (SSE2), ss (SSE), sd (SSE2). */
function fourTypeRows(byte: number, name: string, imm = '', facts: RowFacts = {}): OpcodeRow[] {
  const b = hex2(byte);
  const ib = imm ? ' ib' : '';
  const i = imm ? ',Ib' : '';
  return [
    op(`NP 0F ${b} /r${ib}`, `${name}ps`, `Vps,Wps${i}`, { ...facts, ext: 'SSE' }),
    op(`66 0F ${b} /r${ib}`, `${name}pd`, `Vpd,Wpd${i}`, { ...facts, ext: 'SSE2' }),
    op(`F3 0F ${b} /r${ib}`, `${name}ss`, `Vss,Wss${i}`, { ...facts, ext: 'SSE' }),
    op(`F2 0F ${b} /r${ib}`, `${name}sd`, `Vsd,Wsd${i}`, { ...facts, ext: 'SSE2' }),
  ];
}

/** Packed-only operations: ps (SSE) and pd (SSE2). */
function packedRows(byte: number, name: string, imm = ''): OpcodeRow[] {
  const b = hex2(byte);
  const ib = imm ? ' ib' : '';
  const i = imm ? ',Ib' : '';
  return [
    op(`NP 0F ${b} /r${ib}`, `${name}ps`, `Vps,Wps${i}`, { ext: 'SSE' }),
    op(`66 0F ${b} /r${ib}`, `${name}pd`, `Vpd,Wpd${i}`, { ext: 'SSE2' }),
  ];
}

const ARITHMETIC_ROWS: OpcodeRow[] = [
  ...fourTypeRows(0x51, 'sqrt'),
  ...fourTypeRows(0x58, 'add'),
  ...fourTypeRows(0x59, 'mul'),
  ...fourTypeRows(0x5c, 'sub'),
  ...fourTypeRows(0x5d, 'min'),
  ...fourTypeRows(0x5e, 'div'),
  ...fourTypeRows(0x5f, 'max'),
  // objdump prints cmpps with an immediate 0-7 as a pseudo-op (cmpeqps, cmpltps, ..., cmpordps)
  // without the immediate; other immediates keep the `cmpps $imm,...` form.
  ...fourTypeRows(0xc2, 'cmp', 'ib', { pseudoOps: 'sse-compare' }),
  ...packedRows(0x14, 'unpckl'),
  ...packedRows(0x15, 'unpckh'),
  ...packedRows(0x54, 'and'),
  ...packedRows(0x55, 'andn'),
  ...packedRows(0x56, 'or'),
  ...packedRows(0x57, 'xor'),
  ...packedRows(0xc6, 'shuf', 'ib'),
  op('NP 0F 52 /r', 'rsqrtps', 'Vps,Wps', { ext: 'SSE' }),
  op('F3 0F 52 /r', 'rsqrtss', 'Vss,Wss', { ext: 'SSE' }),
  op('NP 0F 53 /r', 'rcpps', 'Vps,Wps', { ext: 'SSE' }),
  op('F3 0F 53 /r', 'rcpss', 'Vss,Wss', { ext: 'SSE' }),
  op('NP 0F 2E /r', 'ucomiss', 'Vss,Wss', { flags: COMPARE_FLAGS, ext: 'SSE' }),
  op('66 0F 2E /r', 'ucomisd', 'Vsd,Wsd', { flags: COMPARE_FLAGS, ext: 'SSE2' }),
  op('NP 0F 2F /r', 'comiss', 'Vss,Wss', { flags: COMPARE_FLAGS, ext: 'SSE' }),
  op('66 0F 2F /r', 'comisd', 'Vsd,Wsd', { flags: COMPARE_FLAGS, ext: 'SSE2' }),
  op('66 0F 7C /r', 'haddpd', 'Vpd,Wpd', { ext: 'SSE3' }),
  op('F2 0F 7C /r', 'haddps', 'Vps,Wps', { ext: 'SSE3' }),
  op('66 0F 7D /r', 'hsubpd', 'Vpd,Wpd', { ext: 'SSE3' }),
  op('F2 0F 7D /r', 'hsubps', 'Vps,Wps', { ext: 'SSE3' }),
  op('66 0F D0 /r', 'addsubpd', 'Vpd,Wpd', { ext: 'SSE3' }),
  op('F2 0F D0 /r', 'addsubps', 'Vps,Wps', { ext: 'SSE3' }),
];

const MOVE_ROWS: OpcodeRow[] = [
  op('NP 0F 10 /r', 'movups', 'Vps,Wps', { ext: 'SSE' }),
  op('66 0F 10 /r', 'movupd', 'Vpd,Wpd', { ext: 'SSE2' }),
  op('F3 0F 10 /r', 'movss', 'Vss,Wss', { ext: 'SSE' }),
  op('F2 0F 10 /r', 'movsd', 'Vsd,Wsd', { ext: 'SSE2' }),
  op('NP 0F 11 /r', 'movups', 'Wps,Vps', { ext: 'SSE' }),
  op('66 0F 11 /r', 'movupd', 'Wpd,Vpd', { ext: 'SSE2' }),
  op('F3 0F 11 /r', 'movss', 'Wss,Vss', { ext: 'SSE' }),
  op('F2 0F 11 /r', 'movsd', 'Wsd,Vsd', { ext: 'SSE2' }),
  // 0F 12/16 without prefix: register form moves a half between registers, memory form a half.
  op('NP 0F 12 /r reg', 'movhlps', 'Vps,Ups', { ext: 'SSE' }),
  op('NP 0F 12 /r mem', 'movlps', 'Vps,Mq', { ext: 'SSE' }),
  op('66 0F 12 /r mem', 'movlpd', 'Vpd,Mq', { ext: 'SSE2' }),
  op('F3 0F 12 /r', 'movsldup', 'Vps,Wps', { ext: 'SSE3' }),
  op('F2 0F 12 /r', 'movddup', 'Vpd,Wq', { ext: 'SSE3' }),
  op('NP 0F 13 /r mem', 'movlps', 'Mq,Vps', { ext: 'SSE' }),
  op('66 0F 13 /r mem', 'movlpd', 'Mq,Vpd', { ext: 'SSE2' }),
  op('NP 0F 16 /r reg', 'movlhps', 'Vps,Ups', { ext: 'SSE' }),
  op('NP 0F 16 /r mem', 'movhps', 'Vps,Mq', { ext: 'SSE' }),
  op('66 0F 16 /r mem', 'movhpd', 'Vpd,Mq', { ext: 'SSE2' }),
  op('F3 0F 16 /r', 'movshdup', 'Vps,Wps', { ext: 'SSE3' }),
  op('NP 0F 17 /r mem', 'movhps', 'Mq,Vps', { ext: 'SSE' }),
  op('66 0F 17 /r mem', 'movhpd', 'Mq,Vpd', { ext: 'SSE2' }),
  op('NP 0F 28 /r', 'movaps', 'Vps,Wps', { ext: 'SSE' }),
  op('66 0F 28 /r', 'movapd', 'Vpd,Wpd', { ext: 'SSE2' }),
  op('NP 0F 29 /r', 'movaps', 'Wps,Vps', { ext: 'SSE' }),
  op('66 0F 29 /r', 'movapd', 'Wpd,Vpd', { ext: 'SSE2' }),
  op('NP 0F 2B /r mem', 'movntps', 'Mps,Vps', { ext: 'SSE' }),
  op('66 0F 2B /r mem', 'movntpd', 'Mpd,Vpd', { ext: 'SSE2' }),
  op('F3 0F 2B /r mem', 'movntss', 'Mss,Vss', { ext: 'SSE4A' }),
  op('F2 0F 2B /r mem', 'movntsd', 'Msd,Vsd', { ext: 'SSE4A' }),
  op('NP 0F 50 /r reg', 'movmskps', 'Gd,Ups', { ext: 'SSE' }),
  op('66 0F 50 /r reg', 'movmskpd', 'Gd,Upd', { ext: 'SSE2' }),
  op('NP 0F C3 /r mem', 'movnti', 'Md,Gd', { ext: 'SSE2' }),
  // lddqu: objdump shows no size keyword for its 16-byte memory operand.
  op('F2 0F F0 /r mem', 'lddqu', 'Vx,M', { ext: 'SSE3' }),
];

const CONVERSION_ROWS: OpcodeRow[] = [
  op('NP 0F 2A /r', 'cvtpi2ps', 'Vps,Qq', { ext: 'SSE' }),
  op('66 0F 2A /r', 'cvtpi2pd', 'Vpd,Qq', { ext: 'SSE2' }),
  // objdump 2.40 prints no `l` suffix for the memory form of cvtsi2ss/cvtsi2sd in 32-bit code.
  op('F3 0F 2A /r', 'cvtsi2ss', 'Vss,Ed', { suffix: 'never', ext: 'SSE' }),
  op('F2 0F 2A /r', 'cvtsi2sd', 'Vsd,Ed', { suffix: 'never', ext: 'SSE2' }),
  op('NP 0F 2C /r', 'cvttps2pi', 'Pq,Wq', { ext: 'SSE' }),
  op('66 0F 2C /r', 'cvttpd2pi', 'Pq,Wpd', { ext: 'SSE2' }),
  op('F3 0F 2C /r', 'cvttss2si', 'Gd,Wss', { ext: 'SSE' }),
  op('F2 0F 2C /r', 'cvttsd2si', 'Gd,Wsd', { ext: 'SSE2' }),
  op('NP 0F 2D /r', 'cvtps2pi', 'Pq,Wq', { ext: 'SSE' }),
  op('66 0F 2D /r', 'cvtpd2pi', 'Pq,Wpd', { ext: 'SSE2' }),
  op('F3 0F 2D /r', 'cvtss2si', 'Gd,Wss', { ext: 'SSE' }),
  op('F2 0F 2D /r', 'cvtsd2si', 'Gd,Wsd', { ext: 'SSE2' }),
  op('NP 0F 5A /r', 'cvtps2pd', 'Vpd,Wq', { ext: 'SSE2' }),
  op('66 0F 5A /r', 'cvtpd2ps', 'Vps,Wpd', { ext: 'SSE2' }),
  op('F3 0F 5A /r', 'cvtss2sd', 'Vsd,Wss', { ext: 'SSE2' }),
  op('F2 0F 5A /r', 'cvtsd2ss', 'Vss,Wsd', { ext: 'SSE2' }),
  op('NP 0F 5B /r', 'cvtdq2ps', 'Vps,Wx', { ext: 'SSE2' }),
  op('66 0F 5B /r', 'cvtps2dq', 'Vx,Wps', { ext: 'SSE2' }),
  op('F3 0F 5B /r', 'cvttps2dq', 'Vx,Wps', { ext: 'SSE2' }),
  op('66 0F E6 /r', 'cvttpd2dq', 'Vx,Wpd', { ext: 'SSE2' }),
  op('F3 0F E6 /r', 'cvtdq2pd', 'Vpd,Wq', { ext: 'SSE2' }),
  op('F2 0F E6 /r', 'cvtpd2dq', 'Vx,Wpd', { ext: 'SSE2' }),
];

/** AMD SSE4A bit-field extract/insert; only register forms exist. */
const SSE4A_ROWS: OpcodeRow[] = [
  op('66 0F 78 /0 reg ib ib', 'extrq', 'Ux,Ib,Ib', { ext: 'SSE4A' }),
  op('F2 0F 78 /r reg ib ib', 'insertq', 'Vx,Ux,Ib,Ib', { ext: 'SSE4A' }),
  op('66 0F 79 /r reg', 'extrq', 'Vx,Ux', { ext: 'SSE4A' }),
  op('F2 0F 79 /r reg', 'insertq', 'Vx,Ux', { ext: 'SSE4A' }),
];

export const TWO_BYTE_SSE_ROWS: OpcodeRow[] = [...ARITHMETIC_ROWS, ...MOVE_ROWS, ...CONVERSION_ROWS, ...SSE4A_ROWS];
