// VEX map 0F38 (C4 with mmmmm = 2): AVX forms of SSSE3/SSE4.1, the AVX2 permutes, broadcasts,
// variable shifts and masked moves, F16C, FMA (all 132/213/231 forms), VEX AES and VAES,
// AVX-VNNI, AVX-VNNI-INT8, AVX-IFMA, AVX-NE-CONVERT, GFNI, and the BMI1/BMI2 GPR instructions.
// The AVX2 gathers (90-93) need a VSIB memory operand and are kept apart in VEX_GATHER_ROWS.

import type { OpcodeRow, RowFacts } from './opcode-row-schema';
import { vex, vexBoth, vexFamily, type OpcodeName } from './opcode-table-vex-builders';

const AVX: RowFacts = { ext: 'AVX' };
const AVX2: RowFacts = { ext: 'AVX2' };
/** vptest/vtestps/vtestpd set ZF and CF from the masked tests and clear OF SF AF PF. */
const TEST: RowFacts = { flags: { w: 'OSZAPC' } };

/** SSSE3/SSE4.1 integer operations `Vx,Hx,Wx` on the 66 prefix: AVX on xmm, AVX2 on ymm. */
const PACKED_INTEGER: ReadonlyArray<OpcodeName> = [
  ['00', 'vpshufb'], ['01', 'vphaddw'], ['02', 'vphaddd'], ['03', 'vphaddsw'], ['04', 'vpmaddubsw'],
  ['05', 'vphsubw'], ['06', 'vphsubd'], ['07', 'vphsubsw'], ['08', 'vpsignb'], ['09', 'vpsignw'],
  ['0A', 'vpsignd'], ['0B', 'vpmulhrsw'], ['28', 'vpmuldq'], ['29', 'vpcmpeqq'], ['2B', 'vpackusdw'],
  ['37', 'vpcmpgtq'], ['38', 'vpminsb'], ['39', 'vpminsd'], ['3A', 'vpminuw'], ['3B', 'vpminud'],
  ['3C', 'vpmaxsb'], ['3D', 'vpmaxsd'], ['3E', 'vpmaxuw'], ['3F', 'vpmaxud'], ['40', 'vpmulld'],
];

/**
 * Sign/zero extensions: the source is half, a quarter or an eighth of the destination, so the
 * source operand's size depends on VEX.L. `[opcode, name, source at 128, source at 256]`.
 */
const EXTENSIONS: ReadonlyArray<readonly [string, string, string, string]> = [
  ['20', 'vpmovsxbw', 'Wq', 'Wdq'], ['21', 'vpmovsxbd', 'Wd', 'Wq'], ['22', 'vpmovsxbq', 'Ww', 'Wd'],
  ['23', 'vpmovsxwd', 'Wq', 'Wdq'], ['24', 'vpmovsxwq', 'Wd', 'Wq'], ['25', 'vpmovsxdq', 'Wq', 'Wdq'],
  ['30', 'vpmovzxbw', 'Wq', 'Wdq'], ['31', 'vpmovzxbd', 'Wd', 'Wq'], ['32', 'vpmovzxbq', 'Ww', 'Wd'],
  ['33', 'vpmovzxwd', 'Wq', 'Wdq'], ['34', 'vpmovzxwq', 'Wd', 'Wq'], ['35', 'vpmovzxdq', 'Wq', 'Wdq'],
];

/**
 * FMA: the low nibble of the opcode picks the operation, the high one the operand order
 * (9x = 132, Ax = 213, Bx = 231); W0 is single and W1 double precision. Odd opcodes from 9 up
 * are scalar (VEX.L ignored).
 */
const FMA_OPERATIONS: ReadonlyArray<readonly [low: number, name: string, scalar: boolean]> = [
  [0x6, 'vfmaddsub', false], [0x7, 'vfmsubadd', false],
  [0x8, 'vfmadd', false], [0x9, 'vfmadd', true], [0xa, 'vfmsub', false], [0xb, 'vfmsub', true],
  [0xc, 'vfnmadd', false], [0xd, 'vfnmadd', true], [0xe, 'vfnmsub', false], [0xf, 'vfnmsub', true],
];

