// General-purpose rows of the two-byte opcode map (0F xx) in 32-bit protected mode: cmovcc,
// jcc rel16/32, setcc, bit tests and scans, double shifts, cmpxchg/xadd, movzx/movsx, far-pointer
// loads, push/pop fs/gs, bswap, popcnt/tzcnt/lzcnt, the hint nops of 0F 18-1F and the ud0/ud1/ud2
// traps. System instructions are in opcode-table-two-byte-system.ts, SIMD in the -sse/-mmx files.

import { op, type FlagEffects, type OpcodeRow } from './opcode-row-schema';
import { ARITH, BIT_SCAN, BIT_TEST, CONDITIONS, MULTIPLY, SHIFT, hex2 } from './opcode-table-flags';

/** tzcnt, lzcnt: CF says "source was zero", ZF "result is zero", the others undefined. */
const COUNT_ZEROS: FlagEffects = { w: 'OSZAPC', u: 'OSAP' };
/** popcnt: ZF from the source, the other five cleared. */
const POPCNT: FlagEffects = { w: 'OSZAPC' };

function conditionalRows(): OpcodeRow[] {
  return CONDITIONS.flatMap(({ cc, reads }, i) => [
    op(`0F ${hex2(0x40 + i)} /r`, `cmov${cc}`, 'Gv,Ev', { flags: { r: reads }, ext: 'P6' }),
    op(`0F ${hex2(0x80 + i)} cz`, `j${cc}`, 'Jz', { flow: 'jcc', flags: { r: reads }, ext: '386' }),
    // The reg field of setcc is ignored; objdump never adds a size suffix.
    op(`0F ${hex2(0x90 + i)} /r`, `set${cc}`, 'Eb', { flags: { r: reads }, suffix: 'never', ext: '386' }),
  ]);
}

/** bt/bts/btr/btc with a register bit offset (0F A3/AB/B3/BB) and with an immediate (Grp8). */
function bitTestRows(): OpcodeRow[] {
  const ops = [
    { m: 'bt', reg: 0xa3, lock: false },
    { m: 'bts', reg: 0xab, lock: true },
    { m: 'btr', reg: 0xb3, lock: true },
    { m: 'btc', reg: 0xbb, lock: true },
  ] as const;
  return ops.flatMap(({ m, reg, lock }, i) => {
    const locked = lock ? { lock: true as const } : {};
    return [
      op(`0F ${hex2(reg)} /r`, m, 'Ev,Gv', { flags: BIT_TEST, ...locked, ext: '386' }),
      op(`0F BA /${4 + i} ib`, m, 'Ev,Ib', { flags: BIT_TEST, ...locked, ext: '386' }),
    ];
  });
}

/**
 * 0F 18-1F are "hint nops": any ModRM is a valid `nop Ev` except the forms given a meaning
 * (prefetch hints, cldemote, rdsspd/endbr). iced decodes 0F 1A/1B as nops too unless MPX is
 * enabled; objdump decodes them as MPX bnd* instructions, so those are not comparable with objdump.
 */
function hintNopRows(): OpcodeRow[] {
  const nop = (enc: string, note?: string): OpcodeRow =>
    op(enc, 'nop', 'Ev', { ext: 'P6', ...(note ? { note } : {}) });
  const rows: OpcodeRow[] = [];
  const prefetch = ['prefetchnta', 'prefetcht0', 'prefetcht1', 'prefetcht2'];
  prefetch.forEach((m, i) => {
    rows.push(op(`0F 18 /${i} mem`, m, 'Mb', { suffix: 'never', ext: 'SSE' }));
    rows.push(nop(`0F 18 /${i} reg`));
  });
  // 0F 18 /4-/7 are reserved hints (/6 /7 memory are prefetchit1/it0 on new CPUs; objdump 2.40 prints nop).
  for (let i = 4; i < 8; i++) rows.push(nop(`0F 18 /${i}`, 'reserved prefetch hint'));
  for (const byte of [0x19, 0x1a, 0x1b, 0x1d, 0x1f]) rows.push(nop(`0F ${hex2(byte)} /r`));
  // 0F 1C /0 memory is cldemote when no prefix is present; every other form of 0F 1C is a nop.
  rows.push(op('NP 0F 1C /0 mem', 'cldemote', 'Mb', { suffix: 'never', ext: 'OTHER', note: 'CLDEMOTE' }));
  rows.push(nop('0F 1C /r'));
  // 0F 1E under F3: rdsspd (reg /1), endbr64 (FA), endbr32 (FB); every other form is a nop.
  rows.push(op('F3 0F 1E /1 reg', 'rdsspd', 'Rd', { ext: 'OTHER', note: 'CET shadow stack' }));
  rows.push(op('F3 0F 1E FA', 'endbr64', '', { ext: 'OTHER', note: 'CET indirect branch tracking' }));
  rows.push(op('F3 0F 1E FB', 'endbr32', '', { ext: 'OTHER', note: 'CET indirect branch tracking' }));
  rows.push(nop('0F 1E /r'));
  return rows;
}

