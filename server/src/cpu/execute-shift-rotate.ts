// Shifts and rotates: shl/sal shr sar rol ror rcl rcr (by 1, CL and imm8) and shld/shrd, with
// the count masked to five bits and flags left as a modern Intel CPU leaves them.

import type { HandlerFactory, HandlerFamily } from './dispatch-table';
import type { Machine } from './machine';
import { CF, OF, SIGN_BIT, SIZE_MASK, STATUS } from './eflags-bits';
import { szpFlags } from './flags-arithmetic';
import { readWrite, reader, sizeOf } from './operand-access';

type Shift = (m: Machine, size: number, value: number, count: number) => number;

function bits(size: number): number {
  return size * 8;
}

function setFlags(m: Machine, keep: number, flags: number): void {
  m.eflags = (m.eflags & ~keep) | flags;
}

const shl: Shift = (m, size, a, count) => {
  const n = bits(size);
  const r = count < 32 ? ((a << count) >>> 0) & SIZE_MASK[size]! : 0;
  const cf = count <= n ? (a >>> (n - count)) & 1 : 0;
  const of = ((r & SIGN_BIT[size]!) !== 0 ? 1 : 0) ^ cf;
  setFlags(m, STATUS, (cf ? CF : 0) | (of ? OF : 0) | szpFlags(r, size));
  return r;
};

const shr: Shift = (m, size, a, count) => {
  const r = a >>> count;
  const cf = (a >>> (count - 1)) & 1;
  const of = count === 1 ? (a & SIGN_BIT[size]! ? OF : 0) : 0;
  setFlags(m, STATUS, (cf ? CF : 0) | of | szpFlags(r, size));
  return r;
};

const sar: Shift = (m, size, a, count) => {
  const s = size === 4 ? a | 0 : size === 2 ? (a << 16) >> 16 : (a << 24) >> 24;
  const r = (s >> Math.min(count, 31)) & SIZE_MASK[size]!;
  const cf = (s >> Math.min(count - 1, 31)) & 1;
  const result = size === 4 ? r >>> 0 : r;
  setFlags(m, STATUS, (cf ? CF : 0) | szpFlags(result, size));
  return result;
};

const rol: Shift = (m, size, a, count) => {
  const n = bits(size);
  const c = count % n;
  const r = c === 0 ? a : (((a << c) | (a >>> (n - c))) >>> 0) & SIZE_MASK[size]!;
  const cf = r & 1;
  const of = ((r & SIGN_BIT[size]!) !== 0 ? 1 : 0) ^ cf;
  setFlags(m, CF | OF, (cf ? CF : 0) | (of ? OF : 0));
  return r;
};

const ror: Shift = (m, size, a, count) => {
  const n = bits(size);
  const c = count % n;
  const r = c === 0 ? a : (((a >>> c) | (a << (n - c))) >>> 0) & SIZE_MASK[size]!;
  const msb = (r >>> (n - 1)) & 1;
  const next = (r >>> (n - 2)) & 1;
  setFlags(m, CF | OF, (msb ? CF : 0) | (msb ^ next ? OF : 0));
  return r;
};

const rcl: Shift = (m, size, a, count) => {
  const n = bits(size);
  const c = count % (n + 1);
  if (c === 0) return a;
  let r = a;
  let cf = m.eflags & CF ? 1 : 0;
  for (let k = 0; k < c; k++) {
    const out = (r >>> (n - 1)) & 1;
    r = (((r << 1) | cf) >>> 0) & SIZE_MASK[size]!;
    cf = out;
  }
  const of = ((r >>> (n - 1)) & 1) ^ cf;
  setFlags(m, CF | OF, (cf ? CF : 0) | (of ? OF : 0));
  return r;
};

const rcr: Shift = (m, size, a, count) => {
  const n = bits(size);
  const c = count % (n + 1);
  if (c === 0) return a;
  let r = a;
  let cf = m.eflags & CF ? 1 : 0;
  const of = ((a >>> (n - 1)) & 1) ^ cf;
  for (let k = 0; k < c; k++) {
    const out = r & 1;
    r = ((r >>> 1) | (cf << (n - 1))) >>> 0;
    cf = out;
  }
  setFlags(m, CF | OF, (cf ? CF : 0) | (of ? OF : 0));
  return r;
};

function shiftFactory(operation: Shift): HandlerFactory {
  return (entry) => {
    const dst = readWrite(entry, 0);
    const countCode = entry.operands[1];
    const count = countCode ? reader(countCode) : null;
    if (!dst || !count) return null;
    const size = sizeOf(entry);
    const [read, write] = dst;
    return (m, i) => {
      const s = size(i);
      const c = count(m, i, 1) & 0x1f;
      const a = read(m, i, s);
      if (c === 0) return;
      write(m, i, s, operation(m, s, a, c));
    };
  };
}

/** shld/shrd: the count comes from Ib or CL (operand 2); source is Gv. */
function doubleShift(left: boolean): HandlerFactory {
  return (entry) => {
    const dst = readWrite(entry, 0);
    const countCode = entry.operands[2];
    const count = countCode ? reader(countCode) : null;
    if (!dst || !count) return null;
    const [read, write] = dst;
    return (m, i) => {
      const s = i.osize;
      const c = count(m, i, 1) & 0x1f;
      const a = read(m, i, s);
      if (c === 0) return;
      const b = m.getReg(i.reg, s);
      let r: number;
      let cf: number;
      if (s === 4) {
        r = left ? ((a << c) | (b >>> (32 - c))) >>> 0 : ((a >>> c) | (b << (32 - c))) >>> 0;
        cf = left ? (a >>> (32 - c)) & 1 : (a >>> (c - 1)) & 1;
      } else if (left) {
        // 16 bits: counts above 16 are undefined (SDM); shift the stream dest:src:dest like Intel.
        const stream = a * 0x100000000 + b * 0x10000 + a;
        r = Math.floor((stream * 2 ** c) / 0x100000000) & 0xffff;
        cf = Math.floor(stream / 2 ** (48 - c)) & 1;
      } else {
        const stream = a * 0x100000000 + b * 0x10000 + a;
        r = Math.floor(stream / 2 ** c) & 0xffff;
        cf = Math.floor(stream / 2 ** (c - 1)) & 1;
      }
      const of = ((r ^ a) & SIGN_BIT[s]!) !== 0 ? OF : 0;
      m.eflags = (m.eflags & ~STATUS) | (cf ? CF : 0) | of | szpFlags(r, s);
      write(m, i, s, r);
    };
  };
}

export const SHIFT_ROTATE: HandlerFamily = {
  shl: shiftFactory(shl),
  sal: shiftFactory(shl),
  shr: shiftFactory(shr),
  sar: shiftFactory(sar),
  rol: shiftFactory(rol),
  ror: shiftFactory(ror),
  rcl: shiftFactory(rcl),
  rcr: shiftFactory(rcr),
  shld: doubleShift(true),
  shrd: doubleShift(false),
};
