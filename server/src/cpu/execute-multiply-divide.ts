// mul, imul (one, two and three operands), div and idiv with #DE on a zero divisor or a quotient
// that does not fit. 32x32 products are split into 16-bit halves to stay exact in doubles.

import type { HandlerFactory, HandlerFamily } from './dispatch-table';
import type { Machine } from './machine';
import { fault } from './cpu-signals';
import { CF, OF, STATUS } from './eflags-bits';
import { signExtend, szpFlags } from './flags-arithmetic';
import { reader } from './operand-access';

/** Unsigned 32x32 -> [low, high]. */
export function multiplyUnsigned32(a: number, b: number): [number, number] {
  const aLow = a & 0xffff, aHigh = a >>> 16, bLow = b & 0xffff, bHigh = b >>> 16;
  const ll = aLow * bLow;
  const middle = aHigh * bLow + aLow * bHigh + Math.floor(ll / 0x10000);
  const low = ((middle & 0xffff) * 0x10000 + (ll & 0xffff)) >>> 0;
  const high = (aHigh * bHigh + Math.floor(middle / 0x10000)) >>> 0;
  return [low, high];
}

/** Signed 32x32 -> [low, high] (two's complement words). */
export function multiplySigned32(a: number, b: number): [number, number] {
  const [low, high] = multiplyUnsigned32(a >>> 0, b >>> 0);
  let h = high;
  if ((a | 0) < 0) h -= b >>> 0;
  if ((b | 0) < 0) h -= a >>> 0;
  return [low, h >>> 0];
}

function mulFlags(m: Machine, overflow: boolean, low: number, size: number): void {
  // SF ZF AF PF are undefined; this follows the low half of the result.
  m.eflags = (m.eflags & ~STATUS) | (overflow ? CF | OF : 0) | szpFlags(low, size);
}

const mul: HandlerFactory = (entry) => {
  const byte = entry.operands[0]?.kind === 'method' && entry.operands[0].size === 'b';
  return (m, i) => {
    const size = byte ? 1 : i.osize;
    const b = m.readE(i, size);
    if (size === 1) {
      const r = (m.regs[0]! & 0xff) * b;
      m.setReg(0, 2, r);
      mulFlags(m, r > 0xff, r & 0xff, 1);
    } else if (size === 2) {
      const r = (m.regs[0]! & 0xffff) * b;
      m.setReg(0, 2, r);
      m.setReg(2, 2, r >>> 16);
      mulFlags(m, r > 0xffff, r & 0xffff, 2);
    } else {
      const [low, high] = multiplyUnsigned32(m.regs[0]!, b);
      m.regs[0] = low;
      m.regs[2] = high;
      mulFlags(m, high !== 0, low, 4);
    }
  };
};

const imul: HandlerFactory = (entry) => {
  const ops = entry.operands;
  if (ops.length === 1) {
    const byte = ops[0]?.kind === 'method' && ops[0].size === 'b';
    return (m, i) => {
      const size = byte ? 1 : i.osize;
      const b = signExtend(m.readE(i, size), size);
      if (size === 1) {
        const r = signExtend(m.regs[0]! & 0xff, 1) * b;
        m.setReg(0, 2, r);
        mulFlags(m, r !== signExtend(r & 0xff, 1), r & 0xff, 1);
      } else if (size === 2) {
        const r = signExtend(m.regs[0]! & 0xffff, 2) * b;
        m.setReg(0, 2, r);
        m.setReg(2, 2, r >> 16);
        mulFlags(m, r !== signExtend(r & 0xffff, 2), r & 0xffff, 2);
      } else {
        const [low, high] = multiplySigned32(m.regs[0]!, b);
        m.regs[0] = low;
        m.regs[2] = high;
        mulFlags(m, high !== ((low | 0) < 0 ? 0xffffffff : 0), low, 4);
      }
    };
  }
  // imul Gv,Ev and imul Gv,Ev,Iz/Ibs: truncated product.
  const third = ops[2] ? reader(ops[2]) : null;
  return (m, i) => {
    const size = i.osize;
    const a = m.readE(i, size);
    const b = third ? third(m, i, size) : m.getReg(i.reg, size);
    if (size === 2) {
      const r = signExtend(a, 2) * signExtend(b, 2);
      m.setReg(i.reg, 2, r);
      mulFlags(m, r !== signExtend(r & 0xffff, 2), r & 0xffff, 2);
    } else {
      // The double product is exact below 2^53 and far outside int32 above it: overflow is exact.
      const low = Math.imul(a, b) >>> 0;
      const product = (a | 0) * (b | 0);
      m.regs[i.reg] = low;
      mulFlags(m, product !== (low | 0), low, 4);
    }
  };
};

