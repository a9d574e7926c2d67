// Emission of the laid-out items into section bytes, recording for the next version which items
// must be written again. After an edit laid out by relaxAfterEdit, the previous version's section
// bytes are copied in runs (one native copy each, moved by the edit's size change), then only the
// items whose bytes can differ are written: the edit's own, and before and after it those whose
// bytes depend on more than the item (emitItem said so last time: fields with symbols or
// addresses, data, alignment padding), except a branch or call whose bytes depend only on its
// distance to a label (distanceOnlyTarget) when both sit in one run of copied bytes (they moved
// together). Relocations and emission diagnostics come from the items written, in item order,
// as a full emission gives them (the skipped ones make none).

import { REPLACED, type Item } from './assembly-items';
import { distanceOnlyTarget, emitItem, type Emitter } from './section-emission';
import type { LayoutAfterEdit, PreviousLayout, SharedItems } from './relaxation-after-edit';

type LabelItem = Extract<Item, { kind: 'label' }>;

/** The items to write again next time (by index, in order), and per one the label its bytes depend on alone, if so. */
export interface Rewritten {
  items: Int32Array;
  targets: (LabelItem | null)[];
}

/**
 * Emits every item. The per-item loop lives in a small function of its own: V8 optimizes a long
 * loop in the middle of a bigger function, and the rest of that function then lacks type
 * feedback and deoptimizes on every call.
 */
export function emitAll(em: Emitter, items: Item[], buffers: Map<string, Uint8Array | null>): Rewritten {
  const indexes: number[] = [];
  const targets: (LabelItem | null)[] = [];
  let section = '';
  let buf: Uint8Array | null = null;
  // Items come in runs of one section: the buffer is looked up where the section changes.
  // Indexed loops in the per-item stages: an iterator here allocates a result per item.
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.section !== section) {
      section = item.section;
      buf = buffers.get(section) ?? null;
    }
    if (emitItem(em, item, buf)) {
      indexes.push(i);
      targets.push(distanceOnlyTarget(em.state, item));
    }
  }
  return { items: Int32Array.from(indexes), targets };
}

/** Whether two places lie inside one run of copied bytes (to, from, length triples). */
function oneRun(runs: number[], a: number, b: number): boolean {
  for (let r = 0; r < runs.length; r += 3) {
    const start = runs[r]!;
    const stop = start + runs[r + 2]!;
    if (a >= start && a < stop) return b >= start && b < stop;
  }
  return false;
}

/** Emits the items into `buffers` (sized by the layout) after an edit; returns what to write again next time. */
export function emitAfterEdit(
  em: Emitter, items: Item[], buffers: Map<string, Uint8Array | null>, previous: PreviousLayout, layout: LayoutAfterEdit, shared: SharedItems,
): Rewritten {
  for (const [name, buf] of buffers) {
    const old = previous.buffers.get(name);
    const runs = layout.copies.get(name)!;
    if (buf === null || old == null) continue;
    for (let r = 0; r < runs.length; r += 3) {
      const length = runs[r + 2]!;
      if (length > 0) buf.set(old.subarray(runs[r + 1]!, runs[r + 1]! + length), runs[r]!);
    }
  }
  const { prefix, end, oldEnd } = shared;
  const before = previous.rewritten;
  const indexes: number[] = [];
  const targets: (LabelItem | null)[] = [];
  let section = '';
  let buf: Uint8Array | null = null;
  let runs: number[] = [];
  const emit = (i: number, target: LabelItem | null): void => {
    const item = items[i]!;
    if (item.section !== section) {
      section = item.section;
      buf = buffers.get(section) ?? null;
      runs = layout.copies.get(section)!;
    }
    // Moved together with its label (the same one: the edit's labels are new items) in copied bytes.
    if (target !== null && target.order !== REPLACED && oneRun(runs, item.address, target.address)) {
      indexes.push(i);
      targets.push(target);
    } else if (emitItem(em, item, buf)) {
      indexes.push(i);
      targets.push(distanceOnlyTarget(em.state, item));
    }
  };
  let k = 0;
  for (; k < before.items.length && before.items[k]! < prefix; k++) emit(before.items[k]!, before.targets[k]!);
  for (let i = prefix; i < end; i++) emit(i, null);
  while (k < before.items.length && before.items[k]! < oldEnd) k++;
  const moved = end - oldEnd;
  for (; k < before.items.length; k++) emit(before.items[k]! + moved, before.targets[k]!);
  return { items: Int32Array.from(indexes), targets };
}
