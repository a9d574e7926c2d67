// VEX map 0F (C5 xx, or C4 with mmmmm = 1): the AVX forms of the SSE-SSE3 instructions, and
// their AVX2 ymm integer forms. Rows follow Intel SDM Vol. 2 Table A-3 as iced-x86 decodes it
// in 32-bit mode, where VEX.W is ignored by the GPR forms (vmovd, vcvtsi2ss, ...): no 64-bit
// operand exists outside 64-bit mode, so those rows are WIG here.

import type { OpcodeRow, RowFacts } from './opcode-row-schema';
import { vex, vexBoth, vexFamily, vexScalarFamily, type OpcodeName } from './opcode-table-vex-builders';

const AVX: RowFacts = { ext: 'AVX' };
/** vcomiss/vucomiss write ZF PF CF from the compare and clear OF SF AF. */
const COMPARE: RowFacts = { ext: 'AVX', flags: { w: 'OSZAPC' } };

/** Packed single/double arithmetic, three operands: NP is ps, 66 is pd. */
const PACKED_FLOAT: ReadonlyArray<OpcodeName> = [
  ['14', 'vunpckl'], ['15', 'vunpckh'], ['54', 'vand'], ['55', 'vandn'], ['56', 'vor'], ['57', 'vxor'],
  ['58', 'vadd'], ['59', 'vmul'], ['5C', 'vsub'], ['5D', 'vmin'], ['5E', 'vdiv'], ['5F', 'vmax'],
];

/** Scalar single/double arithmetic: F3 is ss, F2 is sd. */
const SCALAR_FLOAT: ReadonlyArray<OpcodeName> = [
  ['51', 'vsqrt'], ['58', 'vadd'], ['59', 'vmul'], ['5C', 'vsub'], ['5D', 'vmin'], ['5E', 'vdiv'], ['5F', 'vmax'],
];

/** 66-prefixed integer operations `Vx,Hx,Wx`: AVX on xmm, AVX2 on ymm. */
const PACKED_INTEGER: ReadonlyArray<OpcodeName> = [
  ['60', 'vpunpcklbw'], ['61', 'vpunpcklwd'], ['62', 'vpunpckldq'], ['63', 'vpacksswb'],
  ['64', 'vpcmpgtb'], ['65', 'vpcmpgtw'], ['66', 'vpcmpgtd'], ['67', 'vpackuswb'],
  ['68', 'vpunpckhbw'], ['69', 'vpunpckhwd'], ['6A', 'vpunpckhdq'], ['6B', 'vpackssdw'],
  ['6C', 'vpunpcklqdq'], ['6D', 'vpunpckhqdq'], ['74', 'vpcmpeqb'], ['75', 'vpcmpeqw'], ['76', 'vpcmpeqd'],
  ['D4', 'vpaddq'], ['D5', 'vpmullw'], ['D8', 'vpsubusb'], ['D9', 'vpsubusw'], ['DA', 'vpminub'],
  ['DB', 'vpand'], ['DC', 'vpaddusb'], ['DD', 'vpaddusw'], ['DE', 'vpmaxub'], ['DF', 'vpandn'],
  ['E0', 'vpavgb'], ['E3', 'vpavgw'], ['E4', 'vpmulhuw'], ['E5', 'vpmulhw'],
  ['E8', 'vpsubsb'], ['E9', 'vpsubsw'], ['EA', 'vpminsw'], ['EB', 'vpor'],
  ['EC', 'vpaddsb'], ['ED', 'vpaddsw'], ['EE', 'vpmaxsw'], ['EF', 'vpxor'],
  ['F4', 'vpmuludq'], ['F5', 'vpmaddwd'], ['F6', 'vpsadbw'],
  ['F8', 'vpsubb'], ['F9', 'vpsubw'], ['FA', 'vpsubd'], ['FB', 'vpsubq'],
  ['FC', 'vpaddb'], ['FD', 'vpaddw'], ['FE', 'vpaddd'],
];

