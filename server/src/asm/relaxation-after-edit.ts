// Layout and relaxation of an edited version from the previous version's layout, in time
// proportional to the edit (plus one pass moving later addresses): the items before the edit keep
// their places, the edit's items are laid out, and the later items move by the edit's size change
// (changing where an alignment after the edit pads differently). Exact, or null when it cannot say:
//
// When the previous version's relaxation grew only branches that are near wherever they sit
// (forcedNear: targets in other sections, undefined or weak symbols), that is GNU as's answer for
// this version too as soon as every other branch reaches in the layout it gives: as's passes,
// started all short, then grow the forced ones in their first pass and see every other branch
// reach (each pass looks at what it has laid out so far, and a target ahead is placed no further
// than in that layout), so nothing else ever grows. A branch reached in the previous version, so it
// still reaches unless its span (at most 256 bytes) holds the edit or an alignment whose padding
// changed: only the branches that close to those places are checked.

import type { AssemblyState } from './assembly-state';
import type { Item } from './assembly-items';
import { itemSize, REPLACED } from './assembly-items';
import { paddingSize } from './alignment-padding';
import { branchLabel, forcedNear } from './branch-relaxation';
import type { Rewritten } from './emission-after-edit';

/** What a version leaves to the next one's layout and emission. */
export interface PreviousLayout {
  /** Its items, laid out (their addresses and branch sizes are this layout until the next one). */
  items: Item[];
  buffers: Map<string, Uint8Array | null>;
  sizes: Map<string, number>;
  /** See Relaxed.forcedOnly. */
  forcedOnly: boolean;
  /** The items whose bytes depend on more than the item (emitItem's answer). */
  rewritten: Rewritten;
}

/** Which items an edited version shares with the previous one: [0, prefix) and [end, ...) = old [oldEnd, ...). */
export interface SharedItems {
  prefix: number;
  end: number;
  oldEnd: number;
}

/** The layout of an edited version, and per section the runs of previous bytes to copy: (to, from, length) triples. */
export interface LayoutAfterEdit {
  sizes: Map<string, number>;
  copies: Map<string, number[]>;
  /** The alignments after the edit whose padding changed (by index, in order). */
  changedAlignments: number[];
}

/** Bytes around an edit or a changed alignment where a branch that reached may no longer reach. */
const WINDOW = 256;
/** Past this many items scanned around one place or this many changed alignments, the full relaxation runs. */
const SCAN_LIMIT = 4096;
const CHANGED_ALIGNMENTS_LIMIT = 64;

type CodeItem = Extract<Item, { kind: 'code' }>;

function sizeOf(item: Item): number {
  return item.kind === 'align' ? paddingSize(item.address, item.alignment, item.max) : itemSize(item, noPadding);
}

const noPadding = (): number => 0;

/** A relaxable branch of the previous layout's kind that must be checked: short (every near one is forced). */
function shortBranch(item: Item): item is CodeItem {
  return item.kind === 'code' && item.encoding.near !== null && !item.useNear;
}

/**
 * Adds the short branches of the sections in `bounds` met from `from` on (by `step`) while within
 * the bound of their section (addresses >= bound going back, < bound going forward). False when
 * it would scan more than SCAN_LIMIT items.
 */
function branchesNear(items: Item[], from: number, step: 1 | -1, bounds: Map<string, number>, out: number[]): boolean {
  let open = bounds.size;
  for (let i = from, scanned = 0; open > 0 && i >= 0 && i < items.length; i += step, scanned++) {
    if (scanned > SCAN_LIMIT) return false;
    const item = items[i]!;
    const bound = bounds.get(item.section);
    if (bound === undefined) continue;
    const inside = step < 0 ? item.address >= bound : item.address < bound;
    if (!inside) {
      bounds.delete(item.section);
      open--;
    } else if (shortBranch(item)) out.push(i);
  }
  return true;
}

