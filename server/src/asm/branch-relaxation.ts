// Layout of the items into section offsets, and the growth of short branches that do not reach
// their target, iterated to a fixed point the way GNU as's relax_segment does it.

import { evaluate, type Value } from './expression-evaluation';
import type { AssemblyState } from './assembly-state';
import { itemSize, type Item } from './assembly-items';
import { paddingSize } from './alignment-padding';
import { finalContext } from './final-symbol-values';

const MAX_LAYOUT_PASSES = 100;

/** Gives every item its offset in its section; returns each section's size. */
export function layout(state: AssemblyState): Map<string, number> {
  const offsets = new Map<string, number>();
  for (const item of state.items) {
    const offset = offsets.get(item.section) ?? 0;
    item.address = offset;
    const size = itemSize(item, (a) => paddingSize(offset, a.alignment, a.max));
    offsets.set(item.section, offset + size);
  }
  return offsets;
}

/** True when the branch target is a label of the branch's own section that is not weak. */
export function resolvesLocally(state: AssemblyState, item: Extract<Item, { kind: 'code' }>, value: Value): boolean {
  if (value.modifier) return false;
  if (value.base?.kind !== 'section' || value.base.section !== item.section) return false;
  return !(value.label && state.weaks.has(value.label.name));
}

/**
 * Grows short branches that do not reach, the way GNU as's relax_segment does: one pass walks
 * each section in order, moving every item by the growth ("stretch") of the items before it; a
 * branch target not reached yet in this pass is assumed to move by the same stretch. Alignment
 * padding is recomputed at the moved address and may absorb growth. Passes repeat until nothing
 * grows; branches never shrink, so this ends.
 */
export function relax(state: AssemblyState): Map<string, number> {
  layout(state);
  const reached = new Set<Item>();
  // Alignments split a section into regions; growth is not assumed to carry across them.
  const region = new Map<Item, number>();
  const regionCount = new Map<string, number>();
  for (const item of state.items) {
    const n = regionCount.get(item.section) ?? 0;
    region.set(item, n);
    if (item.kind === 'align') regionCount.set(item.section, n + 1);
  }
  for (let pass = 0; pass < MAX_LAYOUT_PASSES; pass++) {
    const stretch = new Map<string, number>();
    reached.clear();
    let grew = false;
    for (const item of state.items) {
      const moved = stretch.get(item.section) ?? 0;
      const oldAddress = item.address;
      const address = oldAddress + moved;
      let growth = 0;
      if (item.kind === 'align') {
        growth = paddingSize(address, item.alignment, item.max) - paddingSize(oldAddress, item.alignment, item.max);
      } else if (item.kind === 'code' && !item.useNear && item.encoding.near) {
        item.address = address;
        if (!branchReaches(state, item, reached, moved, region)) {
          item.useNear = true;
          growth = item.encoding.near.bytes.length - item.encoding.plan.bytes.length;
          grew = true;
        }
      }
      item.address = address;
      reached.add(item);
      stretch.set(item.section, moved + growth);
    }
    if (!grew) break;
  }
  return layout(state);
}

/** Whether a short branch reaches its target in the current pass of relax(). */
function branchReaches(
  state: AssemblyState, item: Extract<Item, { kind: 'code' }>, reached: Set<Item>, stretch: number, region: Map<Item, number>,
): boolean {
  const field = item.encoding.plan.fields.find((f) => f.relative)!;
  const r = evaluate(field.expr!, finalContext(state, item));
  if (!r.ok || !resolvesLocally(state, item, r.value)) return false;
  let target = r.value.constant;
  const label = r.value.label ? state.labelItems.get(r.value.label.name) : undefined;
  const end = BigInt(item.address + item.encoding.plan.bytes.length);
  if (label && !reached.has(label) && stretch !== 0) {
    if (stretch < 0 || region.get(label) === region.get(item)) target += BigInt(stretch);
    // A forward target across an alignment keeps its old address this pass, as in GNU as.
    else if (target < end) return true;
  }
  const disp = target - end;
  return disp >= -128n && disp <= 127n;
}