function divideError(m: Machine, address: number): never {
  void m;
  throw fault(0, `divide error at 0x${address.toString(16).padStart(8, '0')}`);
}

const div: HandlerFactory = (entry) => {
  const byte = entry.operands[0]?.kind === 'method' && entry.operands[0].size === 'b';
  return (m, i) => {
    const size = byte ? 1 : i.osize;
    const d = m.readE(i, size);
    if (d === 0) divideError(m, i.address);
    if (size === 1) {
      const n = m.regs[0]! & 0xffff;
      const q = Math.floor(n / d);
      if (q > 0xff) divideError(m, i.address);
      m.setReg(0, 2, ((n % d) << 8) | q);
    } else if (size === 2) {
      const n = ((m.regs[2]! & 0xffff) << 16 | (m.regs[0]! & 0xffff)) >>> 0;
      const q = Math.floor(n / d);
      if (q > 0xffff) divideError(m, i.address);
      m.setReg(0, 2, q);
      m.setReg(2, 2, n % d);
    } else {
      const high = m.regs[2]!;
      if (high >= d) divideError(m, i.address);
      if (high === 0) {
        const n = m.regs[0]!;
        m.regs[0] = Math.floor(n / d);
        m.regs[2] = n % d;
      } else {
        const [q, r] = divide64By32(high, m.regs[0]!, d);
        m.regs[0] = q;
        m.regs[2] = r;
      }
    }
  };
};

/** Exact floor(a / d) for a < 2^49: the rounded double quotient can be one too high. */
function exactQuotient(a: number, d: number): number {
  const q = Math.floor(a / d);
  return q * d > a ? q - 1 : q;
}

/**
 * (high:low) / d for high < d, so the quotient fits in 32 bits: long division by 16-bit digits,
 * every intermediate below 2^48 and therefore exact in a double (no BigInt on the hot path).
 */
export function divide64By32(high: number, low: number, d: number): [number, number] {
  const upper = high * 0x10000 + (low >>> 16);
  const q1 = exactQuotient(upper, d);
  const r1 = upper - q1 * d;
  const lower = r1 * 0x10000 + (low & 0xffff);
  const q0 = exactQuotient(lower, d);
  return [(q1 * 0x10000 + q0) >>> 0, lower - q0 * d];
}

const idiv: HandlerFactory = (entry) => {
  const byte = entry.operands[0]?.kind === 'method' && entry.operands[0].size === 'b';
  return (m, i) => {
    const size = byte ? 1 : i.osize;
    const d = signExtend(m.readE(i, size), size);
    if (d === 0) divideError(m, i.address);
    if (size === 1) {
      const n = signExtend(m.regs[0]! & 0xffff, 2);
      const q = Math.trunc(n / d);
      if (q > 127 || q < -128) divideError(m, i.address);
      m.setReg(0, 2, ((n % d & 0xff) << 8) | (q & 0xff));
    } else if (size === 2) {
      const n = ((m.regs[2]! & 0xffff) << 16) | (m.regs[0]! & 0xffff);
      const q = Math.trunc(n / d);
      if (q > 32767 || q < -32768) divideError(m, i.address);
      m.setReg(0, 2, q);
      m.setReg(2, 2, n % d);
    } else {
      const high = m.regs[2]! | 0;
      const low = m.regs[0]!;
      if (high === ((low | 0) >> 31)) {
        // The dividend fits in 32 bits (the usual cdq case): plain doubles are exact.
        const n = low | 0;
        const q = Math.trunc(n / d);
        if (q > 2147483647) divideError(m, i.address);
        m.regs[0] = q;
        m.regs[2] = n % d;
        return;
      }
      const n = (BigInt(high) << 32n) | BigInt(low);
      const big = BigInt(d);
      const q = n / big;
      if (q > 2147483647n || q < -2147483648n) divideError(m, i.address);
      m.regs[0] = Number(BigInt.asUintN(32, q));
      m.regs[2] = Number(BigInt.asUintN(32, n % big));
    }
  };
};

export const MULTIPLY_DIVIDE: HandlerFamily = { mul, imul, div, idiv };