function fmaRows(): OpcodeRow[] {
  const rows: OpcodeRow[] = [];
  const facts: RowFacts = { ext: 'FMA' };
  for (const [high, order] of [[0x90, '132'], [0xa0, '213'], [0xb0, '231']] as const) {
    for (const [low, name, scalar] of FMA_OPERATIONS) {
      const opcode = (high + low).toString(16).toUpperCase();
      if (scalar) {
        rows.push(vex('LIG', `66.0F38.W0 ${opcode} /r`, `${name}${order}ss`, 'Vss,Hss,Wss', facts));
        rows.push(vex('LIG', `66.0F38.W1 ${opcode} /r`, `${name}${order}sd`, 'Vsd,Hsd,Wsd', facts));
      } else {
        rows.push(...vexBoth(`66.0F38.W0 ${opcode} /r`, `${name}${order}ps`, 'Vx,Hx,Wx', 'FMA', 'FMA'));
        rows.push(...vexBoth(`66.0F38.W1 ${opcode} /r`, `${name}${order}pd`, 'Vx,Hx,Wx', 'FMA', 'FMA'));
      }
    }
  }
  return rows;
}

function avxRows(): OpcodeRow[] {
  return [
    ...vexFamily('66.0F38.WIG', PACKED_INTEGER, 'Vx,Hx,Wx', 'AVX', 'AVX2'),
    ...vexFamily('66.0F38.WIG', [['1C', 'vpabsb'], ['1D', 'vpabsw'], ['1E', 'vpabsd']], 'Vx,Wx', 'AVX', 'AVX2'),
    ...EXTENSIONS.flatMap(([opcode, m, source128, source256]) => [
      vex('128', `66.0F38.WIG ${opcode} /r`, m, `Vdq,${source128}`, AVX),
      vex('256', `66.0F38.WIG ${opcode} /r`, m, `Vqq,${source256}`, AVX2),
    ]),
    vex('128', '66.0F38.WIG 41 /r', 'vphminposuw', 'Vdq,Wdq', AVX),
    ...vexBoth('66.0F38.WIG 17 /r', 'vptest', 'Vx,Wx', 'AVX', 'AVX', TEST),
    ...vexFamily('66.0F38.W0', [['0E', 'vtestps'], ['0F', 'vtestpd']], 'Vx,Wx', 'AVX', 'AVX', TEST),
    ...vexFamily('66.0F38.W0', [['0C', 'vpermilps'], ['0D', 'vpermilpd']], 'Vx,Hx,Wx', 'AVX', 'AVX'),
    ...vexBoth('66.0F38.WIG 2A /r mem', 'vmovntdqa', 'Vx,Mx', 'AVX', 'AVX2'),
    // Masked loads and stores: the mask is VEX.vvvv.
    ...vexBoth('66.0F38.W0 2C /r mem', 'vmaskmovps', 'Vx,Hx,Mx', 'AVX', 'AVX'),
    ...vexBoth('66.0F38.W0 2D /r mem', 'vmaskmovpd', 'Vx,Hx,Mx', 'AVX', 'AVX'),
    ...vexBoth('66.0F38.W0 2E /r mem', 'vmaskmovps', 'Mx,Hx,Vx', 'AVX', 'AVX'),
    ...vexBoth('66.0F38.W0 2F /r mem', 'vmaskmovpd', 'Mx,Hx,Vx', 'AVX', 'AVX'),
    // Broadcasts from memory came with AVX, from a register with AVX2.
    ...vexBoth('66.0F38.W0 18 /r mem', 'vbroadcastss', 'Vx,Md', 'AVX', 'AVX'),
    ...vexBoth('66.0F38.W0 18 /r reg', 'vbroadcastss', 'Vx,Udq', 'AVX2', 'AVX2'),
    vex('256', '66.0F38.W0 19 /r mem', 'vbroadcastsd', 'Vqq,Mq', AVX),
    vex('256', '66.0F38.W0 19 /r reg', 'vbroadcastsd', 'Vqq,Udq', AVX2),
    vex('256', '66.0F38.W0 1A /r mem', 'vbroadcastf128', 'Vqq,Mdq', AVX),
  ];
}