/** Shifts by the count in the low quadword of an xmm register or m128, at either length. */
const SHIFT_BY_XMM: ReadonlyArray<OpcodeName> = [
  ['D1', 'vpsrlw'], ['D2', 'vpsrld'], ['D3', 'vpsrlq'], ['E1', 'vpsraw'], ['E2', 'vpsrad'],
  ['F1', 'vpsllw'], ['F2', 'vpslld'], ['F3', 'vpsllq'],
];

/** Shifts by an immediate, Grp12-14 (71-73): the destination is VEX.vvvv, the source ModRM.rm. */
const SHIFT_BY_IMMEDIATE: ReadonlyArray<readonly [opcode: string, digit: number, m: string]> = [
  ['71', 2, 'vpsrlw'], ['71', 4, 'vpsraw'], ['71', 6, 'vpsllw'],
  ['72', 2, 'vpsrld'], ['72', 4, 'vpsrad'], ['72', 6, 'vpslld'],
  ['73', 2, 'vpsrlq'], ['73', 3, 'vpsrldq'], ['73', 6, 'vpsllq'], ['73', 7, 'vpslldq'],
];

function packedFloatRows(): OpcodeRow[] {
  return [
    ...vexFamily('NP.0F.WIG', PACKED_FLOAT.map(([o, m]) => [o, `${m}ps`] as const), 'Vx,Hx,Wx', 'AVX', 'AVX'),
    ...vexFamily('66.0F.WIG', PACKED_FLOAT.map(([o, m]) => [o, `${m}pd`] as const), 'Vx,Hx,Wx', 'AVX', 'AVX'),
    ...vexFamily('F2.0F.WIG', [['7C', 'vhaddps'], ['7D', 'vhsubps'], ['D0', 'vaddsubps']], 'Vx,Hx,Wx', 'AVX', 'AVX'),
    ...vexFamily('66.0F.WIG', [['7C', 'vhaddpd'], ['7D', 'vhsubpd'], ['D0', 'vaddsubpd']], 'Vx,Hx,Wx', 'AVX', 'AVX'),
    // objdump names imm8 0-31 as a predicate inside the mnemonic (vcmpeqps, vcmpnge_uqpd...).
    ...vexBoth('NP.0F.WIG C2 /r ib', 'vcmpps', 'Vx,Hx,Wx,Ib', 'AVX', 'AVX', { pseudoOps: 'avx-compare' }),
    ...vexBoth('66.0F.WIG C2 /r ib', 'vcmppd', 'Vx,Hx,Wx,Ib', 'AVX', 'AVX', { pseudoOps: 'avx-compare' }),
    ...vexBoth('NP.0F.WIG C6 /r ib', 'vshufps', 'Vx,Hx,Wx,Ib', 'AVX', 'AVX'),
    ...vexBoth('66.0F.WIG C6 /r ib', 'vshufpd', 'Vx,Hx,Wx,Ib', 'AVX', 'AVX'),
    // Two-operand packed forms (no VEX.vvvv: it must be 1111b).
    ...vexFamily('NP.0F.WIG', [['51', 'vsqrtps'], ['52', 'vrsqrtps'], ['53', 'vrcpps'], ['5B', 'vcvtdq2ps']], 'Vx,Wx', 'AVX', 'AVX'),
    ...vexFamily('66.0F.WIG', [['51', 'vsqrtpd'], ['5B', 'vcvtps2dq']], 'Vx,Wx', 'AVX', 'AVX'),
    ...vexFamily('F3.0F.WIG', [['12', 'vmovsldup'], ['16', 'vmovshdup'], ['5B', 'vcvttps2dq']], 'Vx,Wx', 'AVX', 'AVX'),
  ];
}

