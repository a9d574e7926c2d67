// Symbol values once the layout is done: labels at their addresses, `.set` symbols by their
// expression evaluated where they were set. The relaxation passes and the emission read these.

import { evaluate, type EvalContext, type SymbolLookup } from './expression-evaluation';
import type { AssemblyState } from './assembly-state';
import type { Item } from './assembly-items';

/** One lookup per state, made once: a context per field would cost more than the field. */
const lookups = new WeakMap<AssemblyState, (name: string) => SymbolLookup>();

function finalLookup(state: AssemblyState): (name: string) => SymbolLookup {
  let lookup = lookups.get(state);
  if (lookup) return lookup;
  // The `.set` symbols being evaluated, to stop at a cycle; evaluation is depth first, so one set serves.
  const visiting = new Set<string>();
  const f = (name: string): SymbolLookup => {
    const label = state.labelItems.get(name);
    if (label) return { kind: 'label', section: label.section, offset: BigInt(label.address), global: state.globals.has(name) || state.weaks.has(name) };
    const set = state.setItems.get(name);
    if (set && !visiting.has(name)) {
      visiting.add(name);
      try {
        const r = evaluate(set.expr, { lookup: f, dot: { section: set.section, offset: BigInt(set.address) } });
        if (r.ok && r.value.base === null) return { kind: 'absolute', value: r.value.constant };
        if (r.ok && r.value.base?.kind === 'section') return { kind: 'label', section: r.value.base.section, offset: r.value.constant, global: false };
        return { kind: 'expr', expr: set.expr };
      } finally {
        visiting.delete(name);
      }
    }
    return { kind: 'undefined' };
  };
  lookups.set(state, f);
  return (lookup = f);
}

/** Final symbol lookup: labels at their laid-out addresses, `.set` symbols by their expression. */
export function finalContext(state: AssemblyState, at: Item): EvalContext {
  return { lookup: finalLookup(state), dot: { section: at.section, offset: BigInt(at.address) } };
}
