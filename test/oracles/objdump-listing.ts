// Reads the output of `objdump -d` into one record per instruction: address, bytes and the text
// column. objdump prints at most 7 bytes per line and puts the rest of a long instruction on
// address-only continuation lines; those are merged back. The records say which lines are not a
// whole instruction (`(bad)`, or a prefix objdump printed alone) so tests can skip them, as the
// kernel's insn_decoder_test does. The file reader streams: the vmlinux listing is ~150 MB.

import * as fs from 'node:fs';

export interface ListingRecord {
  address: number;
  bytes: Uint8Array;
  /** objdump's text column with trailing spaces removed (e.g. "mov    %esp,%ebp"). */
  text: string;
  /** objdump could not decode these bytes (`(bad)` anywhere in the text). */
  bad: boolean;
  /** The text is nothing but prefix names ("repz", "ds", "data16", "lock lock"...). */
  prefixOnly: boolean;
  /** 1-based line number of the record's first line, for messages. */
  line: number;
}

/** Names objdump uses for a legacy prefix it prints on its own. */
const PREFIX_NAMES = new Set([
  'es', 'cs', 'ss', 'ds', 'fs', 'gs', 'data16', 'data32', 'addr16', 'addr32',
  'lock', 'rep', 'repz', 'repnz', 'repe', 'repne', 'bnd', 'notrack', 'xacquire', 'xrelease',
]);

export function isPrefixOnlyText(text: string): boolean {
  const words = text.split(/\s+/).filter((w) => w !== '');
  return words.length > 0 && words.every((w) => PREFIX_NAMES.has(w));
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** One instruction or continuation line taken apart; null for anything else (headers, labels). */
export interface ListingLine {
  address: number;
  bytes: number[];
  /** null on a continuation line (bytes only). */
  text: string | null;
}

/** Parses `  addr:\tbb bb bb   \ttext` (hand-rolled: it runs 2.9 million times). */
export function parseListingLine(line: string): ListingLine | null {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  let address = 0;
  const start = i;
  for (; i < line.length; i++) {
    const d = hexDigit(line.charCodeAt(i));
    if (d < 0) break;
    address = address * 16 + d;
  }
  if (i === start || i - start > 16 || line.charCodeAt(i) !== 58 /* : */ || line.charCodeAt(i + 1) !== 9 /* tab */) {
    return null;
  }
  i += 2;
  const bytes: number[] = [];
  for (;;) {
    const hi = hexDigit(line.charCodeAt(i));
    const lo = hexDigit(line.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) break;
    bytes.push(hi * 16 + lo);
    i += 2;
    if (line.charCodeAt(i) !== 32) break;
    i++;
  }
  if (bytes.length === 0) return null; // e.g. "\t..." (skipped zeros) has no address; nothing else expected
  const tab = line.indexOf('\t', i);
  const text = tab < 0 ? null : line.slice(tab + 1).trimEnd();
  return { address: address >>> 0, bytes, text };
}

/** Collects lines into records; feed lines in order, then call finish(). */
export class ListingRecordMerger {
  private pending: { address: number; bytes: number[]; text: string; line: number } | null = null;

  /** Returns the record completed by this line, if any. Throws on a listing it cannot follow. */
  push(line: string, lineNumber: number): ListingRecord | null {
    const parsed = parseListingLine(line);
    if (parsed === null) return this.finish();
    if (parsed.text === null) {
      const p = this.pending;
      if (p === null || parsed.address !== ((p.address + p.bytes.length) >>> 0)) {
        throw new Error(`objdump listing line ${lineNumber}: continuation line does not follow an instruction: ${line}`);
      }
      for (const b of parsed.bytes) p.bytes.push(b);
      return null;
    }
    const done = this.finish();
    this.pending = { address: parsed.address, bytes: parsed.bytes, text: parsed.text, line: lineNumber };
    return done;
  }

  finish(): ListingRecord | null {
    const p = this.pending;
    if (p === null) return null;
    this.pending = null;
    return {
      address: p.address,
      bytes: Uint8Array.from(p.bytes),
      text: p.text,
      bad: p.text.includes('(bad)'),
      prefixOnly: isPrefixOnlyText(p.text),
      line: p.line,
    };
  }
}

/** Parses a whole listing held in memory (small listings, unit tests). */
export function parseObjdumpListing(listing: string): ListingRecord[] {
  const merger = new ListingRecordMerger();
  const out: ListingRecord[] = [];
  const lines = listing.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const r = merger.push(lines[n]!, n + 1);
    if (r !== null) out.push(r);
  }
  const last = merger.finish();
  if (last !== null) out.push(last);
  return out;
}

/** Yields the lines of a file without holding it whole (latin1: objdump prints ASCII). */
export function* readLinesOfFile(file: string, chunkBytes = 4 << 20): Generator<string> {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let carry = '';
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, chunkBytes, null);
      if (n === 0) break;
      const chunk = carry + buffer.toString('latin1', 0, n);
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf('\n', from);
        if (nl < 0) break;
        yield chunk.slice(from, nl);
        from = nl + 1;
      }
      carry = chunk.slice(from);
    }
    if (carry !== '') yield carry;
  } finally {
    fs.closeSync(fd);
  }
}

/** Streams the records of a listing file, in file order. */
export function* readObjdumpListingFile(file: string, chunkBytes?: number): Generator<ListingRecord> {
  const merger = new ListingRecordMerger();
  let n = 0;
  for (const line of readLinesOfFile(file, chunkBytes)) {
    const r = merger.push(line, ++n);
    if (r !== null) yield r;
  }
  const last = merger.finish();
  if (last !== null) yield last;
}
