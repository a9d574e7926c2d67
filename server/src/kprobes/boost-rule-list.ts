// A profile's can_boost as data: an ordered list of rules, the first that applies decides. Each
// rule names itself the way the kernel source and its mailing-list posts do.

import type { RuleDecision } from './kprobe-vocabulary';
import type { ProbedInstruction } from './probed-instruction';

export interface BoostRule {
  /** The words of the decision, e.g. "0x70–0x7F conditional jump: not boostable". */
  rule: string | ((p: ProbedInstruction) => string);
  applies: (p: ProbedInstruction) => boolean;
  /** The verdict when the rule applies; a function where an opcode-table fact decides. */
  boostable: boolean | ((p: ProbedInstruction) => boolean);
}

/** Runs the rules in order; `otherwise` describes a pass when no rule applies. */
export function decideByRules(
  rules: readonly BoostRule[],
  p: ProbedInstruction,
  otherwise: (p: ProbedInstruction) => string,
): RuleDecision {
  for (const r of rules) {
    if (!r.applies(p)) continue;
    const ok = typeof r.boostable === 'boolean' ? r.boostable : r.boostable(p);
    return { ok, rule: typeof r.rule === 'string' ? r.rule : r.rule(p) };
  }
  return { ok: true, rule: otherwise(p) };
}
