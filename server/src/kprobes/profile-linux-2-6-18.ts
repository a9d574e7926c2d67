// Profile linux-2.6.18: the booster as merged in mainline i386 (June 2006). can_boost skips most
// prefixes and adds two-byte opcodes from the booster's bitmap (an opcode-table fact); the fix-ups
// after a step still switch on the copy's first byte (see kprobes-reference.md §3).

import { decideByRules, type BoostRule } from './boost-rule-list';
import { facts as f, hexByte, type ProbedInstruction } from './probed-instruction';

const TAIL = 'not boostable in linux-2.6.18';

export const LINUX_2_6_18_BOOST_RULES: readonly BoostRule[] = [
  {
    rule: `0x2E (CS override / branch hint) or 0x67 (address size) prefix: ${TAIL}`,
    applies: (p) => f.hasPrefix(p, 0x2e) || f.hasPrefix(p, 0x67),
    boostable: false,
  },
  {
    rule: (p) => `0F ${hexByte(p.insn.opcode)}: ${p.entry.kernelTwoByteBoostable2618 ? 'in' : 'not in'} the booster's two-byte bitmap`,
    applies: f.twoByte,
    boostable: (p) => p.entry.kernelTwoByteBoostable2618,
  },
  { rule: `0F 38 / 0F 3A three-byte opcodes: not in the two-byte bitmap, ${TAIL}`, applies: f.threeByte, boostable: false },
  { rule: `0x62 bound: ${TAIL}`, applies: (p) => f.mnemonic(p, 'bound'), boostable: false },
  { rule: `0x70–0x7F conditional jump: ${TAIL}`, applies: f.conditionalJump, boostable: false },
  { rule: `0x9A far call: ${TAIL}`, applies: (p) => f.oneByte(p) && f.farDirect(p, 'call'), boostable: false },
  { rule: `0xC0–0xC1, 0xD0–0xD3 Grp2 shifts: ${TAIL}`, applies: (p) => f.group(p, 'Grp2'), boostable: false },
  { rule: `0xCC–0xCE int3, int n, into: ${TAIL}`, applies: f.softwareInterrupt, boostable: false },
  { rule: `0xD6 reserved: ${TAIL}`, applies: (p) => f.mnemonic(p, 'salc'), boostable: false },
  { rule: `0xD8–0xDF coprocessor escape: ${TAIL}`, applies: (p) => f.group(p, 'Esc'), boostable: false },
  { rule: `0xE0–0xE3 loop/jcxz: ${TAIL}`, applies: f.loopOrJcxz, boostable: false },
  { rule: `0xE8 call, 0xE9/0xEB jmp (relative): ${TAIL}`, applies: (p) => f.relativeCall(p) || (f.relativeJump(p) && f.oneByte(p)), boostable: false },
  { rule: `0xF1 int1, 0xF4 hlt: ${TAIL}`, applies: (p) => f.mnemonic(p, 'int1') || f.halt(p), boostable: false },
  { rule: `0xF6–0xF7 Grp3, 0xFE–0xFF Grp4/Grp5: ${TAIL}`, applies: (p) => f.group(p, 'Grp3', 'Grp4', 'Grp5'), boostable: false },
];

export function linux2618CanBoost(p: ProbedInstruction) {
  return decideByRules(LINUX_2_6_18_BOOST_RULES, p, (q) => `opcode 0x${hexByte(q.insn.opcode)} passes can_boost (prefixes skipped)`);
}
