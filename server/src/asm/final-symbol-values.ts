// Symbol values once the layout is done: labels at their addresses, `.set` symbols by their
// expression evaluated where they were set. The relaxation passes and the emission read these.

import { evaluate, type EvalContext, type SymbolLookup } from './expression-evaluation';
import type { AssemblyState } from './assembly-state';
import type { Item } from './assembly-items';

export /** Final symbol lookup: labels at their laid-out addresses, `.set` symbols by their expression. */
function finalContext(state: AssemblyState, at: Item): EvalContext {
  const visiting = new Set<string>();
  const lookup = (name: string): SymbolLookup => {
    const label = state.labelItems.get(name);
    if (label) return { kind: 'label', section: label.section, offset: BigInt(label.address), global: state.globals.has(name) || state.weaks.has(name) };
    const set = state.setItems.get(name);
    if (set && !visiting.has(name)) {
      visiting.add(name);
      const r = evaluate(set.expr, { lookup, dot: { section: set.section, offset: BigInt(set.address) } });
      visiting.delete(name);
      if (r.ok && r.value.base === null) return { kind: 'absolute', value: r.value.constant };
      if (r.ok && r.value.base?.kind === 'section') return { kind: 'label', section: r.value.base.section, offset: r.value.constant, global: false };
      return { kind: 'expr', expr: set.expr };
    }
    return { kind: 'undefined' };
  };
  return { lookup, dot: { section: at.section, offset: BigInt(at.address) } };
}
