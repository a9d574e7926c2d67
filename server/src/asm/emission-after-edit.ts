// Emission of an edited version laid out by relaxAfterEdit: the previous version's section bytes
// are copied in runs (one native copy each, moved by the edit's size change), then only the items
// whose bytes can differ are written: the edit's own, and before and after it those whose bytes
// depend on more than the item (emitItem said so last time: fields with symbols or addresses,
// data, alignment padding). Every relocation and emission diagnostic comes from those, in item
// order, as a full emission gives them.

import type { Item } from './assembly-items';
import { emitItem, type Emitter } from './section-emission';
import type { LayoutAfterEdit, PreviousLayout, SharedItems } from './relaxation-after-edit';

/** Emits the items into `buffers` (sized by the layout); returns the indexes of the items to write again next time. */
export function emitAfterEdit(
  em: Emitter, items: Item[], buffers: Map<string, Uint8Array | null>, previous: PreviousLayout, layout: LayoutAfterEdit, shared: SharedItems,
): Int32Array {
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
  const out = new Int32Array(before.length + (end - prefix));
  let n = 0;
  let section = '';
  let buf: Uint8Array | null = null;
  const emit = (i: number): boolean => {
    const item = items[i]!;
    if (item.section !== section) {
      section = item.section;
      buf = buffers.get(section) ?? null;
    }
    return emitItem(em, item, buf);
  };
  let k = 0;
  for (; k < before.length && before[k]! < prefix; k++) if (emit(before[k]!)) out[n++] = before[k]!;
  for (let i = prefix; i < end; i++) if (emit(i)) out[n++] = i;
  while (k < before.length && before[k]! < oldEnd) k++;
  const moved = end - oldEnd;
  for (; k < before.length; k++) if (emit(before[k]! + moved)) out[n++] = before[k]! + moved;
  return out.subarray(0, n);
}
