// Integer SIMD rows of the two-byte opcode map: the MMX forms (no prefix, mm registers) and their
// SSE2 twins (66 prefix, xmm registers) in 0F 60-7F and 0F C4-FE, the shift-by-immediate groups
// 12-14 (0F 71-73), movd/movq/movdqa/movdqu, and the MMX extensions that came with SSE.
//
// Size codes: `Pq`/`Qq`/`Nq` are mm registers or 8-byte memory, `Vx`/`Wx`/`Ux` xmm registers or
// 16-byte memory (Intel `XMMWORD PTR`), `Qd`/`Wq` narrower memory reads (`DWORD`/`QWORD PTR`).

import { op, type OpcodeRow } from './opcode-row-schema';
import type { IsaExtension } from './opcode-row-schema';
import { hex2 } from './opcode-table-flags';

/**
 * One integer operation with an MMX form (NP, `mmx` extension) and an SSE2 form (66). `mmxOps`
 * and `xmmOps` override the default `Pq,Qq` and `Vx,Wx`.
 */
interface SimdPair {
  byte: number;
  m: string;
  mmx: IsaExtension;
  mmxOps?: string;
  xmmOps?: string;
  /** ` reg` when only the register form exists. */
  form?: ' reg';
}

function pairRows(pairs: readonly SimdPair[]): OpcodeRow[] {
  return pairs.flatMap(({ byte, m, mmx, mmxOps = 'Pq,Qq', xmmOps = 'Vx,Wx', form = '' }) => [
    op(`NP 0F ${hex2(byte)} /r${form}`, m, mmxOps, { ext: mmx }),
    op(`66 0F ${hex2(byte)} /r${form}`, m, xmmOps, { ext: 'SSE2' }),
  ]);
}

