// The three-byte opcode maps 0F 38 xx and 0F 3A xx (Intel SDM Vol. 2 Tables ), legacy
// (non-VEX) encodings as decoded in 32-bit protected mode: SSSE3, SSE4.1, SSE4.2, AES-NI,
// PCLMULQDQ, SHA, GFNI, CRC32, MOVBE, ADX, the VMX/INVPCID invalidations, and the newer
// store/enqueue/Key Locker/RAO forms that iced-x86 decodes by default. Every 0F 3A row has an imm8.

import { op, type FlagEffects, type OpcodeRow } from './opcode-row-schema';
import { hex2 } from './opcode-table-flags';

/** ptest and the string compares set some of ZF CF SF OF and clear the rest. */
const STATUS_RESULT: FlagEffects = { w: 'OSZAPC' };

/** SSSE3 operations with an MMX form (no prefix) and an xmm form (66), in 0F 38. */
function ssse3Rows(): OpcodeRow[] {
  const names: Record<number, string> = {
    0x00: 'pshufb', 0x01: 'phaddw', 0x02: 'phaddd', 0x03: 'phaddsw', 0x04: 'pmaddubsw', 0x05: 'phsubw',
    0x06: 'phsubd', 0x07: 'phsubsw', 0x08: 'psignb', 0x09: 'psignw', 0x0a: 'psignd', 0x0b: 'pmulhrsw',
    0x1c: 'pabsb', 0x1d: 'pabsw', 0x1e: 'pabsd',
  };
  return Object.entries(names).flatMap(([byte, m]) => [
    op(`NP 0F 38 ${hex2(Number(byte))} /r`, m, 'Pq,Qq', { ext: 'SSSE3' }),
    op(`66 0F 38 ${hex2(Number(byte))} /r`, m, 'Vx,Wx', { ext: 'SSSE3' }),
  ]);
}

/** 66 0F 38 xx /r forms with two xmm operands. */
function sse41Rows(): OpcodeRow[] {
  const rows: Array<[number, string, string, 'SSE4.1' | 'SSE4.2']> = [
    [0x17, 'ptest', 'Vx,Wx', 'SSE4.1'],
    // Sign and zero extensions read only as many bytes as they widen.
    [0x20, 'pmovsxbw', 'Vx,Wq', 'SSE4.1'],
    [0x21, 'pmovsxbd', 'Vx,Wd', 'SSE4.1'],
    [0x22, 'pmovsxbq', 'Vx,Ww', 'SSE4.1'],
    [0x23, 'pmovsxwd', 'Vx,Wq', 'SSE4.1'],
    [0x24, 'pmovsxwq', 'Vx,Wd', 'SSE4.1'],
    [0x25, 'pmovsxdq', 'Vx,Wq', 'SSE4.1'],
    [0x28, 'pmuldq', 'Vx,Wx', 'SSE4.1'],
    [0x29, 'pcmpeqq', 'Vx,Wx', 'SSE4.1'],
    [0x2b, 'packusdw', 'Vx,Wx', 'SSE4.1'],
    [0x30, 'pmovzxbw', 'Vx,Wq', 'SSE4.1'],
    [0x31, 'pmovzxbd', 'Vx,Wd', 'SSE4.1'],
    [0x32, 'pmovzxbq', 'Vx,Ww', 'SSE4.1'],
    [0x33, 'pmovzxwd', 'Vx,Wq', 'SSE4.1'],
    [0x34, 'pmovzxwq', 'Vx,Wd', 'SSE4.1'],
    [0x35, 'pmovzxdq', 'Vx,Wq', 'SSE4.1'],
    [0x37, 'pcmpgtq', 'Vx,Wx', 'SSE4.2'],
    [0x38, 'pminsb', 'Vx,Wx', 'SSE4.1'],
    [0x39, 'pminsd', 'Vx,Wx', 'SSE4.1'],
    [0x3a, 'pminuw', 'Vx,Wx', 'SSE4.1'],
    [0x3b, 'pminud', 'Vx,Wx', 'SSE4.1'],
    [0x3c, 'pmaxsb', 'Vx,Wx', 'SSE4.1'],
    [0x3d, 'pmaxsd', 'Vx,Wx', 'SSE4.1'],
    [0x3e, 'pmaxuw', 'Vx,Wx', 'SSE4.1'],
    [0x3f, 'pmaxud', 'Vx,Wx', 'SSE4.1'],
    [0x40, 'pmulld', 'Vx,Wx', 'SSE4.1'],
    [0x41, 'phminposuw', 'Vx,Wx', 'SSE4.1'],
  ];
  return rows.map(([byte, m, ops, ext]) =>
    op(`66 0F 38 ${hex2(byte)} /r`, m, ops, { ext, ...(m === 'ptest' ? { flags: STATUS_RESULT } : {}) }),
  );
}

