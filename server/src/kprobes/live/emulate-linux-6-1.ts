// linux-6.1's emulation of the instructions an int3 step cannot run (kprobes-reference.md §4):
// cli/sti/pushf/popf, ret/lret, call/jmp rel, Jcc, loop/jcxz, call/jmp through a register. The
// static verdict (linux61Emulation) decides which probes are emulated; this performs the effect.

import { EFLAGS, type Machine } from '../../cpu';
import type { DecodedInstruction } from '../../isa';
import { GENERAL_REGISTER_NAMES } from '../../cpu';

const { CF, ZF, SF, OF, PF, IF, RF, VM, POPF_WRITABLE, FIXED_ONE } = EFLAGS;

/** Jcc condition number (low nibble of the opcode) against the flags. */
export function conditionHolds(cc: number, flags: number): boolean {
  const f = (bit: number) => (flags & bit) !== 0;
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = f(OF); break;
    case 1: r = f(CF); break;
    case 2: r = f(ZF); break;
    case 3: r = f(CF) || f(ZF); break;
    case 4: r = f(SF); break;
    case 5: r = f(PF); break;
    case 6: r = f(SF) !== f(OF); break;
    default: r = f(ZF) || f(SF) !== f(OF); break;
  }
  return (cc & 1) === 0 ? r : !r;
}

function push(m: Machine, size: number, value: number): void {
  const sp = (m.regs[4]! - size) >>> 0;
  if (size === 2) m.memory.write16(sp, value); else m.memory.write32(sp, value);
  m.regs[4] = sp;
}

function pop(m: Machine, size: number): number {
  const v = size === 2 ? m.memory.read16(m.regs[4]!) : m.memory.read32(m.regs[4]!);
  m.regs[4] = m.regs[4]! + size;
  return v;
}

function relTarget(insn: DecodedInstruction): number {
  const o = insn.operands[0];
  return o?.kind === 'rel' ? o.target >>> 0 : (insn.address + insn.length) >>> 0;
}

function registerValue(m: Machine, insn: DecodedInstruction): number | null {
  const o = insn.operands[0];
  if (o?.kind !== 'reg') return null;
  const n = (GENERAL_REGISTER_NAMES as readonly string[]).indexOf(o.reg);
  if (n >= 0) return m.regs[n]!;
  const n16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'].indexOf(o.reg);
  return n16 >= 0 ? m.regs[n16]! & 0xffff : null;
}

/**
 * Performs the instruction's effect as if it ran at insn.address; returns the operation's name,
 * or null when the instruction is not one 6.1 emulates. Memory faults propagate to the caller.
 */
export function emulateLinux61(m: Machine, insn: DecodedInstruction): string | null {
  const e = insn.entry;
  if (e === null) return null;
  const next = (insn.address + insn.length) >>> 0;
  const osize = insn.operandSize === 16 ? 2 : 4;
  const imm = insn.operands.find((o) => o.kind === 'imm');
  const stackAdjust = imm?.kind === 'imm' ? imm.value & 0xffff : 0;
  switch (e.mnemonic) {
    case 'cli': m.eflags = (m.eflags & ~IF) >>> 0; m.eip = next; return 'cli';
    case 'sti': m.eflags = (m.eflags | IF) >>> 0; m.eip = next; return 'sti';
    case 'pushf': case 'pushfw': push(m, osize, m.eflags & ~(RF | VM)); m.eip = next; return 'pushf';
    case 'popf': case 'popfw': {
      const value = pop(m, osize);
      const writable = osize === 4 ? POPF_WRITABLE & ~RF : POPF_WRITABLE & 0xffff;
      m.eflags = ((m.eflags & ~writable) | (value & writable) | FIXED_ONE) >>> 0;
      m.eip = next;
      return 'popf';
    }
  }
  if (e.flow === 'ret') {
    let ip = pop(m, osize);
    if (e.far) pop(m, osize); // the selector: a flat model keeps cs
    m.regs[4] = m.regs[4]! + stackAdjust;
    m.eip = osize === 2 ? ip & 0xffff : ip;
    return e.far ? 'lret' : 'ret';
  }
  if (e.flow === 'call' && e.relative) {
    push(m, osize, next);
    m.eip = relTarget(insn);
    return 'call rel';
  }
  if (e.flow === 'jmp' && e.relative) {
    m.eip = relTarget(insn);
    return 'jmp rel';
  }
  if (e.flow === 'jcc' && e.relative && e.group === null) {
    m.eip = conditionHolds(insn.opcode & 0xf, m.eflags) ? relTarget(insn) : next;
    return 'jcc';
  }
  if (e.flow === 'loop') {
    const mask = insn.addressSize === 16 ? 0xffff : 0xffffffff;
    let taken: boolean;
    if (e.mnemonic.startsWith('jcxz') || e.mnemonic.startsWith('jecxz')) taken = (m.regs[1]! & mask) === 0;
    else {
      const count = ((m.regs[1]! - 1) & mask) >>> 0;
      m.regs[1] = ((m.regs[1]! & ~mask) | count) >>> 0;
      const zf = (m.eflags & ZF) !== 0;
      taken = count !== 0 && (e.mnemonic.startsWith('loopne') ? !zf : e.mnemonic.startsWith('loope') ? zf : true);
    }
    m.eip = taken ? relTarget(insn) : next;
    return e.mnemonic;
  }
  if ((e.flow === 'call' || e.flow === 'jmp') && e.indirect && !e.far) {
    const target = registerValue(m, insn);
    if (target === null) return null;
    if (e.flow === 'call') push(m, osize, next);
    m.eip = target;
    return `${e.flow} *reg`;
  }
  return null;
}
