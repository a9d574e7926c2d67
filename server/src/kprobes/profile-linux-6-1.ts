// Profile linux-6.1: modern x86 kprobes as in Debian's 6.1.176. Instructions are refused when
// copied or when their emulation is prepared; can_boost is decided at registration; branches and
// IF modifiers are emulated; everything else is single-stepped by a second int3 (§4 of the
// reference).

import { decideByRules, type BoostRule } from './boost-rule-list';
import type { KernelErrno, RuleDecision } from './kprobe-vocabulary';
import { facts as f, hexByte, type ProbedInstruction } from './probed-instruction';

/** Longest instruction slot on modern x86, and the size of the jump back. */
export const MAX_INSN_SIZE_6_1 = 15;
export const JMP32_SIZE = 5;

export interface Refusal {
  errno: KernelErrno;
  rule: string;
}

/** Instructions register_kprobe refuses, in the order the kernel checks them. */
const REFUSALS: ReadonlyArray<{ errno: KernelErrno; rule: string; applies: (p: ProbedInstruction) => boolean }> = [
  { errno: 'EINVAL', rule: 'int3 (0xCC) cannot be copied: -EINVAL', applies: (p) => f.mnemonic(p, 'int3') },
  {
    errno: 'EINVAL',
    rule: 'mov to %ss (0x8E /2) is refused when copied: -EINVAL',
    applies: (p) => f.mnemonic(p, 'mov') && f.loadsStackSegment(p),
  },
  {
    errno: 'EINVAL',
    // The kernel's header names 0x1F "pop SS"; 0x1F is really pop %ds, so 6.1 refuses pop %ds and
    // lets the real pop %ss (0x17) through.
    rule: 'pop %ds (0x1F, which the kernel\'s header calls "pop SS") is refused when copied: -EINVAL',
    applies: (p) => f.mnemonic(p, 'pop') && p.insn.operands[0]?.kind === 'reg' && p.insn.operands[0].reg === 'ds',
  },
  { errno: 'EOPNOTSUPP', rule: 'far call (0x9A) cannot be emulated: -EOPNOTSUPP', applies: (p) => f.farDirect(p, 'call') },
  { errno: 'EOPNOTSUPP', rule: 'far jmp (0xEA) cannot be emulated: -EOPNOTSUPP', applies: (p) => f.farDirect(p, 'jmp') },
  { errno: 'EOPNOTSUPP', rule: 'iret (0xCF) cannot be emulated: -EOPNOTSUPP', applies: f.interruptReturn },
  { errno: 'EOPNOTSUPP', rule: 'far indirect call/jmp (0xFF /3, /5) cannot be emulated: -EOPNOTSUPP', applies: f.farIndirect },
  {
    errno: 'EOPNOTSUPP',
    rule: 'indirect call/jmp through memory or with an address-size prefix (0xFF /2, /4) cannot be emulated: -EOPNOTSUPP',
    applies: (p) => (f.nearIndirect(p, 'call') || f.nearIndirect(p, 'jmp')) && (f.memoryOperand(p) || f.hasPrefix(p, 0x67)),
  },
  {
    errno: 'EOPNOTSUPP',
    rule: '0F 01 /0 register forms (vmcall and the like) cannot be emulated: -EOPNOTSUPP',
    applies: (p) => f.group(p, 'Grp7') && f.modrmReg(p) === 0 && !f.memoryOperand(p),
  },
];

export function linux61Refusal(p: ProbedInstruction): Refusal | null {
  const hit = REFUSALS.find((r) => r.applies(p));
  return hit ? { errno: hit.errno, rule: hit.rule } : null;
}

const TAIL = 'not boostable in linux-6.1';