function scalarFloatRows(): OpcodeRow[] {
  return [
    ...vexScalarFamily('F3.0F.WIG', SCALAR_FLOAT.map(([o, m]) => [o, `${m}ss`] as const), 'Vss,Hss,Wss', AVX),
    ...vexScalarFamily('F2.0F.WIG', SCALAR_FLOAT.map(([o, m]) => [o, `${m}sd`] as const), 'Vsd,Hsd,Wsd', AVX),
    ...vexScalarFamily('F3.0F.WIG', [['52', 'vrsqrtss'], ['53', 'vrcpss']], 'Vss,Hss,Wss', AVX),
    vex('LIG', 'F3.0F.WIG C2 /r ib', 'vcmpss', 'Vss,Hss,Wss,Ib', { ...AVX, pseudoOps: 'avx-compare' }),
    vex('LIG', 'F2.0F.WIG C2 /r ib', 'vcmpsd', 'Vsd,Hsd,Wsd,Ib', { ...AVX, pseudoOps: 'avx-compare' }),
    vex('LIG', 'F3.0F.WIG 5A /r', 'vcvtss2sd', 'Vsd,Hsd,Wss', AVX),
    vex('LIG', 'F2.0F.WIG 5A /r', 'vcvtsd2ss', 'Vss,Hss,Wsd', AVX),
    // Integer <-> scalar conversions: W would select a 64-bit GPR in 64-bit mode only.
    vex('LIG', 'F3.0F.WIG 2A /r', 'vcvtsi2ss', 'Vss,Hss,Ey', AVX),
    vex('LIG', 'F2.0F.WIG 2A /r', 'vcvtsi2sd', 'Vsd,Hsd,Ey', AVX),
    vex('LIG', 'F3.0F.WIG 2C /r', 'vcvttss2si', 'Gy,Wss', AVX),
    vex('LIG', 'F3.0F.WIG 2D /r', 'vcvtss2si', 'Gy,Wss', AVX),
    vex('LIG', 'F2.0F.WIG 2C /r', 'vcvttsd2si', 'Gy,Wsd', AVX),
    vex('LIG', 'F2.0F.WIG 2D /r', 'vcvtsd2si', 'Gy,Wsd', AVX),
    vex('LIG', 'NP.0F.WIG 2E /r', 'vucomiss', 'Vss,Wss', COMPARE),
    vex('LIG', 'NP.0F.WIG 2F /r', 'vcomiss', 'Vss,Wss', COMPARE),
    vex('LIG', '66.0F.WIG 2E /r', 'vucomisd', 'Vsd,Wsd', COMPARE),
    vex('LIG', '66.0F.WIG 2F /r', 'vcomisd', 'Vsd,Wsd', COMPARE),
  ];
}

/** Conversions whose source and destination widths differ, so the two lengths are spelled apart. */
function conversionRows(): OpcodeRow[] {
  // objdump marks the memory forms of the narrowing conversions vcvtpd2psx/-y, vcvtpd2dqx/-y,
  // vcvttpd2dqx/-y in AT&T syntax: the xmm destination does not tell m128 from m256.
  const narrowing: ReadonlyArray<readonly [string, string]> = [
    ['66.0F.WIG 5A /r', 'vcvtpd2ps'],
    ['F2.0F.WIG E6 /r', 'vcvtpd2dq'],
    ['66.0F.WIG E6 /r', 'vcvttpd2dq'],
  ];
  return [
    vex('128', 'NP.0F.WIG 5A /r', 'vcvtps2pd', 'Vdq,Wq', AVX),
    vex('256', 'NP.0F.WIG 5A /r', 'vcvtps2pd', 'Vqq,Wdq', AVX),
    vex('128', 'F3.0F.WIG E6 /r', 'vcvtdq2pd', 'Vdq,Wq', AVX),
    vex('256', 'F3.0F.WIG E6 /r', 'vcvtdq2pd', 'Vqq,Wdq', AVX),
    ...narrowing.flatMap(([tail, m]) => [
      vex('128', tail, m, 'Vdq,Wdq', { ...AVX, suffix: 'xy' }),
      vex('256', tail, m, 'Vdq,Wqq', { ...AVX, suffix: 'xy' }),
    ]),
  ];
}

