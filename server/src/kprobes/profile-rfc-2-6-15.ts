// Profile rfc-2.6.15: the seed, Masami Hiramatsu's kprobe-booster RFC take 3 (Dec 2005). The
// table looks at the first byte of the copy only, prefixes included, and boosting is decided
// lazily after the first single-step (see kprobes-reference.md §2).

import { decideByRules, type BoostRule } from './boost-rule-list';
import { facts as f, hexByte, type ProbedInstruction } from './probed-instruction';

const TAIL = 'not boostable in rfc-2.6.15';

/** The seed's list of first bytes that are not boostable, as rules over the instruction's facts. */
export const RFC_2_6_15_BOOST_RULES: readonly BoostRule[] = [
  {
    rule: `0xF0–0xF3 lock, reserved (int1) and rep prefixes: ${TAIL}`,
    applies: (p) => [0xf0, 0xf2, 0xf3].includes(p.firstByte) || (p.prefixes.length === 0 && f.mnemonic(p, 'int1')),
    boostable: false,
  },
  {
    rule: (p) => `prefix 0x${hexByte(p.firstByte)} passes the table: it checks the first byte only (the seed's prose says "prefixes are NG", its table does not)`,
    applies: (p) => p.prefixes.length > 0,
    boostable: true,
  },
  { rule: `0x0F two-byte escape: 2-byte opcodes are ${TAIL}`, applies: (p) => f.twoByte(p) || f.threeByte(p), boostable: false },
  { rule: `0x70–0x7F conditional jump: ${TAIL}`, applies: f.conditionalJump, boostable: false },
  { rule: `0x9A far call: ${TAIL}`, applies: (p) => f.oneByte(p) && f.farDirect(p, 'call'), boostable: false },
  { rule: `0x9C pushf: ${TAIL}`, applies: f.pushesFlags, boostable: false },
  { rule: `0xC0–0xC1, 0xD0–0xD3 Grp2 (includes a reserved opcode): ${TAIL}`, applies: (p) => f.group(p, 'Grp2'), boostable: false },
  { rule: `0xC6–0xC7 Grp11 (includes a reserved opcode): ${TAIL}`, applies: (p) => f.group(p, 'Grp11'), boostable: false },
  { rule: `0xCC–0xCE int3, int n, into (software interrupts): ${TAIL}`, applies: f.softwareInterrupt, boostable: false },
  { rule: `0xD6 reserved: ${TAIL}`, applies: (p) => f.mnemonic(p, 'salc'), boostable: false },
  { rule: `0xD8–0xDF coprocessor escape: ${TAIL}`, applies: (p) => f.group(p, 'Esc'), boostable: false },
  { rule: `0xE0–0xE3 loop/jcxz: ${TAIL}`, applies: f.loopOrJcxz, boostable: false },
  { rule: `0xE8 call: ${TAIL} (the pushed return address must be fixed)`, applies: f.relativeCall, boostable: false },
  { rule: `0xF4 hlt: ${TAIL}`, applies: f.halt, boostable: false },
  { rule: `0xF6–0xF7 Grp3 (includes a reserved opcode): ${TAIL}`, applies: (p) => f.group(p, 'Grp3'), boostable: false },
  { rule: `0xFE–0xFF Grp4/Grp5 (include reserved opcodes): ${TAIL}`, applies: (p) => f.group(p, 'Grp4', 'Grp5'), boostable: false },
];

export function rfcCanBoost(p: ProbedInstruction) {
  return decideByRules(RFC_2_6_15_BOOST_RULES, p, (q) => `first byte 0x${hexByte(q.firstByte)} passes the seed's table`);
}
