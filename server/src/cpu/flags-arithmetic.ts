// Eager EFLAGS computation for the arithmetic families: each function returns the result masked
// to the operand size and stores the six status flags the way a modern Intel CPU leaves them.

import type { Machine } from './machine';
import { AF, CF, OF, PARITY, SF, SIGN_BIT, SIZE_MASK, STATUS, ZF } from './eflags-bits';

/** SF, ZF and PF of a result already masked to `size` bytes. */
export function szpFlags(result: number, size: number): number {
  return (result === 0 ? ZF : 0) | (result & SIGN_BIT[size]! ? SF : 0) | PARITY[result & 0xff]!;
}

function setStatus(m: Machine, flags: number): void {
  m.eflags = (m.eflags & ~STATUS) | flags;
}

export function add(m: Machine, size: number, a: number, b: number, carry: number): number {
  const mask = SIZE_MASK[size]!;
  const wide = a + b + carry;
  const r = size === 4 ? wide >>> 0 : wide & mask;
  const cf = wide > mask ? CF : 0;
  const of = (a ^ r) & (b ^ r) & SIGN_BIT[size]! ? OF : 0;
  setStatus(m, cf | of | ((a ^ b ^ r) & AF) | szpFlags(r, size));
  return r;
}

export function sub(m: Machine, size: number, a: number, b: number, borrow: number): number {
  const mask = SIZE_MASK[size]!;
  const wide = a - b - borrow;
  const r = size === 4 ? wide >>> 0 : wide & mask;
  const cf = wide < 0 ? CF : 0;
  const of = (a ^ b) & (a ^ r) & SIGN_BIT[size]! ? OF : 0;
  setStatus(m, cf | of | ((a ^ b ^ r) & AF) | szpFlags(r, size));
  return r;
}

/** and/or/xor/test: OF and CF cleared; AF is undefined and a modern CPU clears it. */
export function logic(m: Machine, size: number, r: number): number {
  const masked = size === 4 ? r >>> 0 : r & SIZE_MASK[size]!;
  setStatus(m, szpFlags(masked, size));
  return masked;
}

/** inc/dec keep CF. */
export function incDec(m: Machine, size: number, a: number, delta: 1 | -1): number {
  const keepCarry = m.eflags & CF;
  const r = delta === 1 ? add(m, size, a, 1, 0) : sub(m, size, a, 1, 0);
  m.eflags = (m.eflags & ~CF) | keepCarry;
  return r;
}

export function carry(m: Machine): number {
  return m.eflags & CF;
}

/** The sixteen condition codes in encoding order (o no b ae e ne be a s ns p np l ge le g). */
export function condition(flags: number, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (flags & OF) !== 0; break;
    case 1: r = (flags & CF) !== 0; break;
    case 2: r = (flags & ZF) !== 0; break;
    case 3: r = (flags & (CF | ZF)) !== 0; break;
    case 4: r = (flags & SF) !== 0; break;
    case 5: r = (flags & 4) !== 0; break;
    case 6: r = ((flags & SF) !== 0) !== ((flags & OF) !== 0); break;
    default: r = (flags & ZF) !== 0 || ((flags & SF) !== 0) !== ((flags & OF) !== 0); break;
  }
  return (cc & 1) === 0 ? r : !r;
}

export function signExtend(value: number, size: number): number {
  if (size === 1) return (value << 24) >> 24;
  if (size === 2) return (value << 16) >> 16;
  return value | 0;
}

export function mask(value: number, size: number): number {
  return size === 4 ? value >>> 0 : value & SIZE_MASK[size]!;
}