function moveRows(): OpcodeRow[] {
  return [
    ...vexFamily('NP.0F.WIG', [['10', 'vmovups'], ['28', 'vmovaps']], 'Vx,Wx', 'AVX', 'AVX'),
    ...vexFamily('NP.0F.WIG', [['11', 'vmovups'], ['29', 'vmovaps']], 'Wx,Vx', 'AVX', 'AVX'),
    ...vexFamily('66.0F.WIG', [['10', 'vmovupd'], ['28', 'vmovapd'], ['6F', 'vmovdqa']], 'Vx,Wx', 'AVX', 'AVX'),
    ...vexFamily('66.0F.WIG', [['11', 'vmovupd'], ['29', 'vmovapd'], ['7F', 'vmovdqa']], 'Wx,Vx', 'AVX', 'AVX'),
    ...vexBoth('F3.0F.WIG 6F /r', 'vmovdqu', 'Vx,Wx', 'AVX', 'AVX'),
    ...vexBoth('F3.0F.WIG 7F /r', 'vmovdqu', 'Wx,Vx', 'AVX', 'AVX'),
    ...vexBoth('NP.0F.WIG 2B /r mem', 'vmovntps', 'Mx,Vx', 'AVX', 'AVX'),
    ...vexBoth('66.0F.WIG 2B /r mem', 'vmovntpd', 'Mx,Vx', 'AVX', 'AVX'),
    ...vexBoth('66.0F.WIG E7 /r mem', 'vmovntdq', 'Mx,Vx', 'AVX', 'AVX'),
    // objdump gives vlddqu's memory operand no size in Intel syntax.
    ...vexBoth('F2.0F.WIG F0 /r mem', 'vlddqu', 'Vx,M', 'AVX', 'AVX'),
    vex('128', 'F2.0F.WIG 12 /r', 'vmovddup', 'Vdq,Wq', AVX),
    vex('256', 'F2.0F.WIG 12 /r', 'vmovddup', 'Vqq,Wqq', AVX),
    // 12/16: the memory form moves a quadword, the register form moves between halves.
    vex('128', 'NP.0F.WIG 12 /r mem', 'vmovlps', 'Vdq,Hdq,Mq', AVX),
    vex('128', 'NP.0F.WIG 12 /r reg', 'vmovhlps', 'Vdq,Hdq,Udq', AVX),
    vex('128', 'NP.0F.WIG 16 /r mem', 'vmovhps', 'Vdq,Hdq,Mq', AVX),
    vex('128', 'NP.0F.WIG 16 /r reg', 'vmovlhps', 'Vdq,Hdq,Udq', AVX),
    vex('128', '66.0F.WIG 12 /r mem', 'vmovlpd', 'Vdq,Hdq,Mq', AVX),
    vex('128', '66.0F.WIG 16 /r mem', 'vmovhpd', 'Vdq,Hdq,Mq', AVX),
    vex('128', 'NP.0F.WIG 13 /r mem', 'vmovlps', 'Mq,Vdq', AVX),
    vex('128', 'NP.0F.WIG 17 /r mem', 'vmovhps', 'Mq,Vdq', AVX),
    vex('128', '66.0F.WIG 13 /r mem', 'vmovlpd', 'Mq,Vdq', AVX),
    vex('128', '66.0F.WIG 17 /r mem', 'vmovhpd', 'Mq,Vdq', AVX),
    // vmovss/vmovsd: a load or store of the scalar, or a three-register merge.
    vex('LIG', 'F3.0F.WIG 10 /r mem', 'vmovss', 'Vss,Mss', AVX),
    vex('LIG', 'F3.0F.WIG 10 /r reg', 'vmovss', 'Vdq,Hdq,Udq', AVX),
    vex('LIG', 'F3.0F.WIG 11 /r mem', 'vmovss', 'Mss,Vss', AVX),
    // objdump names the destination of the register store %ymm when VEX.L = 1; the CPU ignores L.
    vex('LIG', 'F3.0F.WIG 11 /r reg', 'vmovss', 'Udq,Hdq,Vdq', { ...AVX, objdumpYmmAtL1: 0 }),
    vex('LIG', 'F2.0F.WIG 10 /r mem', 'vmovsd', 'Vsd,Msd', AVX),
    vex('LIG', 'F2.0F.WIG 10 /r reg', 'vmovsd', 'Vdq,Hdq,Udq', AVX),
    vex('LIG', 'F2.0F.WIG 11 /r mem', 'vmovsd', 'Msd,Vsd', AVX),
    vex('LIG', 'F2.0F.WIG 11 /r reg', 'vmovsd', 'Udq,Hdq,Vdq', { ...AVX, objdumpYmmAtL1: 0 }),
    vex('128', '66.0F.WIG 6E /r', 'vmovd', 'Vdq,Ey', AVX),
    vex('128', '66.0F.WIG 7E /r', 'vmovd', 'Ey,Vdq', AVX),
    vex('128', 'F3.0F.WIG 7E /r', 'vmovq', 'Vdq,Wq', AVX),
    vex('128', '66.0F.WIG D6 /r', 'vmovq', 'Wq,Vdq', AVX),
    ...vexBoth('NP.0F.WIG 50 /r reg', 'vmovmskps', 'Gd,Ux', 'AVX', 'AVX'),
    ...vexBoth('66.0F.WIG 50 /r reg', 'vmovmskpd', 'Gd,Ux', 'AVX', 'AVX'),
    ...vexBoth('66.0F.WIG D7 /r reg', 'vpmovmskb', 'Gd,Ux', 'AVX', 'AVX2'),
    // Stores through DS:EDI under the byte mask of the second register.
    vex('128', '66.0F.WIG F7 /r reg', 'vmaskmovdqu', 'Vdq,Udq', { ...AVX, note: 'stores to DS:(E)DI' }),
  ];
}