const MAP_0F38_ROWS: OpcodeRow[] = [
  ...ssse3Rows(),
  ...sse41Rows(),
  // Variable blends take their mask from xmm0, which objdump shows as a third operand.
  op('66 0F 38 10 /r', 'pblendvb', 'Vx,Wx,XMM0', { ext: 'SSE4.1' }),
  op('66 0F 38 14 /r', 'blendvps', 'Vps,Wps,XMM0', { ext: 'SSE4.1' }),
  op('66 0F 38 15 /r', 'blendvpd', 'Vpd,Wpd,XMM0', { ext: 'SSE4.1' }),
  op('66 0F 38 2A /r mem', 'movntdqa', 'Vx,Mx', { ext: 'SSE4.1' }),
  // invept/invvpid: objdump prints `OWORD PTR` (vbroadcastf128's m128 is XMMWORD, hence a row
  // fact rather than a rule for `Mdq`), invpcid no size at all.
  op('66 0F 38 80 /r mem', 'invept', 'Gd,Mdq', { octaword: true, flags: { w: 'OSZAPC' }, privileged: true, ext: 'VMX' }),
  op('66 0F 38 81 /r mem', 'invvpid', 'Gd,Mdq', { octaword: true, flags: { w: 'OSZAPC' }, privileged: true, ext: 'VMX' }),
  op('66 0F 38 82 /r mem', 'invpcid', 'Gd,M', { privileged: true, ext: 'INVPCID' }),
  op('NP 0F 38 C8 /r', 'sha1nexte', 'Vx,Wx', { ext: 'SHA' }),
  op('NP 0F 38 C9 /r', 'sha1msg1', 'Vx,Wx', { ext: 'SHA' }),
  op('NP 0F 38 CA /r', 'sha1msg2', 'Vx,Wx', { ext: 'SHA' }),
  op('NP 0F 38 CB /r', 'sha256rnds2', 'Vx,Wx,XMM0', { ext: 'SHA' }),
  op('NP 0F 38 CC /r', 'sha256msg1', 'Vx,Wx', { ext: 'SHA' }),
  op('NP 0F 38 CD /r', 'sha256msg2', 'Vx,Wx', { ext: 'SHA' }),
  op('66 0F 38 CF /r', 'gf2p8mulb', 'Vx,Wx', { ext: 'OTHER', note: 'GFNI' }),
  op('66 0F 38 DB /r', 'aesimc', 'Vx,Wx', { ext: 'AES' }),
  op('66 0F 38 DC /r', 'aesenc', 'Vx,Wx', { ext: 'AES' }),
  op('66 0F 38 DD /r', 'aesenclast', 'Vx,Wx', { ext: 'AES' }),
  op('66 0F 38 DE /r', 'aesdec', 'Vx,Wx', { ext: 'AES' }),
  op('66 0F 38 DF /r', 'aesdeclast', 'Vx,Wx', { ext: 'AES' }),
];

/**
 * 0F 38 F0-FF: movbe (no prefix or 66, memory only, never F3), crc32 (F2), ADX, CET stores,
 * direct stores and enqueues. objdump adds the source size to crc32 only for a memory source
 * (`crc32b`/`crc32w`/`crc32l`), so the memory forms carry their AT&T name.
 */
