// Layout of the items into section offsets, and the growth of short branches that do not reach
// their target, iterated to a fixed point the way GNU as's relax_segment does it.

import { evaluate, type Value } from './expression-evaluation';
import type { Expr } from './expression-syntax';
import type { AssemblyState } from './assembly-state';
import { itemSize, type Item } from './assembly-items';
import { paddingSize } from './alignment-padding';
import { finalContext } from './final-symbol-values';

const MAX_LAYOUT_PASSES = 100;

/** Size of an item at its current address (alignment padding depends on it). */
function sizeHere(item: Item): number {
  switch (item.kind) {
    case 'label': case 'set': return 0;
    case 'code': return (item.useNear && item.encoding.near ? item.encoding.near : item.encoding.plan).bytes.length;
    case 'align': return paddingSize(item.address, item.alignment, item.max);
    default: return itemSize(item, () => 0);
  }
}

/** Gives every item its offset in its section; returns each section's size. */
export function layout(state: AssemblyState): Map<string, number> {
  const offsets = new Map<string, number>();
  let section = '';
  let offset = 0;
  for (const item of state.items) {
    // Items come in runs of one section: look the offset up only where the section changes.
    if (item.section !== section) {
      if (section !== '') offsets.set(section, offset);
      section = item.section;
      offset = offsets.get(section) ?? 0;
    }
    item.address = offset;
    offset += sizeHere(item);
  }
  if (section !== '') offsets.set(section, offset);
  return offsets;
}

/** True when the branch target is a label of the branch's own section that is not weak. */
export function resolvesLocally(state: AssemblyState, item: Extract<Item, { kind: 'code' }>, value: Value): boolean {
  if (value.modifier) return false;
  if (value.base?.kind !== 'section' || value.base.section !== item.section) return false;
  return !(value.label && state.weaks.has(value.label.name));
}

/** The first layout of relax(), all branches short, and what the passes need from it. */
interface FirstLayout {
  /** Items that may change size: alignments and branches that may still grow, in order. */
  changing: number[];
  /** Per branch among them: its alignment region. */
  branchRegion: number[];
  sectionIndex: Map<string, number>;
  itemSection: Int32Array;
  /** Per section (by index): its size. */
  offsets: number[];
}

/**
 * Places every item with all branches short (items an earlier version made come with its choice).
 * The per-item loops of relax() live in functions of their own: V8 optimizes a long loop in the
 * middle of a bigger function, and the rest of that function then deoptimizes on every call.
 */
function firstLayout(items: Item[]): FirstLayout {
  // Only branches that may still grow and alignments change size; the rest just move.
  const changing: number[] = [];
  // Alignments split a section into regions; growth is not assumed to carry across them.
  const branchRegion: number[] = [];
  // Sections by index, looked up only where the section changes (items come in runs of one section).
  const sectionIndex = new Map<string, number>();
  const itemSection = new Int32Array(items.length);
  const regionCount: number[] = [];
  const offsets: number[] = [];
  let lastSection = '';
  let k = -1;
  let offsetHere = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.section !== lastSection) {
      lastSection = item.section;
      const known = sectionIndex.get(lastSection);
      if (known === undefined) {
        k = sectionIndex.size;
        sectionIndex.set(lastSection, k);
        regionCount.push(0);
        offsets.push(0);
      } else k = known;
      offsetHere = offsets[k]!;
    }
    itemSection[i] = k;
    item.address = offsetHere;
    const n = regionCount[k]!;
    if (item.kind === 'label') {
      item.order = i;
      item.region = n;
    } else if (item.kind === 'align') {
      regionCount[k] = n + 1;
      changing.push(i);
    } else if (item.kind === 'code' && item.encoding.near) {
      item.useNear = false;
      branchRegion.push(n);
      changing.push(i);
    }
    offsetHere += sizeHere(item);
    // Kept up to date here: code after a long loop has no type feedback when V8 optimizes the loop.
    offsets[k] = offsetHere;
  }
  return { changing, branchRegion, sectionIndex, itemSection, offsets };
}

/**
 * Grows short branches that do not reach, the way GNU as's relax_segment does: one pass walks
 * each section in order, moving every item by the growth ("stretch") of the items before it; a
 * branch target not reached yet in this pass is assumed to move by the same stretch. Alignment
 * padding is recomputed at the moved address and may absorb growth. Passes repeat until nothing
 * grows; branches never shrink, so this ends.
 */
export function relax(state: AssemblyState): Relaxed {
  const items = state.items;
  const { changing, branchRegion, sectionIndex, itemSection, offsets } = firstLayout(items);
  const sizes = (): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [name, index] of sectionIndex) out.set(name, offsets[index]!);
    return out;
  };
  if (changing.length === 0) return { sizes: sizes(), forcedOnly: true };
  // Per branch: its relative field and, for a plain local label, the label (the same every pass).
  const targets: BranchTarget[] = [];
  const branches: CodeItem[] = [];
  const targetLabels = new Set<Item>();
  let evaluated = false;
  for (const at of changing) {
    const item = items[at]!;
    if (item.kind !== 'code') continue;
    const target = branchTarget(state, item);
    targets.push(target);
    branches.push(item);
    if (target.label === null) evaluated = true;
    else targetLabels.add(target.label);
  }
  // A pass moves only what the passes read: the changing items, the labels branches go to, and
  // when a target is an expression, every label and `.set` item (a `.` in their expression);
  // layout() places everything once the sizes are settled.
  const tracked = trackedItems(items, changing, evaluated ? null : targetLabels);
  const stretch = new Int32Array(sectionIndex.size);
  let grewEver = false;
  for (let pass = 0; pass < MAX_LAYOUT_PASSES; pass++) {
    if (!relaxPass(state, items, tracked, itemSection, branchRegion, targets, stretch)) break;
    grewEver = true;
  }
  return { sizes: grewEver ? layout(state) : sizes(), forcedOnly: onlyForcedGrew(state, branches, targets) };
}

