// The assembler's intermediate form: each statement that takes space or defines a symbol becomes
// an item of a section. Sizes are fixed when the item is made, except relaxable branches (short
// or near) and alignment padding, which the layout passes settle as a fixed point.

import type { Expr } from './expression-syntax';
import type { InstructionEncoding } from './instruction-encoder';
import type { SourceRange } from './statement-parser';

export interface ItemBase {
  section: string;
  range: SourceRange;
  /** Offset in the section, set by each layout pass. */
  address: number;
}

export type Item =
  /**
   * `order` and `region`: the label's index in the items and its alignment region, set by relax();
   * `order` is REPLACED once a version's edit replaced the label by a new item (relaxation-after-edit.ts).
   */
  | (ItemBase & { kind: 'label'; name: string; order: number; region: number })
  | (ItemBase & { kind: 'code'; encoding: InstructionEncoding; useNear: boolean })
  | (ItemBase & { kind: 'data'; width: 1 | 2 | 4 | 8; exprs: Expr[] })
  | (ItemBase & { kind: 'bytes'; bytes: number[] })
  | (ItemBase & { kind: 'space'; size: number; fill: number })
  | (ItemBase & { kind: 'align'; alignment: number; fill: number | null; max: number | null; code: boolean })
  | (ItemBase & { kind: 'set'; name: string; expr: Expr });

/** The `order` of a label item that an edited version replaced (no version has it any more). */
export const REPLACED = -1;

export function itemSize(item: Item, padding: (item: Extract<Item, { kind: 'align' }>) => number): number {
  switch (item.kind) {
    case 'label': case 'set': return 0;
    case 'code': return (item.useNear && item.encoding.near ? item.encoding.near : item.encoding.plan).bytes.length;
    case 'data': return item.width * item.exprs.length;
    case 'bytes': return item.bytes.length;
    case 'space': return item.size;
    case 'align': return padding(item);
  }
}

export interface SectionState {
  name: string;
  flags: string;
  type: 'progbits' | 'nobits';
  alignment: number;
  /** Entry size of a mergeable ("M") section. */
  entrySize?: number;
  /** Section group of a "G" section: its signature symbol, and whether it is a COMDAT group. */
  group?: { signature: string; comdat: boolean };
}

/** Default flags GNU as gives a section from its name. */
export function defaultSection(name: string): SectionState {
  const nobits = name === '.bss' || name.startsWith('.bss.') || name === '.tbss' || name.startsWith('.tbss.');
  let flags = 'a';
  if (name === '.text' || name.startsWith('.text.') || name.startsWith('.init.text') || name.startsWith('.exit.text')) flags = 'ax';
  else if (name === '.data' || name.startsWith('.data.') || nobits) flags = 'aw';
  else if (name === '.rodata' || name.startsWith('.rodata.')) flags = 'a';
  else if (name.startsWith('.note') || name.startsWith('.comment') || name.startsWith('.debug')) flags = '';
  return { name, flags, type: nobits ? 'nobits' : 'progbits', alignment: 1 };
}