const MISC_ROWS: OpcodeRow[] = [
  op('0F 0B', 'ud2', '', { flow: 'ud', ext: 'P6' }),
  op('0F B9 /r', 'ud1', 'Gv,Ev', { flow: 'ud', ext: 'OTHER', note: 'UD1: always #UD, takes a ModRM' }),
  op('0F FF /r', 'ud0', 'Gv,Ev', { flow: 'ud', ext: 'OTHER', note: 'UD0: always #UD, takes a ModRM (iced and objdump)' }),
  // 0F 0D: AMD prefetch hints. Memory /0 /3-/7 are `prefetch`, /1 prefetchw, /2 prefetchwt1.
  // The register form is a reserved nop for iced; objdump 2.40 shows `prefetchw (bad)` there.
  op('0F 0D /0 mem', 'prefetch', 'Mb', { suffix: 'never', ext: 'PREFETCHW' }),
  op('0F 0D /1 mem', 'prefetchw', 'Mb', { suffix: 'never', ext: 'PREFETCHW' }),
  op('0F 0D /2 mem', 'prefetchwt1', 'Mb', { suffix: 'never', ext: 'OTHER', note: 'PREFETCHWT1' }),
  ...[3, 4, 5, 6, 7].map((i) =>
    op(`0F 0D /${i} mem`, 'prefetch', 'Mb', { suffix: 'never', ext: 'PREFETCHW', note: 'reserved hint, prefetches like /0' }),
  ),
  op('0F 0D /r reg', 'nop', 'Ev', { ext: 'PREFETCHW', note: 'reserved nop; objdump 2.40 misdecodes it' }),
  op('0F 0E', 'femms', '', { ext: 'OTHER', note: '3DNow! fast emms' }),
  op('0F A0', 'push', 'FS', { ext: '386', osize: 32 }),
  op('0F A0', 'pushw', 'FS', { ext: '386', osize: 16 }),
  op('0F A1', 'pop', 'FS', { ext: '386', osize: 32 }),
  op('0F A1', 'popw', 'FS', { ext: '386', osize: 16 }),
  op('0F A8', 'push', 'GS', { ext: '386', osize: 32 }),
  op('0F A8', 'pushw', 'GS', { ext: '386', osize: 16 }),
  op('0F A9', 'pop', 'GS', { ext: '386', osize: 32 }),
  op('0F A9', 'popw', 'GS', { ext: '386', osize: 16 }),
  op('0F A2', 'cpuid', '', { ext: '486', note: 'serializing' }),
  op('0F A4 /r ib', 'shld', 'Ev,Gv,Ib', { flags: SHIFT, ext: '386' }),
  op('0F A5 /r', 'shld', 'Ev,Gv,CL', { flags: SHIFT, ext: '386' }),
  op('0F AC /r ib', 'shrd', 'Ev,Gv,Ib', { flags: SHIFT, ext: '386' }),
  op('0F AD /r', 'shrd', 'Ev,Gv,CL', { flags: SHIFT, ext: '386' }),
  op('0F AF /r', 'imul', 'Gv,Ev', { flags: MULTIPLY, ext: '386' }),
  op('0F B0 /r', 'cmpxchg', 'Eb,Gb', { flags: ARITH, lock: true, ext: '486' }),
  op('0F B1 /r', 'cmpxchg', 'Ev,Gv', { flags: ARITH, lock: true, ext: '486' }),
  op('0F C0 /r', 'xadd', 'Eb,Gb', { flags: ARITH, lock: true, ext: '486' }),
  op('0F C1 /r', 'xadd', 'Ev,Gv', { flags: ARITH, lock: true, ext: '486' }),
  // Far pointer loads: m16:16 or m16:32 by operand size; the register form is invalid.
  op('0F B2 /r mem', 'lss', 'Gv,Mp', { ext: '386' }),
  op('0F B4 /r mem', 'lfs', 'Gv,Mp', { ext: '386' }),
  op('0F B5 /r mem', 'lgs', 'Gv,Mp', { ext: '386' }),
  // objdump spells the source size into the AT&T name and then appends the destination size.
  op('0F B6 /r', 'movzx', 'Gv,Eb', { att: 'movzb', suffix: 'always', ext: '386' }),
  op('0F B7 /r', 'movzx', 'Gv,Ew', { att: 'movzw', suffix: 'always', ext: '386' }),
  op('0F BE /r', 'movsx', 'Gv,Eb', { att: 'movsb', suffix: 'always', ext: '386' }),
  op('0F BF /r', 'movsx', 'Gv,Ew', { att: 'movsw', suffix: 'always', ext: '386' }),
  // F3 0F B8 is popcnt; without F3, 0F B8 is jmpe (IA-64 only), invalid here.
  op('F3 0F B8 /r', 'popcnt', 'Gv,Ev', { flags: POPCNT, ext: 'POPCNT' }),
  op('0F BC /r', 'bsf', 'Gv,Ev', { flags: BIT_SCAN, ext: '386' }),
  op('F3 0F BC /r', 'tzcnt', 'Gv,Ev', { flags: COUNT_ZEROS, ext: 'BMI1' }),
  op('0F BD /r', 'bsr', 'Gv,Ev', { flags: BIT_SCAN, ext: '386' }),
  op('F3 0F BD /r', 'lzcnt', 'Gv,Ev', { flags: COUNT_ZEROS, ext: 'LZCNT' }),
  op('0F C8+r', 'bswap', 'Zv', { ext: '486', note: 'with a 66 prefix the result is undefined (SDM)' }),
];

export const TWO_BYTE_GENERAL_ROWS: OpcodeRow[] = [
  ...conditionalRows(),
  ...bitTestRows(),
  ...hintNopRows(),
  ...MISC_ROWS,
];