function avx2Rows(): OpcodeRow[] {
  return [
    vex('256', '66.0F38.W0 16 /r', 'vpermps', 'Vqq,Hqq,Wqq', AVX2),
    vex('256', '66.0F38.W0 36 /r', 'vpermd', 'Vqq,Hqq,Wqq', AVX2),
    ...vexFamily('66.0F38.W0', [['45', 'vpsrlvd'], ['46', 'vpsravd'], ['47', 'vpsllvd']], 'Vx,Hx,Wx', 'AVX2', 'AVX2'),
    ...vexFamily('66.0F38.W1', [['45', 'vpsrlvq'], ['47', 'vpsllvq']], 'Vx,Hx,Wx', 'AVX2', 'AVX2'),
    ...vexBoth('66.0F38.W0 58 /r', 'vpbroadcastd', 'Vx,Wd', 'AVX2', 'AVX2'),
    ...vexBoth('66.0F38.W0 59 /r', 'vpbroadcastq', 'Vx,Wq', 'AVX2', 'AVX2'),
    ...vexBoth('66.0F38.W0 78 /r', 'vpbroadcastb', 'Vx,Wb', 'AVX2', 'AVX2'),
    ...vexBoth('66.0F38.W0 79 /r', 'vpbroadcastw', 'Vx,Ww', 'AVX2', 'AVX2'),
    vex('256', '66.0F38.W0 5A /r mem', 'vbroadcasti128', 'Vqq,Mdq', AVX2),
    ...vexBoth('66.0F38.W0 8C /r mem', 'vpmaskmovd', 'Vx,Hx,Mx', 'AVX2', 'AVX2'),
    ...vexBoth('66.0F38.W1 8C /r mem', 'vpmaskmovq', 'Vx,Hx,Mx', 'AVX2', 'AVX2'),
    ...vexBoth('66.0F38.W0 8E /r mem', 'vpmaskmovd', 'Mx,Hx,Vx', 'AVX2', 'AVX2'),
    ...vexBoth('66.0F38.W1 8E /r mem', 'vpmaskmovq', 'Mx,Hx,Vx', 'AVX2', 'AVX2'),
  ];
}

/** F16C, VEX AES/VAES, GFNI, and the VNNI/IFMA/NE-CONVERT additions. */
function extensionRows(): OpcodeRow[] {
  // These names also belong to EVEX (AVX-512) instructions: objdump marks the VEX form `{vex}`.
  const vexPrefixed = (facts: RowFacts): RowFacts => ({ ...facts, vexPseudoPrefix: true });
  const vnni: RowFacts = { ext: 'OTHER', note: 'AVX-VNNI' };
  const vnniInt8: RowFacts = { ext: 'OTHER', note: 'AVX-VNNI-INT8' };
  const ifma: RowFacts = { ext: 'OTHER', note: 'AVX-IFMA' };
  const neConvert: RowFacts = { ext: 'OTHER', note: 'AVX-NE-CONVERT' };
  const rows: OpcodeRow[] = [
    vex('128', '66.0F38.W0 13 /r', 'vcvtph2ps', 'Vdq,Wq', { ext: 'F16C' }),
    vex('256', '66.0F38.W0 13 /r', 'vcvtph2ps', 'Vqq,Wdq', { ext: 'F16C' }),
    vex('128', '66.0F38.WIG DB /r', 'vaesimc', 'Vdq,Wdq', { ext: 'AES' }),
    // The ymm forms are VAES, an extension of their own.
    ...[['DC', 'vaesenc'], ['DD', 'vaesenclast'], ['DE', 'vaesdec'], ['DF', 'vaesdeclast']].flatMap(([opcode, m]) => [
      vex('128', `66.0F38.WIG ${opcode} /r`, m, 'Vx,Hx,Wx', { ext: 'AES' }),
      vex('256', `66.0F38.WIG ${opcode} /r`, m, 'Vx,Hx,Wx', { ext: 'OTHER', note: 'VAES' }),
    ]),
    ...vexBoth('66.0F38.W0 CF /r', 'vgf2p8mulb', 'Vx,Hx,Wx', 'OTHER', 'OTHER', { note: 'GFNI' }),
  ];
  for (const [opcode, m] of [['50', 'vpdpbusd'], ['51', 'vpdpbusds'], ['52', 'vpdpwssd'], ['53', 'vpdpwssds']]) {
    rows.push(...vexBoth(`66.0F38.W0 ${opcode} /r`, m, 'Vx,Hx,Wx', 'OTHER', 'OTHER', vexPrefixed(vnni)));
  }
  for (const [opcode, m] of [['B4', 'vpmadd52luq'], ['B5', 'vpmadd52huq']]) {
    rows.push(...vexBoth(`66.0F38.W1 ${opcode} /r`, m, 'Vx,Hx,Wx', 'OTHER', 'OTHER', vexPrefixed(ifma)));
  }
  for (const [prefix, signs] of [['NP', 'uu'], ['F3', 'su'], ['F2', 'ss']]) {
    rows.push(...vexFamily(`${prefix}.0F38.W0`, [['50', `vpdpb${signs}d`], ['51', `vpdpb${signs}ds`]],
      'Vx,Hx,Wx', 'OTHER', 'OTHER', vnniInt8));
  }
  // AVX-NE-CONVERT: loads of even/odd fp16 or bf16 elements, and a bf16 broadcast.
  const loads: ReadonlyArray<readonly [string, string, string]> = [
    ['NP', 'B0', 'vcvtneoph2ps'], ['66', 'B0', 'vcvtneeph2ps'], ['F3', 'B0', 'vcvtneebf162ps'], ['F2', 'B0', 'vcvtneobf162ps'],
  ];
  for (const [prefix, opcode, m] of loads) {
    rows.push(...vexBoth(`${prefix}.0F38.W0 ${opcode} /r mem`, m, 'Vx,Mx', 'OTHER', 'OTHER', neConvert));
  }
  rows.push(...vexBoth('66.0F38.W0 B1 /r mem', 'vbcstnesh2ps', 'Vx,Mw', 'OTHER', 'OTHER', neConvert));
  rows.push(...vexBoth('F3.0F38.W0 B1 /r mem', 'vbcstnebf162ps', 'Vx,Mw', 'OTHER', 'OTHER', neConvert));
  // Narrowing like vcvtpd2ps: objdump writes the x/y suffix on the memory forms too.
  rows.push(vex('128', 'F3.0F38.W0 72 /r', 'vcvtneps2bf16', 'Vdq,Wdq', vexPrefixed({ ...neConvert, suffix: 'xy' })));
  rows.push(vex('256', 'F3.0F38.W0 72 /r', 'vcvtneps2bf16', 'Vdq,Wqq', vexPrefixed({ ...neConvert, suffix: 'xy' })));
  return rows;
}