/** The layout after an edit (see the file's comment), or null when the full relaxation must run. */
export function relaxAfterEdit(state: AssemblyState, previous: PreviousLayout, shared: SharedItems): LayoutAfterEdit | null {
  if (!previous.forcedOnly) return null;
  const items = state.items;
  const old = previous.items;
  const { prefix, end, oldEnd } = shared;
  if (items.length - end !== old.length - oldEnd || (end < items.length && items[end] !== old[oldEnd])) return null;
  if (prefix > 0 && items[prefix - 1] !== old[prefix - 1]) return null;
  // Where each section's part of the replaced items starts and ends in the previous layout.
  const start = new Map<string, number>();
  const oldStop = new Map<string, number>();
  for (let i = prefix; i < oldEnd; i++) {
    const item = old[i]!;
    // The walk made these labels again: the old items are no version's any more.
    if (item.kind === 'label') item.order = REPLACED;
    if (!start.has(item.section)) start.set(item.section, item.address);
    oldStop.set(item.section, item.address + sizeOf(item));
  }
  const toCheck: number[] = [];
  const offset = new Map(start);
  if (!layOutEdit(state, items, prefix, end, offset, toCheck)) return null;
  const delta = new Map<string, number>();
  for (const [name, stop] of oldStop) delta.set(name, offset.get(name)! - stop);
  const copies = new Map<string, number[]>();
  for (const [name, section] of state.sections) {
    const size = previous.sizes.get(name) ?? 0;
    if (section.type !== 'nobits' && !(previous.buffers.get(name)?.length === size)) return null;
    const from = start.get(name);
    // Untouched sections are copied whole; an edited one up to the edit, then from its end on.
    copies.set(name, from === undefined ? [0, 0, size] : [0, 0, from, offset.get(name)!, oldStop.get(name)!, -1]);
  }
  const changed: number[] = [];
  if (!moveLaterItems(items, end, delta, copies, changed)) return null;
  const sizes = new Map<string, number>();
  for (const [name] of state.sections) {
    const runs = copies.get(name)!;
    const size = (previous.sizes.get(name) ?? 0) + (delta.get(name) ?? 0);
    // The open run ends where the section did.
    if (runs[runs.length - 1] === -1) runs[runs.length - 1] = (previous.sizes.get(name) ?? 0) - runs[runs.length - 2]!;
    sizes.set(name, size);
  }
  // Branches near the edit on both sides, and near every alignment whose padding changed.
  const before = new Map<string, number>();
  const after = new Map<string, number>();
  for (const [name, from] of start) {
    before.set(name, from - WINDOW);
    after.set(name, offset.get(name)! + WINDOW);
  }
  if (!branchesNear(items, prefix - 1, -1, before, toCheck) || !branchesNear(items, end, 1, after, toCheck)) return null;
  for (const at of changed) {
    const align = items[at]!;
    const stop = align.address + sizeOf(align);
    if (!branchesNear(items, at - 1, -1, new Map([[align.section, align.address - WINDOW]]), toCheck)) return null;
    if (!branchesNear(items, at + 1, 1, new Map([[align.section, stop + WINDOW]]), toCheck)) return null;
  }
  for (const at of toCheck) if (!reaches(state, items[at] as CodeItem)) return null;
  return { sizes, copies, changedAlignments: changed };
}

/** Places the edit's items from each section's start; branches go near only when forced. False when it cannot. */
function layOutEdit(state: AssemblyState, items: Item[], prefix: number, end: number, offset: Map<string, number>, toCheck: number[]): boolean {
  for (let i = prefix; i < end; i++) {
    const item = items[i]!;
    const at = offset.get(item.section);
    // A section the previous version's replaced items did not use: where it stood is not known here.
    if (at === undefined) return false;
    item.address = at;
    if (item.kind === 'code' && item.encoding.near !== null) {
      const forced = forcedNear(state, item);
      if (forced === null) return false;
      item.useNear = forced;
      if (!forced) toCheck.push(i);
    }
    offset.set(item.section, at + sizeOf(item));
  }
  return true;
}

/**
 * Moves the items after the edit by their section's size change, which an alignment whose padding
 * changes alters from there on (`changed` gets those alignments; each closes a run of copied bytes
 * and opens the next). False past CHANGED_ALIGNMENTS_LIMIT of them.
 */
function moveLaterItems(items: Item[], end: number, delta: Map<string, number>, copies: Map<string, number[]>, changed: number[]): boolean {
  let section = '';
  let d = 0;
  for (let i = end; i < items.length; i++) {
    const item = items[i]!;
    if (item.section !== section) {
      if (section !== '') delta.set(section, d);
      section = item.section;
      d = delta.get(section) ?? 0;
    }
    if (d === 0) continue;
    const oldAddress = item.address;
    item.address = oldAddress + d;
    if (item.kind !== 'align') continue;
    const oldPadding = paddingSize(oldAddress, item.alignment, item.max);
    const padding = paddingSize(item.address, item.alignment, item.max);
    if (padding === oldPadding) continue;
    if (changed.push(i) > CHANGED_ALIGNMENTS_LIMIT) return false;
    const runs = copies.get(section)!;
    runs[runs.length - 1] = oldAddress - runs[runs.length - 2]!;
    runs.push(item.address + padding, oldAddress + oldPadding, -1);
    d += padding - oldPadding;
  }
  if (section !== '') delta.set(section, d);
  return true;
}

/** Whether a short branch to a plain label reaches it in this layout. */
function reaches(state: AssemblyState, item: CodeItem): boolean {
  const label = branchLabel(state, item);
  if (label === null) return false;
  const disp = label.address - (item.address + item.encoding.plan.bytes.length);
  return disp >= -128 && disp <= 127;
}
