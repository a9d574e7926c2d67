// Reading and writing the x87 memory formats (32/64/80-bit reals, 16/32/64-bit integers) as exact
// extended reals, with the control word's rounding on stores. Out-of-range integer stores write
// the integer indefinite; NaN stores write the real indefinite, as the FPU does with IE masked.

import type { Machine } from './machine';
import {
  LAST_ROUNDING, extFromBytes, extFromDouble, extFromInteger, extToBytes, extToDouble, extToInteger, type Ext, type RoundingMode,
} from './x87-extended-real';

const scratch = new DataView(new ArrayBuffer(8));

export function readReal32(m: Machine, address: number): Ext {
  scratch.setUint32(0, m.readMem(address, 4), true);
  const bits = scratch.getUint32(0, true);
  // A float NaN keeps its payload: quiet it and widen it like the FPU.
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) {
    // Loading a signalling NaN raises IE and quiets it.
    if ((bits & 0x400000) === 0) LAST_ROUNDING.invalid = true;
    return { kind: 'nan', negative: (bits >>> 31) === 1, e: 0, m: (BigInt(bits & 0x7fffff) << 40n) | 0xc000000000000000n };
  }
  if ((bits & 0x7f800000) === 0 && (bits & 0x7fffff) !== 0) LAST_ROUNDING.denormal = true;
  return extFromDouble(scratch.getFloat32(0, true));
}

export function readReal64(m: Machine, address: number): Ext {
  const low = m.readMem(address, 4);
  const high = m.readMem((address + 4) >>> 0, 4);
  if ((high & 0x7ff00000) === 0x7ff00000 && ((high & 0xfffff) !== 0 || low !== 0)) {
    const payload = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
    if ((high & 0x80000) === 0) LAST_ROUNDING.invalid = true;
    return { kind: 'nan', negative: (high >>> 31) === 1, e: 0, m: (payload << 11n) | 0xc000000000000000n };
  }
  scratch.setUint32(0, low, true);
  scratch.setUint32(4, high, true);
  return extFromDouble(scratch.getFloat64(0, true));
}

function nanBits(x: Ext, single: boolean): number[] {
  const sign = x.negative ? 1 : 0;
  if (single) return [((sign << 31) | 0x7f800000 | Number((x.m >> 40n) & 0x7fffffn) | 0x400000) >>> 0];
  const payload = (x.m >> 11n) & 0xfffffffffffffn;
  return [Number(payload & 0xffffffffn), ((sign << 31) | 0x7ff00000 | Number(payload >> 32n) | 0x80000) >>> 0];
}

export function writeReal32(m: Machine, address: number, value: Ext, rc: RoundingMode): void {
  if (value.kind === 'nan') {
    m.writeMem(address, 4, nanBits(value, true)[0]!);
    return;
  }
  scratch.setFloat32(0, extToDouble(value, rc, true), true);
  m.writeMem(address, 4, scratch.getUint32(0, true));
}

export function writeReal64(m: Machine, address: number, value: Ext, rc: RoundingMode): void {
  m.memory.probeWrite(address, 8);
  let words: number[];
  if (value.kind === 'nan') words = nanBits(value, false);
  else {
    scratch.setFloat64(0, extToDouble(value, rc), true);
    words = [scratch.getUint32(0, true), scratch.getUint32(4, true)];
  }
  m.writeMem(address, 4, words[0]!);
  m.writeMem((address + 4) >>> 0, 4, words[1]!);
}

export function readReal80(m: Machine, address: number): Ext {
  const low = m.readMem(address, 4);
  const high = m.readMem((address + 4) >>> 0, 4);
  const top = m.readMem((address + 8) >>> 0, 2);
  return extFromBytes((BigInt(high) << 32n) | BigInt(low), top);
}

export function writeReal80(m: Machine, address: number, value: Ext): void {
  m.memory.probeWrite(address, 10);
  const { mantissa, signExponent } = extToBytes(value);
  m.writeMem(address, 4, Number(mantissa & 0xffffffffn));
  m.writeMem((address + 4) >>> 0, 4, Number(mantissa >> 32n));
  m.writeMem((address + 8) >>> 0, 2, signExponent);
}

export function readInteger(m: Machine, address: number, size: number): Ext {
  if (size === 2) return extFromInteger(BigInt((m.readMem(address, 2) << 16) >> 16));
  if (size === 4) return extFromInteger(BigInt(m.readMem(address, 4) | 0));
  const low = m.readMem(address, 4);
  const high = m.readMem((address + 4) >>> 0, 4);
  return extFromInteger(BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low)));
}

/** Stores with rounding (or truncation for fisttp); out-of-range values store the integer indefinite. */
export function writeInteger(m: Machine, address: number, size: number, value: Ext, rc: RoundingMode): boolean {
  const n = extToInteger(value, rc);
  const limit = 1n << BigInt(size * 8 - 1);
  const valid = n !== null && n >= -limit && n < limit;
  const stored = valid ? BigInt.asUintN(size * 8, n!) : limit;
  if (size === 8) {
    m.memory.probeWrite(address, 8);
    m.writeMem(address, 4, Number(stored & 0xffffffffn));
    m.writeMem((address + 4) >>> 0, 4, Number(stored >> 32n));
  } else m.writeMem(address, size, Number(stored));
  return valid;
}
