// VEX map 0F3A (C4 with mmmmm = 3): every row takes an imm8. AVX forms of SSE4.1/SSE4.2, the
// 128-bit lane inserts/extracts and permutes, the is4 blends (a fourth register in imm8[7:4],
// operand `L`), F16C vcvtps2ph, VEX PCLMULQDQ/AES, GFNI, BMI2 rorx, and AMD's FMA4.

import type { OpcodeRow, RowFacts } from './opcode-row-schema';
import { vex, vexBoth } from './opcode-table-vex-builders';

const AVX: RowFacts = { ext: 'AVX' };
const AVX2: RowFacts = { ext: 'AVX2' };
/** vpcmpestri/-m and vpcmpistri/-m set CF ZF SF OF from the string compare and clear AF PF. */
const STRING_COMPARE: RowFacts = { ext: 'AVX', flags: { w: 'OSZAPC' } };

/** Three-operand packed rows with an immediate control byte, WIG. */
const PACKED_WITH_IMMEDIATE: ReadonlyArray<readonly [string, string, 'AVX' | 'AVX2']> = [
  ['0C', 'vblendps', 'AVX'], ['0D', 'vblendpd', 'AVX'], ['0E', 'vpblendw', 'AVX2'], ['0F', 'vpalignr', 'AVX2'],
  ['40', 'vdpps', 'AVX'], ['42', 'vmpsadbw', 'AVX2'],
];

function avxRows(): OpcodeRow[] {
  return [
    ...PACKED_WITH_IMMEDIATE.flatMap(([opcode, m, ext256]) =>
      vexBoth(`66.0F3A.WIG ${opcode} /r ib`, m, 'Vx,Hx,Wx,Ib', 'AVX', ext256),
    ),
    vex('128', '66.0F3A.WIG 41 /r ib', 'vdppd', 'Vdq,Hdq,Wdq,Ib', AVX),
    ...vexBoth('66.0F3A.WIG 08 /r ib', 'vroundps', 'Vx,Wx,Ib', 'AVX', 'AVX'),
    ...vexBoth('66.0F3A.WIG 09 /r ib', 'vroundpd', 'Vx,Wx,Ib', 'AVX', 'AVX'),
    vex('LIG', '66.0F3A.WIG 0A /r ib', 'vroundss', 'Vss,Hss,Wss,Ib', AVX),
    vex('LIG', '66.0F3A.WIG 0B /r ib', 'vroundsd', 'Vsd,Hsd,Wsd,Ib', AVX),
    ...vexBoth('66.0F3A.W0 04 /r ib', 'vpermilps', 'Vx,Wx,Ib', 'AVX', 'AVX'),
    ...vexBoth('66.0F3A.W0 05 /r ib', 'vpermilpd', 'Vx,Wx,Ib', 'AVX', 'AVX'),
    vex('256', '66.0F3A.W0 06 /r ib', 'vperm2f128', 'Vqq,Hqq,Wqq,Ib', AVX),
    vex('256', '66.0F3A.W0 18 /r ib', 'vinsertf128', 'Vqq,Hqq,Wdq,Ib', AVX),
    vex('256', '66.0F3A.W0 19 /r ib', 'vextractf128', 'Wdq,Vqq,Ib', AVX),
    // Element inserts/extracts: a 32-bit register, or memory of the element's size.
    vex('128', '66.0F3A.WIG 14 /r reg ib', 'vpextrb', 'Ry,Vdq,Ib', AVX),
    vex('128', '66.0F3A.WIG 14 /r mem ib', 'vpextrb', 'Mb,Vdq,Ib', AVX),
    vex('128', '66.0F3A.WIG 15 /r reg ib', 'vpextrw', 'Ry,Vdq,Ib', AVX),
    vex('128', '66.0F3A.WIG 15 /r mem ib', 'vpextrw', 'Mw,Vdq,Ib', AVX),
    vex('128', '66.0F3A.WIG 16 /r ib', 'vpextrd', 'Ey,Vdq,Ib', AVX),
    vex('128', '66.0F3A.WIG 17 /r ib', 'vextractps', 'Ed,Vdq,Ib', AVX),
    vex('128', '66.0F3A.WIG 20 /r reg ib', 'vpinsrb', 'Vdq,Hdq,Ry,Ib', AVX),
    vex('128', '66.0F3A.WIG 20 /r mem ib', 'vpinsrb', 'Vdq,Hdq,Mb,Ib', AVX),
    vex('128', '66.0F3A.WIG 21 /r ib', 'vinsertps', 'Vdq,Hdq,Wd,Ib', AVX),
    vex('128', '66.0F3A.WIG 22 /r ib', 'vpinsrd', 'Vdq,Hdq,Ey,Ib', AVX),
    // The is4 blends: the selector register is imm8[7:4] (operand L; the ib is that byte).
    ...vexBoth('66.0F3A.W0 4A /r ib', 'vblendvps', 'Vx,Hx,Wx,Lx', 'AVX', 'AVX'),
    ...vexBoth('66.0F3A.W0 4B /r ib', 'vblendvpd', 'Vx,Hx,Wx,Lx', 'AVX', 'AVX'),
    ...vexBoth('66.0F3A.W0 4C /r ib', 'vpblendvb', 'Vx,Hx,Wx,Lx', 'AVX', 'AVX2'),
    // SSE4.2 string compares: implicit EAX/EDX lengths (explicit forms), ECX or XMM0 result.
    vex('128', '66.0F3A.WIG 60 /r ib', 'vpcmpestrm', 'Vdq,Wdq,Ib', STRING_COMPARE),
    vex('128', '66.0F3A.WIG 61 /r ib', 'vpcmpestri', 'Vdq,Wdq,Ib', STRING_COMPARE),
    vex('128', '66.0F3A.WIG 62 /r ib', 'vpcmpistrm', 'Vdq,Wdq,Ib', STRING_COMPARE),
    vex('128', '66.0F3A.WIG 63 /r ib', 'vpcmpistri', 'Vdq,Wdq,Ib', STRING_COMPARE),
  ];
}