function integerRows(): OpcodeRow[] {
  return [
    ...vexFamily('66.0F.WIG', PACKED_INTEGER, 'Vx,Hx,Wx', 'AVX', 'AVX2'),
    ...vexFamily('66.0F.WIG', SHIFT_BY_XMM, 'Vx,Hx,Wdq', 'AVX', 'AVX2'),
    ...SHIFT_BY_IMMEDIATE.flatMap(([opcode, digit, m]) =>
      vexBoth(`66.0F.WIG ${opcode} /${digit} reg ib`, m, 'Hx,Ux,Ib', 'AVX', 'AVX2'),
    ),
    ...vexBoth('66.0F.WIG 70 /r ib', 'vpshufd', 'Vx,Wx,Ib', 'AVX', 'AVX2'),
    ...vexBoth('F3.0F.WIG 70 /r ib', 'vpshufhw', 'Vx,Wx,Ib', 'AVX', 'AVX2'),
    ...vexBoth('F2.0F.WIG 70 /r ib', 'vpshuflw', 'Vx,Wx,Ib', 'AVX', 'AVX2'),
    // vpinsrw takes a 32-bit register or a 16-bit memory word.
    vex('128', '66.0F.WIG C4 /r reg ib', 'vpinsrw', 'Vdq,Hdq,Ry,Ib', AVX),
    vex('128', '66.0F.WIG C4 /r mem ib', 'vpinsrw', 'Vdq,Hdq,Mw,Ib', AVX),
    vex('128', '66.0F.WIG C5 /r reg ib', 'vpextrw', 'Gd,Udq,Ib', AVX),
  ];
}

function stateRows(): OpcodeRow[] {
  return [
    // No ModRM: VEX.L selects between clearing the upper halves and clearing all registers.
    vex('128', 'NP.0F.WIG 77', 'vzeroupper', '', AVX),
    vex('256', 'NP.0F.WIG 77', 'vzeroall', '', AVX),
    vex('LZ', 'NP.0F.WIG AE /2 mem', 'vldmxcsr', 'Md', { ...AVX, suffix: 'never' }),
    vex('LZ', 'NP.0F.WIG AE /3 mem', 'vstmxcsr', 'Md', { ...AVX, suffix: 'never' }),
  ];
}

export const VEX_0F_ROWS: OpcodeRow[] = [
  ...packedFloatRows(),
  ...scalarFloatRows(),
  ...conversionRows(),
  ...moveRows(),
  ...integerRows(),
  ...stateRows(),
];