const MAP_0F38_F0_ROWS: OpcodeRow[] = [
  // A 66 consumed as mandatory prefix leaves the operand size at 32, so the 66 rows say `w`.
  op('NP 0F 38 F0 /r mem', 'movbe', 'Gd,Md', { ext: 'MOVBE' }),
  op('66 0F 38 F0 /r mem', 'movbe', 'Gw,Mw', { ext: 'MOVBE' }),
  op('NP 0F 38 F1 /r mem', 'movbe', 'Md,Gd', { ext: 'MOVBE' }),
  op('66 0F 38 F1 /r mem', 'movbe', 'Mw,Gw', { ext: 'MOVBE' }),
  op('F2 0F 38 F0 /r reg', 'crc32', 'Gd,Rb', { ext: 'SSE4.2' }),
  op('F2 0F 38 F0 /r mem', 'crc32', 'Gd,Mb', { att: 'crc32b', suffix: 'never', ext: 'SSE4.2' }),
  op('F2 0F 38 F1 /r reg', 'crc32', 'Gd,Rv', { ext: 'SSE4.2' }),
  op('F2 0F 38 F1 /r mem', 'crc32', 'Gd,Mv', { att: 'crc32l', suffix: 'never', osize: 32, ext: 'SSE4.2' }),
  op('F2 0F 38 F1 /r mem', 'crc32', 'Gd,Mv', { att: 'crc32w', suffix: 'never', osize: 16, ext: 'SSE4.2' }),
  // CET shadow-stack stores: objdump shows no size keyword for their memory operand.
  op('66 0F 38 F5 /r mem', 'wrussd', 'M,Gd', { privileged: true, ext: 'OTHER', note: 'CET shadow stack' }),
  op('NP 0F 38 F6 /r mem', 'wrssd', 'M,Gd', { ext: 'OTHER', note: 'CET shadow stack' }),
  op('66 0F 38 F6 /r', 'adcx', 'Gd,Ed', { flags: { r: 'C', w: 'C' }, ext: 'ADX' }),
  op('F3 0F 38 F6 /r', 'adox', 'Gd,Ed', { flags: { r: 'O', w: 'O' }, ext: 'ADX' }),
  // movdir64b/enqcmd name the destination address in a register of the address size.
  op('66 0F 38 F8 /r mem', 'movdir64b', 'Gd,M', { asize: 32, ext: 'OTHER', note: 'MOVDIR64B' }),
  op('66 0F 38 F8 /r mem', 'movdir64b', 'Gw,M', { asize: 16, ext: 'OTHER', note: 'MOVDIR64B' }),
  op('F3 0F 38 F8 /r mem', 'enqcmds', 'Gd,M', { asize: 32, flags: STATUS_RESULT, privileged: true, ext: 'OTHER', note: 'ENQCMD' }),
  op('F3 0F 38 F8 /r mem', 'enqcmds', 'Gw,M', { asize: 16, flags: STATUS_RESULT, privileged: true, ext: 'OTHER', note: 'ENQCMD' }),
  op('F2 0F 38 F8 /r mem', 'enqcmd', 'Gd,M', { asize: 32, flags: STATUS_RESULT, ext: 'OTHER', note: 'ENQCMD' }),
  op('F2 0F 38 F8 /r mem', 'enqcmd', 'Gw,M', { asize: 16, flags: STATUS_RESULT, ext: 'OTHER', note: 'ENQCMD' }),
  op('NP 0F 38 F9 /r mem', 'movdiri', 'Md,Gd', { ext: 'OTHER', note: 'MOVDIRI' }),
  // RAO-INT atomic operations (always locked, no LOCK prefix needed).
  op('NP 0F 38 FC /r mem', 'aadd', 'Md,Gd', { ext: 'OTHER', note: 'RAO-INT' }),
  op('66 0F 38 FC /r mem', 'aand', 'Md,Gd', { ext: 'OTHER', note: 'RAO-INT' }),
  op('F3 0F 38 FC /r mem', 'axor', 'Md,Gd', { ext: 'OTHER', note: 'RAO-INT' }),
  op('F2 0F 38 FC /r mem', 'aor', 'Md,Gd', { ext: 'OTHER', note: 'RAO-INT' }),
];

/** Key Locker (F3 0F 38 D8-DF, FA, FB): the destination register is ModRM.reg. */
const KEY_LOCKER_ROWS: OpcodeRow[] = [
  ...['aesencwide128kl', 'aesdecwide128kl', 'aesencwide256kl', 'aesdecwide256kl'].map((m, i) =>
    op(`F3 0F 38 D8 /${i} mem`, m, 'M', { flags: STATUS_RESULT, ext: 'OTHER', note: 'Key Locker' }),
  ),
  op('F3 0F 38 DC /r reg', 'loadiwkey', 'Vx,Ux', { flags: STATUS_RESULT, privileged: true, ext: 'OTHER', note: 'Key Locker' }),
  op('F3 0F 38 DC /r mem', 'aesenc128kl', 'Vx,M', { flags: STATUS_RESULT, ext: 'OTHER', note: 'Key Locker' }),
  op('F3 0F 38 DD /r mem', 'aesdec128kl', 'Vx,M', { flags: STATUS_RESULT, ext: 'OTHER', note: 'Key Locker' }),
  op('F3 0F 38 DE /r mem', 'aesenc256kl', 'Vx,M', { flags: STATUS_RESULT, ext: 'OTHER', note: 'Key Locker' }),
  op('F3 0F 38 DF /r mem', 'aesdec256kl', 'Vx,M', { flags: STATUS_RESULT, ext: 'OTHER', note: 'Key Locker' }),
  op('F3 0F 38 FA /r reg', 'encodekey128', 'Gd,Rd', { flags: STATUS_RESULT, ext: 'OTHER', note: 'Key Locker' }),
  op('F3 0F 38 FB /r reg', 'encodekey256', 'Gd,Rd', { flags: STATUS_RESULT, ext: 'OTHER', note: 'Key Locker' }),
];

