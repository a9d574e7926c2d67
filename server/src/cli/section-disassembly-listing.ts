// Lists one section the way `objdump -d` does: the section is cut into chunks at symbol
// addresses, each chunk opens with a `<symbol>:` label, and is listed instruction by
// instruction (or as data when its symbol is an object), with runs of zeros shown as `...`
// and, on request, the section's relocations under the instructions they patch (`-r`).
// `--symbol NAME` prints only the chunks of that symbol, ending where objdump ends them.

import type { Elf32Relocation, Elf32Section } from '../binfmt/elf32-types';
import { i386RelocationName } from '../binfmt/elf32-constants';
import type { ListingSymbol, SectionSymbolView } from '../binfmt/disassembly-symbols';
import { listInstruction, Syntax } from './instruction-text';
import {
  DATA_BYTES_PER_LINE, SKIPPED_ZEROS_LINE, addressSkipChars, dataLine, hex8, hexTrimmed, instructionLines,
  symbolOffsetText,
} from './objdump-line-layout';

/** objdump shows runs of at least this many zero bytes as `...`. */
const SKIP_ZEROS = 8;
/** ...and, at the end of a chunk, runs shorter than this. */
const SKIP_ZEROS_AT_END = 3;

export interface SectionListingRequest {
  section: Elf32Section;
  data: Uint8Array;
  symbols: SectionSymbolView;
  syntax: Syntax;
  startAddress: number | null;
  stopAddress: number | null;
  /** Only this symbol's code, or null for everything. */
  symbolName: string | null;
  /** Relocations of the section to print under their instructions, or null. */
  relocations: { list: readonly Elf32Relocation[]; symbolName: (index: number) => string } | null;
}

type LoopUntil = 'stop' | 'function' | 'next';

/** GNU as local labels (`.L...`), which do not end a non-function symbol's listing. */
function isLocalLabel(name: string): boolean {
  return name.startsWith('.L');
}

/**
 * Writes the listing of one section through `out`. Returns whether `symbolName` (when given)
 * was found in this section.
 */
export function listSection(req: SectionListingRequest, out: (text: string) => void): boolean {
  const { section, data, symbols } = req;
  const vma = section.address;
  const size = data.length;
  let addrOffset = req.startAddress === null || req.startAddress < vma ? 0 : req.startAddress - vma;
  let stopOffset = req.stopAddress === null ? size : req.stopAddress < vma ? 0 : Math.min(req.stopAddress - vma, size);
  if (size === 0 || addrOffset >= stopOffset) return false;
  const skip = addressSkipChars(vma, size);
  const label = (sym: ListingSymbol | null, address: number): string =>
    sym === null ? symbolOffsetText(section.name, vma, address) : symbolOffsetText(sym.name, sym.value, address);
  const describeTarget = symbols.count === 0
    ? null
    : (target: number): string => {
      const hit = symbols.find(target, false);
      return `${hexTrimmed(target)} <${label(hit === null ? null : hit.symbol, target)}>`;
    };
  let relocIndex = 0;
  const relocs = req.relocations;

  const listBytes = (start: number, stop: number, insns: boolean): void => {
    if (relocs !== null) while (relocIndex < relocs.list.length && relocs.list[relocIndex]!.offset < start) relocIndex++;
    let off = start;
    while (off < stop) {
      let zeros = 0;
      while (off + zeros < stop && data[off + zeros] === 0) zeros++;
      let octets: number;
      if (zeros >= SKIP_ZEROS || (off + zeros === stop && zeros < SKIP_ZEROS_AT_END)) {
        // Inside a run that continues with code, skip whole groups of four only.
        octets = off + zeros === stop ? zeros : zeros & ~3;
        out(SKIPPED_ZEROS_LINE);
      } else if (insns) {
        const address = (vma + off) >>> 0;
        const listed = listInstruction(data, off, stop - off, address, req.syntax, describeTarget);
        octets = listed.length;
        out(instructionLines(address, data.subarray(off, off + octets), listed.text, skip));
      } else {
        octets = Math.min(DATA_BYTES_PER_LINE, stop - off);
        out(dataLine((vma + off) >>> 0, data.subarray(off, off + octets), skip));
      }
      if (relocs !== null) {
        while (relocIndex < relocs.list.length && relocs.list[relocIndex]!.offset < off + octets) {
          const r = relocs.list[relocIndex++]!;
          let line = `\t\t\t${hexTrimmed(vma + r.offset)}: ${i386RelocationName(r.type)}\t${relocs.symbolName(r.symbolIndex)}`;
          if (r.addend !== null && r.addend !== 0) line += r.addend < 0 ? `-0x${hexTrimmed(-r.addend)}` : `+0x${hexTrimmed(r.addend)}`;
          out(line + '\n');
        }
      }
      off += octets;
    }
  };

  out(`\nDisassembly of section ${section.name}:\n`);
  const first = symbols.find(vma + addrOffset, true);
  let sym: ListingSymbol | null = first === null ? null : first.symbol;
  let place = first === null ? 0 : first.place;
  let doPrint = req.symbolName === null;
  let found = false;
  let loopUntil: LoopUntil = 'stop';

  while (addrOffset < stopOffset) {
    const addr = (vma + addrOffset) >>> 0;
    if (sym !== null && req.symbolName !== null) {
      if (doPrint) {
        if (loopUntil === 'function' && sym.isFunction) doPrint = false;
        else if (loopUntil === 'next' && !isLocalLabel(sym.name)) doPrint = false;
      } else if (sym.name === req.symbolName) {
        doPrint = true;
        found = true;
        if (sym.isFunction && sym.size > 0) {
          stopOffset = Math.min(size, addrOffset + sym.size);
          loopUntil = 'stop';
        } else {
          loopUntil = sym.isFunction ? 'function' : 'next';
        }
      }
    }
    if (doPrint) out(`\n${hex8(addr)} <${label(sym, addr)}>:\n`);

    let next: ListingSymbol | null;
    if (sym !== null && sym.value > addr) {
      next = sym;
    } else if (sym === null) {
      next = null;
    } else {
      const hit = symbols.nextAfter(place, sym.value);
      place = hit === null ? symbols.count : hit.place;
      next = hit === null ? null : hit.symbol;
    }
    let nextStop = sym !== null && sym.value > addr ? sym.value - vma : next === null ? stopOffset : next.value - vma;
    if (nextStop > stopOffset || nextStop <= addrOffset) nextStop = stopOffset;

    // Bytes under an object symbol of this section are data, shown as hex and ASCII.
    const asData = sym !== null && symbols.inListedSection(sym) && sym.value <= addr && !sym.isFunction &&
      (sym.isObject || sym.name.includes('gnu_compiled') || sym.name.includes('gcc2_compiled'));
    if (doPrint) listBytes(addrOffset, nextStop, !asData);
    addrOffset = nextStop;
    sym = next;
  }
  return found;
}