/** What relax() settled: each section's size, and whether only branches that are near wherever they sit grew. */
export interface Relaxed {
  sizes: Map<string, number>;
  /**
   * Every branch is short except those near whatever the layout (forcedNear), and every other
   * one goes to a plain label. A later version starts from such a result (relaxation-after-edit.ts).
   */
  forcedOnly: boolean;
}

type CodeItem = Extract<Item, { kind: 'code' }>;

function onlyForcedGrew(state: AssemblyState, branches: CodeItem[], targets: BranchTarget[]): boolean {
  for (let b = 0; b < branches.length; b++) {
    const item = branches[b]!;
    if (targets[b]!.label !== null ? item.useNear : forcedNear(state, item) !== true) return false;
  }
  return true;
}

/**
 * Whether a relaxable branch is near wherever it sits (its target is no place of its own section:
 * another section, a weak or undefined symbol, a PIC operator): true; false for a plain label of
 * its section; null for a target expression that is a place of its section.
 */
export function forcedNear(state: AssemblyState, item: CodeItem): boolean | null {
  const target = branchTarget(state, item);
  if (target.label !== null) return false;
  const r = evaluate(target.field.expr!, finalContext(state, item));
  return !r.ok || !resolvesLocally(state, item, r.value) ? true : null;
}

/** The plain label a relaxable branch goes to, when it is one of its own section (else null). */
export function branchLabel(state: AssemblyState, item: CodeItem): Extract<Item, { kind: 'label' }> | null {
  return branchTarget(state, item).label;
}

/** Indexes of the changing items and of the labels in `targets` (every label and `.set` item when null). */
function trackedItems(items: Item[], changing: number[], targets: Set<Item> | null): number[] {
  const tracked: number[] = [];
  for (let i = 0, c = 0; i < items.length; i++) {
    const item = items[i]!;
    if (c < changing.length && changing[c] === i) {
      tracked.push(i);
      c++;
    } else if (targets === null ? item.kind === 'label' || item.kind === 'set' : item.kind === 'label' && targets.has(item)) tracked.push(i);
  }
  return tracked;
}

/** One pass of relax() over the tracked items; true when a branch grew. */
function relaxPass(
  state: AssemblyState, items: Item[], tracked: number[], itemSection: Int32Array, branchRegion: number[], targets: BranchTarget[], stretch: Int32Array,
): boolean {
  stretch.fill(0);
  // While no section has moved, the items between changing ones stay where they are.
  let moving = false;
  let grew = false;
  let branch = 0;
  for (let t = 0; t < tracked.length; t++) {
    const at = tracked[t]!;
    const item = items[at]!;
    const k = itemSection[at]!;
    const moved = stretch[k]!;
    if (item.kind === 'label' || item.kind === 'set') {
      if (moving) item.address += moved;
      continue;
    }
    const oldAddress = item.address;
    const address = oldAddress + moved;
    let growth = 0;
    if (item.kind === 'align') {
      growth = paddingSize(address, item.alignment, item.max) - paddingSize(oldAddress, item.alignment, item.max);
    } else if (item.kind === 'code') {
      const region = branchRegion[branch]!;
      const target = targets[branch++]!;
      if (!item.useNear) {
        item.address = address;
        if (!branchReaches(state, item, target, at, moved, region)) {
          item.useNear = true;
          growth = item.encoding.near!.bytes.length - item.encoding.plan.bytes.length;
          grew = true;
        }
      }
    }
    item.address = address;
    stretch[k] = moved + growth;
    if (growth !== 0) moving = true;
  }
  return grew;
}

interface BranchTarget {
  field: Extract<Item, { kind: 'code' }>['encoding']['plan']['fields'][number];
  label: Extract<Item, { kind: 'label' }> | null;
}

function branchTarget(state: AssemblyState, item: Extract<Item, { kind: 'code' }>): BranchTarget {
  const fields = item.encoding.plan.fields;
  let field = fields[0]!;
  for (let i = 1; !field.relative && i < fields.length; i++) field = fields[i]!;
  return { field, label: localLabelTarget(state, item, field.expr!) };
}

/** The target of a branch to a plain label of its own section, without a general evaluation. */
function localLabelTarget(state: AssemblyState, item: Extract<Item, { kind: 'code' }>, expr: Expr): Extract<Item, { kind: 'label' }> | null {
  if (expr.kind !== 'symbol' || expr.name.includes('@')) return null;
  const label = state.labelItems.get(expr.name);
  return label !== undefined && label.section === item.section && !state.weaks.has(expr.name) ? label : null;
}

/** Whether a short branch reaches its target in the current pass of relax(). */
function branchReaches(state: AssemblyState, item: Extract<Item, { kind: 'code' }>, branch: BranchTarget, index: number, stretch: number, region: number): boolean {
  let target: number;
  let label = branch.label;
  if (label !== null) target = label.address;
  else {
    const r = evaluate(branch.field.expr!, finalContext(state, item));
    if (!r.ok || !resolvesLocally(state, item, r.value)) return false;
    target = Number(r.value.constant);
    label = r.value.label ? state.labelItems.get(r.value.label.name) ?? null : null;
  }
  const end = item.address + item.encoding.plan.bytes.length;
  // A label later in the item order has not been reached (moved) in this pass yet.
  if (label && label.order > index && stretch !== 0) {
    if (stretch < 0 || label.region === region) target += stretch;
    // A forward target across an alignment keeps its old address this pass, as in GNU as.
    else if (target < end) return true;
  }
  const disp = target - end;
  return disp >= -128 && disp <= 127;
}
