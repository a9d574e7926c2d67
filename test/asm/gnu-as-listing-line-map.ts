// The line map checked against `as -aln` listings: which address and bytes GNU as lists for each
// source line, and a comparison with the (address, bytes) pieces of kboost's Image for the same
// line. Inside relocated fields as lists its bytes before the REL addend is installed (a jump
// table's `.long .L5` shows 00000000, the object holds .L5's offset), so those bytes are compared
// only through the object (elsewhere); the address, the length and every other byte must agree.
// One difference is by design: as lists the bytes of a `.rept`/`.irp`/`.irpc` block on its `.endr`
// line, kboost on the line that opens the block (where the repetition is asked for), so the
// listing's `.endr` pieces are moved to the opening line before comparing.

import type { Image } from '../../server/src/asm';

/** One piece of a listed line: its address and bytes (uppercase hex, no spaces). */
export interface ListedPiece {
  address: number;
  bytes: string;
}

/** `as` options that make a listing without page headers and with every continuation row. */
export const GNU_AS_LISTING_OPTIONS = ['-aln', '--listing-cont-lines=1000000'];

/** Pieces per 0-based source line, parsed from `as -aln` output. */
export function parseGnuAsListing(listing: string): Map<number, ListedPiece[]> {
  const out = new Map<number, ListedPiece[]>();
  for (const row of listing.split('\n')) {
    // "  12 001f 03AC8500 \t<source>" starts a piece; "  12      000000" continues it.
    const first = /^\s*(\d+) ([0-9a-f]{4,}) ([0-9A-F]*)\s*(\t|$)/.exec(row);
    if (first) {
      const line = Number(first[1]) - 1;
      out.set(line, [...(out.get(line) ?? []), { address: parseInt(first[2]!, 16), bytes: first[3]! }]);
      continue;
    }
    const more = /^\s*(\d+) {6}([0-9A-F]+)\s*$/.exec(row);
    if (more) {
      const pieces = out.get(Number(more[1]) - 1);
      if (pieces !== undefined) pieces[pieces.length - 1]!.bytes += more[2]!;
    }
  }
  return out;
}

/** Moves the pieces as lists on each `.endr` line to the line of the `.rept`/`.irp`/`.irpc` it closes. */
export function repeatBlocksOnOpeningLine(listed: Map<number, ListedPiece[]>, source: string): Map<number, ListedPiece[]> {
  const out = new Map(listed);
  const open: number[] = [];
  source.split('\n').forEach((text, line) => {
    const word = /^\s*(?:[\w.$]+:\s*)?(\.\w+)/.exec(text)?.[1]?.toLowerCase();
    if (word === '.rept' || word === '.irp' || word === '.irpc') open.push(line);
    if (word !== '.endr') return;
    const opening = open.pop();
    const pieces = out.get(line);
    if (opening === undefined || pieces === undefined) return;
    out.set(opening, [...(out.get(opening) ?? []), ...pieces]);
    out.delete(line);
  });
  return out;
}

/** Relocated byte ranges of as's object: section -> [offset, size] pairs. */
export type RelocatedFields = Map<string, Array<[number, number]>>;

const FIELD_SIZES: Record<number, number> = { 20: 2, 21: 2, 22: 1, 23: 1 };

/** The relocated fields of sections given their relocations (ELF type numbers; 4 bytes unless 16/8-bit). */
export function relocatedFields(sections: Iterable<[string, { relocations: Array<{ offset: number; type: number }> }]>): RelocatedFields {
  const out: RelocatedFields = new Map();
  for (const [name, s] of sections) out.set(name, s.relocations.map((r) => [r.offset, FIELD_SIZES[r.type] ?? 4]));
  return out;
}

function masked(hex: string, section: string | null, address: number, fields: RelocatedFields): string {
  const bytes = hex.match(/../g) ?? [];
  for (const [offset, size] of (section === null ? undefined : fields.get(section)) ?? []) {
    for (let k = offset; k < offset + size; k++) if (k >= address && k < address + bytes.length) bytes[k - address] = '..';
  }
  return bytes.join('');
}

export interface LineMapComparison {
  /** Lines that either side lists with bytes. */
  compared: number;
  equal: number;
  /** "line N: ours ..., as ..." for each line that differs. */
  differences: string[];
}

/** Compares the Image's pieces of each line with the listing's. */
export function compareLineMap(image: Image, listed: Map<number, ListedPiece[]>, fields: RelocatedFields): LineMapComparison {
  const ours = new Map<number, Array<ListedPiece & { section: string }>>();
  for (const l of image.lines) {
    if (l.bytes.length === 0) continue;
    const hex = Array.from(l.bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
    ours.set(l.line, [...(ours.get(l.line) ?? []), { address: l.address, bytes: hex, section: l.section }]);
  }
  const result: LineMapComparison = { compared: 0, equal: 0, differences: [] };
  const lines = [...new Set([...ours.keys(), ...[...listed].filter(([, p]) => p.some((x) => x.bytes !== '')).map(([l]) => l)])].sort((a, b) => a - b);
  for (const line of lines) {
    result.compared++;
    const mine = ours.get(line) ?? [];
    const theirs = (listed.get(line) ?? []).filter((p) => p.bytes !== '');
    const show = (pieces: Array<ListedPiece & { section?: string }>): string =>
      pieces.map((p) => `${p.address.toString(16)}:${masked(p.bytes, p.section ?? null, p.address, fields)}`).join(' ') || 'nothing';
    // as's pieces are masked with the section our piece is in; an address or length difference shows anyway.
    const theirsInOurSections = theirs.map((p, i) => ({ ...p, ...(mine[i] ? { section: mine[i]!.section } : {}) }));
    const a = show(mine);
    const b = show(theirsInOurSections);
    if (a === b) result.equal++;
    else result.differences.push(`line ${line + 1}: ours ${a.slice(0, 80)}, as ${b.slice(0, 80)}`);
  }
  return result;
}
