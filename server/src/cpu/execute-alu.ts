// Integer ALU: add or adc sbb and sub xor cmp test, inc dec neg not, in every operand form of
// the table (Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev  AL,Ib  eAX,Iz  Eb,Ib  Ev,Iz  Ev,Ibs  Zv).

import type { HandlerFamily, HandlerFactory } from './dispatch-table';
import type { Machine } from './machine';
import { add, carry, incDec, logic, sub } from './flags-arithmetic';
import { readWrite, reader, sizeOf } from './operand-access';

type Operation = (m: Machine, size: number, a: number, b: number) => number;

function binary(operation: Operation, writesResult: boolean): HandlerFactory {
  return (entry) => {
    const dst = readWrite(entry, 0);
    const srcCode = entry.operands[1];
    const src = srcCode ? reader(srcCode) : null;
    if (!src || (!dst && writesResult)) return null;
    const readDst = dst ? dst[0] : reader(entry.operands[0]!);
    if (!readDst) return null;
    const size = sizeOf(entry);
    if (!writesResult) {
      return (m, i) => {
        const s = size(i);
        operation(m, s, readDst(m, i, s), src(m, i, s));
      };
    }
    const write = dst![1];
    return (m, i) => {
      const s = size(i);
      write(m, i, s, operation(m, s, readDst(m, i, s), src(m, i, s)));
    };
  };
}

function unary(operation: (m: Machine, size: number, a: number) => number): HandlerFactory {
  return (entry) => {
    const dst = readWrite(entry, 0);
    if (!dst) return null;
    const size = sizeOf(entry);
    const [read, write] = dst;
    return (m, i) => {
      const s = size(i);
      write(m, i, s, operation(m, s, read(m, i, s)));
    };
  };
}

export const ALU: HandlerFamily = {
  add: binary((m, s, a, b) => add(m, s, a, b, 0), true),
  adc: binary((m, s, a, b) => add(m, s, a, b, carry(m)), true),
  sub: binary((m, s, a, b) => sub(m, s, a, b, 0), true),
  sbb: binary((m, s, a, b) => sub(m, s, a, b, carry(m)), true),
  cmp: binary((m, s, a, b) => sub(m, s, a, b, 0), false),
  and: binary((m, s, a, b) => logic(m, s, a & b), true),
  or: binary((m, s, a, b) => logic(m, s, a | b), true),
  xor: binary((m, s, a, b) => logic(m, s, a ^ b), true),
  test: binary((m, s, a, b) => logic(m, s, a & b), false),
  inc: unary((m, s, a) => incDec(m, s, a, 1)),
  dec: unary((m, s, a) => incDec(m, s, a, -1)),
  neg: unary((m, s, a) => sub(m, s, 0, a, 0)),
  not: unary((_m, s, a) => (s === 4 ? ~a >>> 0 : ~a & (s === 1 ? 0xff : 0xffff))),
};