/**
 * 0F 3A: every form has an imm8 after the ModRM. objdump prints pclmulqdq with an immediate of
 * 0x00-0x03, 0x10 or 0x11 as a pseudo-op (pclmullqlqdq...) and no immediate (`pseudoOps`).
 */
const MAP_0F3A_ROWS: OpcodeRow[] = [
  op('66 0F 3A 08 /r ib', 'roundps', 'Vps,Wps,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 09 /r ib', 'roundpd', 'Vpd,Wpd,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 0A /r ib', 'roundss', 'Vss,Wss,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 0B /r ib', 'roundsd', 'Vsd,Wsd,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 0C /r ib', 'blendps', 'Vps,Wps,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 0D /r ib', 'blendpd', 'Vpd,Wpd,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 0E /r ib', 'pblendw', 'Vx,Wx,Ib', { ext: 'SSE4.1' }),
  op('NP 0F 3A 0F /r ib', 'palignr', 'Pq,Qq,Ib', { ext: 'SSSE3' }),
  op('66 0F 3A 0F /r ib', 'palignr', 'Vx,Wx,Ib', { ext: 'SSSE3' }),
  // Extracts and inserts use a 32-bit register, or memory of the element's size.
  op('66 0F 3A 14 /r reg ib', 'pextrb', 'Rd,Vx,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 14 /r mem ib', 'pextrb', 'Mb,Vx,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 15 /r reg ib', 'pextrw', 'Rd,Vx,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 15 /r mem ib', 'pextrw', 'Mw,Vx,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 16 /r ib', 'pextrd', 'Ed,Vx,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 17 /r ib', 'extractps', 'Ed,Vx,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 20 /r reg ib', 'pinsrb', 'Vx,Rd,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 20 /r mem ib', 'pinsrb', 'Vx,Mb,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 21 /r ib', 'insertps', 'Vps,Wd,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 22 /r ib', 'pinsrd', 'Vx,Ed,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 40 /r ib', 'dpps', 'Vps,Wps,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 41 /r ib', 'dppd', 'Vpd,Wpd,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 42 /r ib', 'mpsadbw', 'Vx,Wx,Ib', { ext: 'SSE4.1' }),
  op('66 0F 3A 44 /r ib', 'pclmulqdq', 'Vx,Wx,Ib', { pseudoOps: 'pclmul', ext: 'PCLMUL' }),
  op('66 0F 3A 60 /r ib', 'pcmpestrm', 'Vx,Wx,Ib', { flags: STATUS_RESULT, ext: 'SSE4.2' }),
  op('66 0F 3A 61 /r ib', 'pcmpestri', 'Vx,Wx,Ib', { flags: STATUS_RESULT, ext: 'SSE4.2' }),
  op('66 0F 3A 62 /r ib', 'pcmpistrm', 'Vx,Wx,Ib', { flags: STATUS_RESULT, ext: 'SSE4.2' }),
  op('66 0F 3A 63 /r ib', 'pcmpistri', 'Vx,Wx,Ib', { flags: STATUS_RESULT, ext: 'SSE4.2' }),
  op('NP 0F 3A CC /r ib', 'sha1rnds4', 'Vx,Wx,Ib', { ext: 'SHA' }),
  op('66 0F 3A CE /r ib', 'gf2p8affineqb', 'Vx,Wx,Ib', { ext: 'OTHER', note: 'GFNI' }),
  op('66 0F 3A CF /r ib', 'gf2p8affineinvqb', 'Vx,Wx,Ib', { ext: 'OTHER', note: 'GFNI' }),
  op('66 0F 3A DF /r ib', 'aeskeygenassist', 'Vx,Wx,Ib', { ext: 'AES' }),
  op('F3 0F 3A F0 C0 ib', 'hreset', 'Ib', { privileged: true, ext: 'OTHER', note: 'HRESET; EAX selects the history to reset' }),
];

export const THREE_BYTE_ROWS: OpcodeRow[] = [
  ...MAP_0F38_ROWS,
  ...MAP_0F38_F0_ROWS,
  ...KEY_LOCKER_ROWS,
  ...MAP_0F3A_ROWS,
];