export const LINUX_6_1_BOOST_RULES: readonly BoostRule[] = [
  {
    rule: (p) => `0F ${hexByte(p.insn.opcode)}: ${p.entry.kernelTwoByteBoostable61 ? 'in' : 'not in'} the two-byte boostable bitmap (looked up before any prefix)`,
    applies: f.twoByte,
    boostable: (p) => p.entry.kernelTwoByteBoostable61,
  },
  { rule: `three-byte opcode (0F 38 / 0F 3A): ${TAIL}`, applies: f.threeByte, boostable: false },
  { rule: `VEX-encoded instruction: outside the reference rules, treated as ${TAIL}`, applies: f.vex, boostable: false },
  {
    rule: `0x2E or address-size (0x67) prefix on a one-byte opcode: ${TAIL}`,
    applies: (p) => f.hasPrefix(p, 0x2e) || f.hasPrefix(p, 0x67),
    boostable: false,
  },
  { rule: `0x62 bound: ${TAIL}`, applies: (p) => f.mnemonic(p, 'bound'), boostable: false },
  { rule: `0x70–0x7F conditional jump: ${TAIL} (emulated instead)`, applies: f.conditionalJump, boostable: false },
  { rule: `0x9A far call: ${TAIL}`, applies: (p) => f.farDirect(p, 'call'), boostable: false },
  { rule: `0xC0–0xC1, 0xD0–0xD3 Grp2: ${TAIL}`, applies: (p) => f.group(p, 'Grp2'), boostable: false },
  { rule: `0xCC–0xCE int3, int n, into: ${TAIL}`, applies: f.softwareInterrupt, boostable: false },
  { rule: `0xD6 reserved: ${TAIL}`, applies: (p) => f.mnemonic(p, 'salc'), boostable: false },
  { rule: `0xD8–0xDF coprocessor escape: ${TAIL}`, applies: (p) => f.group(p, 'Esc'), boostable: false },
  { rule: `0xE0–0xE3 loop/jcxz: ${TAIL} (emulated instead)`, applies: f.loopOrJcxz, boostable: false },
  { rule: `0xE8 call, 0xE9/0xEB jmp (relative): ${TAIL} (emulated instead)`, applies: (p) => f.relativeCall(p) || f.relativeJump(p), boostable: false },
  { rule: `0xF1 int1, 0xF4 hlt: ${TAIL}`, applies: (p) => f.mnemonic(p, 'int1') || f.halt(p), boostable: false },
  { rule: `0xF6–0xF7 Grp3, 0xFE Grp4: ${TAIL}`, applies: (p) => f.group(p, 'Grp3', 'Grp4'), boostable: false },
  // The kernel's case 0xff returns `reg == 4` ("Only indirect jmp is boostable"): the reference's
  // list puts FF among the refusals with that condition, and the kernel's code decides the reading.
  {
    rule: (p) => (f.modrmReg(p) === 4 ? '0xFF /4 indirect jmp: the only boostable Grp5 form in linux-6.1' : `0xFF Grp5 other than /4 (indirect jmp): ${TAIL}`),
    applies: (p) => f.group(p, 'Grp5'),
    boostable: (p) => f.modrmReg(p) === 4,
  },
];

export function linux61CanBoost(p: ProbedInstruction): RuleDecision {
  return decideByRules(LINUX_6_1_BOOST_RULES, p, (q) => `opcode 0x${hexByte(q.insn.opcode)} passes can_boost`);
}

/** Instructions 6.1 emulates instead of stepping, with the emulation's name. */
export function linux61Emulation(p: ProbedInstruction): string | null {
  if (f.writesInterruptFlag(p) || f.pushesFlags(p)) return `${p.entry.mnemonic} is emulated (an int3 step cannot handle IF changes)`;
  if (f.nearReturn(p) || f.farReturn(p)) return `${p.entry.att} is emulated (the return address comes from the stack)`;
  if (f.relativeCall(p)) return 'call rel32 is emulated: the return address orig + length is pushed';
  if (f.relativeJump(p)) return 'relative jmp is emulated';
  if (f.conditionalJump(p)) return 'conditional jump is emulated from the flags';
  if (f.loopOrJcxz(p)) return `${p.entry.mnemonic} is emulated (honouring the address size)`;
  if ((f.nearIndirect(p, 'call') || f.nearIndirect(p, 'jmp')) && !f.memoryOperand(p)) {
    return `indirect ${p.entry.flow} through a register is emulated${p.entry.flow === 'call' ? ' (pushes orig + length, as in 6.1.176)' : ''}`;
  }
  return null;
}