/** BMI1/BMI2 on general registers: VEX.L must be 0; VEX.W selects 64-bit only in 64-bit mode. */
function bmiRows(): OpcodeRow[] {
  const bmi1 = (flags: RowFacts['flags']): RowFacts => ({ ext: 'BMI1', flags });
  const bmi2: RowFacts = { ext: 'BMI2' };
  // andn/blsr/blsmsk/blsi/bzhi set SF ZF (and CF by their own rule), clear OF, leave AF PF undefined.
  const logic = { w: 'OSZAPC', u: 'AP' };
  return [
    vex('LZ', 'NP.0F38.WIG F2 /r', 'andn', 'Gy,By,Ey', bmi1(logic)),
    vex('LZ', 'NP.0F38.WIG F3 /1', 'blsr', 'By,Ey', bmi1(logic)),
    vex('LZ', 'NP.0F38.WIG F3 /2', 'blsmsk', 'By,Ey', bmi1(logic)),
    vex('LZ', 'NP.0F38.WIG F3 /3', 'blsi', 'By,Ey', bmi1(logic)),
    // bextr defines only ZF (OF and CF cleared); bzhi defines SF ZF CF.
    vex('LZ', 'NP.0F38.WIG F7 /r', 'bextr', 'Gy,Ey,By', bmi1({ w: 'OSZAPC', u: 'SAP' })),
    vex('LZ', 'NP.0F38.WIG F5 /r', 'bzhi', 'Gy,Ey,By', { ext: 'BMI2', flags: logic }),
    vex('LZ', 'F3.0F38.WIG F5 /r', 'pext', 'Gy,By,Ey', bmi2),
    vex('LZ', 'F2.0F38.WIG F5 /r', 'pdep', 'Gy,By,Ey', bmi2),
    // mulx multiplies EDX by the source: EDX is an implicit operand.
    vex('LZ', 'F2.0F38.WIG F6 /r', 'mulx', 'Gy,By,Ey', { ...bmi2, note: 'reads EDX implicitly' }),
    vex('LZ', '66.0F38.WIG F7 /r', 'shlx', 'Gy,Ey,By', bmi2),
    vex('LZ', 'F3.0F38.WIG F7 /r', 'sarx', 'Gy,Ey,By', bmi2),
    vex('LZ', 'F2.0F38.WIG F7 /r', 'shrx', 'Gy,Ey,By', bmi2),
  ];
}

export const VEX_0F38_ROWS: OpcodeRow[] = [
  ...avxRows(),
  ...avx2Rows(),
  ...fmaRows(),
  ...extensionRows(),
  ...bmiRows(),
];