/** Plain two-operand integer operations, by opcode byte. */
const PAIRS: readonly SimdPair[] = [
  // The low unpacks read only 4 bytes of an MMX memory operand.
  { byte: 0x60, m: 'punpcklbw', mmx: 'MMX', mmxOps: 'Pq,Qd' },
  { byte: 0x61, m: 'punpcklwd', mmx: 'MMX', mmxOps: 'Pq,Qd' },
  { byte: 0x62, m: 'punpckldq', mmx: 'MMX', mmxOps: 'Pq,Qd' },
  { byte: 0x63, m: 'packsswb', mmx: 'MMX' },
  { byte: 0x64, m: 'pcmpgtb', mmx: 'MMX' },
  { byte: 0x65, m: 'pcmpgtw', mmx: 'MMX' },
  { byte: 0x66, m: 'pcmpgtd', mmx: 'MMX' },
  { byte: 0x67, m: 'packuswb', mmx: 'MMX' },
  { byte: 0x68, m: 'punpckhbw', mmx: 'MMX' },
  { byte: 0x69, m: 'punpckhwd', mmx: 'MMX' },
  { byte: 0x6a, m: 'punpckhdq', mmx: 'MMX' },
  { byte: 0x6b, m: 'packssdw', mmx: 'MMX' },
  { byte: 0x74, m: 'pcmpeqb', mmx: 'MMX' },
  { byte: 0x75, m: 'pcmpeqw', mmx: 'MMX' },
  { byte: 0x76, m: 'pcmpeqd', mmx: 'MMX' },
  { byte: 0xd1, m: 'psrlw', mmx: 'MMX' },
  { byte: 0xd2, m: 'psrld', mmx: 'MMX' },
  { byte: 0xd3, m: 'psrlq', mmx: 'MMX' },
  { byte: 0xd4, m: 'paddq', mmx: 'SSE2' },
  { byte: 0xd5, m: 'pmullw', mmx: 'MMX' },
  { byte: 0xd8, m: 'psubusb', mmx: 'MMX' },
  { byte: 0xd9, m: 'psubusw', mmx: 'MMX' },
  { byte: 0xda, m: 'pminub', mmx: 'SSE' },
  { byte: 0xdb, m: 'pand', mmx: 'MMX' },
  { byte: 0xdc, m: 'paddusb', mmx: 'MMX' },
  { byte: 0xdd, m: 'paddusw', mmx: 'MMX' },
  { byte: 0xde, m: 'pmaxub', mmx: 'SSE' },
  { byte: 0xdf, m: 'pandn', mmx: 'MMX' },
  { byte: 0xe0, m: 'pavgb', mmx: 'SSE' },
  { byte: 0xe1, m: 'psraw', mmx: 'MMX' },
  { byte: 0xe2, m: 'psrad', mmx: 'MMX' },
  { byte: 0xe3, m: 'pavgw', mmx: 'SSE' },
  { byte: 0xe4, m: 'pmulhuw', mmx: 'SSE' },
  { byte: 0xe5, m: 'pmulhw', mmx: 'MMX' },
  { byte: 0xe8, m: 'psubsb', mmx: 'MMX' },
  { byte: 0xe9, m: 'psubsw', mmx: 'MMX' },
  { byte: 0xea, m: 'pminsw', mmx: 'SSE' },
  { byte: 0xeb, m: 'por', mmx: 'MMX' },
  { byte: 0xec, m: 'paddsb', mmx: 'MMX' },
  { byte: 0xed, m: 'paddsw', mmx: 'MMX' },
  { byte: 0xee, m: 'pmaxsw', mmx: 'SSE' },
  { byte: 0xef, m: 'pxor', mmx: 'MMX' },
  { byte: 0xf1, m: 'psllw', mmx: 'MMX' },
  { byte: 0xf2, m: 'pslld', mmx: 'MMX' },
  { byte: 0xf3, m: 'psllq', mmx: 'MMX' },
  { byte: 0xf4, m: 'pmuludq', mmx: 'SSE2' },
  { byte: 0xf5, m: 'pmaddwd', mmx: 'MMX' },
  { byte: 0xf6, m: 'psadbw', mmx: 'SSE' },
  { byte: 0xf8, m: 'psubb', mmx: 'MMX' },
  { byte: 0xf9, m: 'psubw', mmx: 'MMX' },
  { byte: 0xfa, m: 'psubd', mmx: 'MMX' },
  { byte: 0xfb, m: 'psubq', mmx: 'SSE2' },
  { byte: 0xfc, m: 'paddb', mmx: 'MMX' },
  { byte: 0xfd, m: 'paddw', mmx: 'MMX' },
  { byte: 0xfe, m: 'paddd', mmx: 'MMX' },
  // Register-only forms (the memory form is invalid).
  { byte: 0xd7, m: 'pmovmskb', mmx: 'SSE', mmxOps: 'Gd,Nq', xmmOps: 'Gd,Ux', form: ' reg' },
];

/** Groups 12-14: shifts of a register by an immediate; only the register form exists. */
function shiftImmediateRows(): OpcodeRow[] {
  const groups = [
    { byte: 0x71, shifts: { 2: 'psrlw', 4: 'psraw', 6: 'psllw' } },
    { byte: 0x72, shifts: { 2: 'psrld', 4: 'psrad', 6: 'pslld' } },
    { byte: 0x73, shifts: { 2: 'psrlq', 6: 'psllq' } },
  ];
  const rows: OpcodeRow[] = [];
  for (const { byte, shifts } of groups) {
    for (const [digit, m] of Object.entries(shifts)) {
      rows.push(op(`NP 0F ${hex2(byte)} /${digit} reg ib`, m, 'Nq,Ib', { ext: 'MMX' }));
      rows.push(op(`66 0F ${hex2(byte)} /${digit} reg ib`, m, 'Ux,Ib', { ext: 'SSE2' }));
    }
  }
  // Byte shifts of the whole register exist only for xmm.
  rows.push(op('66 0F 73 /3 reg ib', 'psrldq', 'Ux,Ib', { ext: 'SSE2' }));
  rows.push(op('66 0F 73 /7 reg ib', 'pslldq', 'Ux,Ib', { ext: 'SSE2' }));
  return rows;
}

