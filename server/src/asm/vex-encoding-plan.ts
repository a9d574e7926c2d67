// Encoding of VEX (AVX, AVX2, BMI, FMA...) entries: the operands are matched with vector
// registers sized by VEX.L, the second source goes in VEX.vvvv, a fourth register in imm8[7:4],
// and the prefix is the 2-byte C5 form whenever it can express the row (map 0F, W0 or WIG), else
// C4, as GNU as does. VEX.L and VEX.W that a row ignores are encoded as 0 (as's defaults).

import type { OpcodeEntry } from '../isa';
import type { OperandCode } from '../isa/operand-codes';
import type { AttOperand, RegisterClass } from './att-operand-syntax';
import { encodeMemoryOperand, SEGMENT_PREFIX } from './memory-operand-encoding';
import type { EncodingPlan, SlotPrefixes, ValueField } from './instruction-encoding-plan';
import type { MatchContext } from './operand-matching';
import { registerClassFor } from './operand-matching';

type MemoryOperand = Extract<AttOperand, { kind: 'mem' }>;

const PP_BITS: Record<number, number> = { 0: 0, 0x66: 1, 0xf3: 2, 0xf2: 3 };
const MAP_BITS: Record<string, number> = { '0f': 1, '0f38': 2, '0f3a': 3 };

/** The vector register class of an operand code at this VEX.L. */
function vectorClass(size: string, l: 0 | 1): RegisterClass {
  if (size === 'qq') return 'ymm';
  if (size === 'x' || size === 'ps' || size === 'pd') return l === 1 ? 'ymm' : 'xmm';
  return 'xmm';
}

function isReg(o: AttOperand | undefined, cls: RegisterClass): o is Extract<AttOperand, { kind: 'reg' }> {
  return o !== undefined && o.kind === 'reg' && !o.indirect && o.reg.cls === cls;
}

/** Tries a VEX entry with operands in Intel order; null when they do not match. */
export function vexPlanFor(
  entry: OpcodeEntry,
  operands: readonly (AttOperand | undefined)[],
  ctx: MatchContext,
  explicit: SlotPrefixes,
): EncodingPlan | string | null {
  const vex = entry.vex!;
  if (explicit.data || explicit.rep || explicit.lock) return null;
  if (operands.length !== entry.operands.length) return null;
  const l: 0 | 1 = vex.l === 1 ? 1 : 0;
  let reg = entry.reg >= 0 ? entry.reg : 0;
  let rm = -1;
  let memory: MemoryOperand | null = null;
  let vvvv = 0;
  const immediates: Array<{ size: 1; value: AttOperand & { kind: 'imm' } } | { size: 1; register: number }> = [];
  for (let i = 0; i < entry.operands.length; i++) {
    const code: OperandCode = entry.operands[i]!;
    const o = operands[i];
    if (o === undefined) return null;
    if (code.kind === 'fixed') {
      if (code.name === 'XMM0' && isReg(o, 'xmm') && o.reg.number === 0) continue;
      return null;
    }
    const vector = vectorClass(code.size, l);
    switch (code.method) {
      case 'V': if (!isReg(o, vector)) return null; reg = o.reg.number; break;
      case 'H': if (!isReg(o, vector)) return null; vvvv = o.reg.number; break;
      case 'U': if (!isReg(o, vector)) return null; rm = o.reg.number; break;
      case 'W':
        if (isReg(o, vector)) rm = o.reg.number;
        else if (o.kind === 'mem' && !o.indirect) memory = o;
        else return null;
        break;
      case 'M': if (o.kind !== 'mem' || o.indirect) return null; memory = o; break;
      case 'L': if (!isReg(o, vector)) return null; immediates.push({ size: 1, register: o.reg.number }); break;
      case 'B': if (!isReg(o, 'gpr32')) return null; vvvv = o.reg.number; break;
      case 'G': case 'E': case 'R': {
        const cls = registerClassFor(code.size, 32);
        if (cls !== null && isReg(o, cls)) {
          if (code.method === 'G') reg = o.reg.number;
          else rm = o.reg.number;
        } else if (code.method === 'E' && o.kind === 'mem' && !o.indirect) memory = o;
        else return null;
        break;
      }
      case 'I': if (o.kind !== 'imm') return null; immediates.push({ size: 1, value: o }); break;
      default: return null;
    }
  }
  if (entry.mod === 'mem' && memory === null) return null;
  if (entry.mod === 'reg' && memory !== null) return null;
  const bytes: number[] = [];
  const fields: ValueField[] = [];
  let mem = null;
  if (memory) {
    const vsib = entry.vsib !== null && memory.index !== null && (memory.index.cls === 'xmm' || memory.index.cls === 'ymm');
    const plain = vsib ? { ...memory, index: { ...memory.index!, cls: 'gpr32' as const, name: 'vsib' } } : memory;
    if (entry.vsib !== null && !vsib) return null;
    // The index register's width tells VEX.128 from VEX.256 where the destination does not (vpgatherqd).
    if (vsib && memory.index!.cls !== entry.vsib) return null;
    mem = encodeMemoryOperand(plain, memory.disp ? ctx.known(memory.disp) : 0n);
    if (typeof mem === 'string') return mem;
  }
  const segment = memory?.segment && mem && typeof mem !== 'string' && memory.segment.name !== mem.defaultSegment ? SEGMENT_PREFIX[memory.segment.name]! : explicit.segment;
  if (segment) bytes.push(segment);
  if (explicit.address || (mem && typeof mem !== 'string' && mem.addressSize === 16)) bytes.push(0x67);
  const w = vex.w === 1 ? 1 : 0;
  const low = ((~vvvv & 15) << 3) | (l << 2) | PP_BITS[vex.pp]!;
  if (entry.map === '0f' && w === 0 && !explicit.vex3) bytes.push(0xc5, 0x80 | low);
  else bytes.push(0xc4, 0xe0 | MAP_BITS[entry.map]!, (w << 7) | low);
  bytes.push(entry.opcode);
  if (!entry.hasModrm) {
    // vzeroupper, vzeroall: no ModRM.
  } else if (mem && typeof mem !== 'string') {
    bytes.push((mem.mod << 6) | (reg << 3) | mem.rm);
    if (mem.sib !== null) bytes.push(mem.sib);
    if (mem.dispSize) {
      fields.push({ offset: bytes.length, size: mem.dispSize as 1 | 2 | 4, expr: memory!.disp, relative: false });
      for (let i = 0; i < mem.dispSize; i++) bytes.push(0);
    }
  } else if (entry.rm >= 0) bytes.push(0xc0 | (reg << 3) | entry.rm);
  else bytes.push(0xc0 | (reg << 3) | (rm < 0 ? 0 : rm));
  for (const imm of immediates) {
    if ('register' in imm) bytes.push(imm.register << 4);
    else {
      fields.push({ offset: bytes.length, size: 1, expr: imm.value.expr, relative: false });
      bytes.push(0);
    }
  }
  return { entry, operandBits: 32, bytes, fields, relativeSize: 0, swapped: false, signed8: false };
}
