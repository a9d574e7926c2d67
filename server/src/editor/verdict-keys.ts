// Verdicts as small numbers: one key per verdict (a shared value) and optprobe reason, the pair
// that an instruction's verdict class and diagnostic message are worded from. A document's column
// of keys lets diagnostics and line verdicts read every instruction with no probe lookup, and a
// function keeps its keys for as long as its analysis is reused (unchanged functions cost nothing).

import type { InstructionProbe, Optimizability, ReusableFunctionAnalysis } from '../kprobes';

/** An instruction with no verdict (undecodable): its wording depends on more than a key. */
export const NO_VERDICT_KEY = -1;

/** One probe per key, to word the key from. */
const representatives: InstructionProbe[] = [];
/** Keys by verdict: the one with no optimized answer, and those of each optimized answer's reason. */
const keysByVerdict = new WeakMap<object, { plain: number; optimized: Map<string, number> }>();

/** The key of a probe's verdict and optprobe reason, or NO_VERDICT_KEY. */
export function verdictKeyOf(probe: InstructionProbe): number {
  return probe.verdict === null ? NO_VERDICT_KEY : keyOf(probe.verdict, probe.optimizable, () => probe);
}

/** The key of a verdict and optprobe result; `probe` makes the key's probe when the key is new. */
function keyOf(v: object, optimizable: Optimizability | null, probe: () => InstructionProbe): number {
  let keys = keysByVerdict.get(v);
  if (keys === undefined) keysByVerdict.set(v, (keys = { plain: NO_VERDICT_KEY, optimized: new Map() }));
  if (!optimizable?.ok) {
    if (keys.plain === NO_VERDICT_KEY) keys.plain = representatives.push(probe()) - 1;
    return keys.plain;
  }
  let key = keys.optimized.get(optimizable.why);
  if (key === undefined) keys.optimized.set(optimizable.why, (key = representatives.push(probe()) - 1));
  return key;
}

/** A probe with the key's verdict and optprobe result (its address and instruction are not to be read). */
export function probeOfVerdictKey(key: number): InstructionProbe {
  return representatives[key]!;
}

const functionKeys = new WeakMap<ReusableFunctionAnalysis, Int32Array>();

/** The keys of a function analysis's instructions, by index; computed once per analysis. */
export function functionVerdictKeys(analysis: ReusableFunctionAnalysis): Int32Array {
  let keys = functionKeys.get(analysis);
  if (keys === undefined) {
    keys = new Int32Array(analysis.count);
    // From the columns: a probe object is made only for a key not seen before.
    let lastVerdict: object | null = null;
    let lastAnswer: Optimizability | null = null;
    let lastKey = NO_VERDICT_KEY;
    for (let k = 0; k < analysis.count; k++) {
      const v = analysis.verdict(k);
      if (v === null) {
        keys[k] = NO_VERDICT_KEY;
        continue;
      }
      // A refusal words like no answer (the verdict's plain key): only optimized answers are read.
      const answer = analysis.optimizedAt(k);
      // Neighbours mostly share both (shared values): one comparison instead of two lookups.
      if (v !== lastVerdict || answer !== lastAnswer) {
        lastKey = keyOf(v, answer, () => analysis.probe(k));
        lastVerdict = v;
        lastAnswer = answer;
      }
      keys[k] = lastKey;
    }
    functionKeys.set(analysis, keys);
  }
  return keys;
}