const MOVE_ROWS: OpcodeRow[] = [
  op('66 0F 6C /r', 'punpcklqdq', 'Vx,Wx', { ext: 'SSE2' }),
  op('66 0F 6D /r', 'punpckhqdq', 'Vx,Wx', { ext: 'SSE2' }),
  // movd with a general register: Ed (the 64-bit Ey form needs REX.W).
  op('NP 0F 6E /r', 'movd', 'Pq,Ed', { ext: 'MMX' }),
  op('66 0F 6E /r', 'movd', 'Vx,Ed', { ext: 'SSE2' }),
  op('NP 0F 7E /r', 'movd', 'Ed,Pq', { ext: 'MMX' }),
  op('66 0F 7E /r', 'movd', 'Ed,Vx', { ext: 'SSE2' }),
  op('NP 0F 6F /r', 'movq', 'Pq,Qq', { ext: 'MMX' }),
  op('NP 0F 7F /r', 'movq', 'Qq,Pq', { ext: 'MMX' }),
  op('F3 0F 7E /r', 'movq', 'Vx,Wq', { ext: 'SSE2' }),
  op('66 0F D6 /r', 'movq', 'Wq,Vx', { ext: 'SSE2' }),
  op('66 0F 6F /r', 'movdqa', 'Vx,Wx', { ext: 'SSE2' }),
  op('66 0F 7F /r', 'movdqa', 'Wx,Vx', { ext: 'SSE2' }),
  op('F3 0F 6F /r', 'movdqu', 'Vx,Wx', { ext: 'SSE2' }),
  op('F3 0F 7F /r', 'movdqu', 'Wx,Vx', { ext: 'SSE2' }),
  op('F3 0F D6 /r reg', 'movq2dq', 'Vx,Nq', { ext: 'SSE2' }),
  op('F2 0F D6 /r reg', 'movdq2q', 'Pq,Ux', { ext: 'SSE2' }),
  op('NP 0F E7 /r mem', 'movntq', 'Mq,Pq', { ext: 'SSE' }),
  op('66 0F E7 /r mem', 'movntdq', 'Mx,Vx', { ext: 'SSE2' }),
  op('NP 0F 70 /r ib', 'pshufw', 'Pq,Qq,Ib', { ext: 'SSE' }),
  op('66 0F 70 /r ib', 'pshufd', 'Vx,Wx,Ib', { ext: 'SSE2' }),
  op('F3 0F 70 /r ib', 'pshufhw', 'Vx,Wx,Ib', { ext: 'SSE2' }),
  op('F2 0F 70 /r ib', 'pshuflw', 'Vx,Wx,Ib', { ext: 'SSE2' }),
  // pinsrw reads a 32-bit register or a 16-bit memory word.
  op('NP 0F C4 /r reg ib', 'pinsrw', 'Pq,Rd,Ib', { ext: 'SSE' }),
  op('NP 0F C4 /r mem ib', 'pinsrw', 'Pq,Mw,Ib', { ext: 'SSE' }),
  op('66 0F C4 /r reg ib', 'pinsrw', 'Vx,Rd,Ib', { ext: 'SSE2' }),
  op('66 0F C4 /r mem ib', 'pinsrw', 'Vx,Mw,Ib', { ext: 'SSE2' }),
  op('NP 0F C5 /r reg ib', 'pextrw', 'Gd,Nq,Ib', { ext: 'SSE' }),
  op('66 0F C5 /r reg ib', 'pextrw', 'Gd,Ux,Ib', { ext: 'SSE2' }),
  // maskmovq/maskmovdqu store through DS:(E)DI; the ModRM names the data and mask registers.
  op('NP 0F F7 /r reg', 'maskmovq', 'Pq,Nq', { ext: 'SSE' }),
  op('66 0F F7 /r reg', 'maskmovdqu', 'Vx,Ux', { ext: 'SSE2' }),
  op('NP 0F 77', 'emms', '', { ext: 'MMX' }),
];

export const TWO_BYTE_MMX_ROWS: OpcodeRow[] = [...pairRows(PAIRS), ...shiftImmediateRows(), ...MOVE_ROWS];