function avx2Rows(): OpcodeRow[] {
  return [
    vex('256', '66.0F3A.W1 00 /r ib', 'vpermq', 'Vqq,Wqq,Ib', AVX2),
    vex('256', '66.0F3A.W1 01 /r ib', 'vpermpd', 'Vqq,Wqq,Ib', AVX2),
    ...vexBoth('66.0F3A.W0 02 /r ib', 'vpblendd', 'Vx,Hx,Wx,Ib', 'AVX2', 'AVX2'),
    vex('256', '66.0F3A.W0 46 /r ib', 'vperm2i128', 'Vqq,Hqq,Wqq,Ib', AVX2),
    vex('256', '66.0F3A.W0 38 /r ib', 'vinserti128', 'Vqq,Hqq,Wdq,Ib', AVX2),
    vex('256', '66.0F3A.W0 39 /r ib', 'vextracti128', 'Wdq,Vqq,Ib', AVX2),
  ];
}

function extensionRows(): OpcodeRow[] {
  return [
    vex('128', '66.0F3A.W0 1D /r ib', 'vcvtps2ph', 'Wq,Vdq,Ib', { ext: 'F16C' }),
    vex('256', '66.0F3A.W0 1D /r ib', 'vcvtps2ph', 'Wdq,Vqq,Ib', { ext: 'F16C' }),
    // objdump names the selector values 00/01/10/11 (vpclmullqlqdq ...) and drops the imm8.
    vex('128', '66.0F3A.WIG 44 /r ib', 'vpclmulqdq', 'Vx,Hx,Wx,Ib', { ext: 'PCLMUL', pseudoOps: 'pclmul' }),
    vex('256', '66.0F3A.WIG 44 /r ib', 'vpclmulqdq', 'Vx,Hx,Wx,Ib', { ext: 'OTHER', note: 'VPCLMULQDQ', pseudoOps: 'pclmul' }),
    vex('128', '66.0F3A.WIG DF /r ib', 'vaeskeygenassist', 'Vdq,Wdq,Ib', { ext: 'AES' }),
    ...vexBoth('66.0F3A.W1 CE /r ib', 'vgf2p8affineqb', 'Vx,Hx,Wx,Ib', 'OTHER', 'OTHER', { note: 'GFNI' }),
    ...vexBoth('66.0F3A.W1 CF /r ib', 'vgf2p8affineinvqb', 'Vx,Hx,Wx,Ib', 'OTHER', 'OTHER', { note: 'GFNI' }),
    vex('LZ', 'F2.0F3A.WIG F0 /r ib', 'rorx', 'Gy,Ey,Ib', { ext: 'BMI2' }),
  ];
}

/**
 * AMD FMA4: a fourth register in imm8[7:4]; VEX.W swaps which of the last two operands is the
 * ModRM.rm one (W0: the third, W1: the fourth). Scalar forms ignore VEX.L; the odd opcode of
 * each pair is double precision.
 */
const FMA4_OPERATIONS: ReadonlyArray<readonly [base: number, name: string, scalar: boolean]> = [
  [0x5c, 'vfmaddsub', false], [0x5e, 'vfmsubadd', false],
  [0x68, 'vfmadd', false], [0x6a, 'vfmadd', true], [0x6c, 'vfmsub', false], [0x6e, 'vfmsub', true],
  [0x78, 'vfnmadd', false], [0x7a, 'vfnmadd', true], [0x7c, 'vfnmsub', false], [0x7e, 'vfnmsub', true],
];

function fma4Rows(): OpcodeRow[] {
  const facts: RowFacts = { ext: 'OTHER', note: 'FMA4 (AMD)' };
  return FMA4_OPERATIONS.flatMap(([base, name, scalar]) =>
    [0, 1].flatMap((double) => {
      const opcode = (base + double).toString(16).toUpperCase();
      const type = scalar ? (double ? 'sd' : 'ss') : double ? 'pd' : 'ps';
      const size = scalar ? type : 'x';
      const ops0 = `V${size},H${size},W${size},L${size}`;
      const ops1 = `V${size},H${size},L${size},W${size}`;
      if (scalar) {
        return [
          vex('LIG', `66.0F3A.W0 ${opcode} /r ib`, `${name}${type}`, ops0, facts),
          vex('LIG', `66.0F3A.W1 ${opcode} /r ib`, `${name}${type}`, ops1, facts),
        ];
      }
      return [
        ...vexBoth(`66.0F3A.W0 ${opcode} /r ib`, `${name}${type}`, ops0, 'OTHER', 'OTHER', facts),
        ...vexBoth(`66.0F3A.W1 ${opcode} /r ib`, `${name}${type}`, ops1, 'OTHER', 'OTHER', facts),
      ];
    }),
  );
}

export const VEX_0F3A_ROWS: OpcodeRow[] = [...avxRows(), ...avx2Rows(), ...extensionRows(), ...fma4Rows()];
