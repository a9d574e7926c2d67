// Loads the assembler's relocatable Image into a Machine: each allocated section gets its own
// pages from a base address on (permissions from its a/w/x flags), symbols are resolved within
// the image (or from caller-supplied addresses) and the R_386 relocations are applied in place.
// Returns the placement and the errors; never throws.

import type { Image } from '../asm/assembled-image';
import type { Machine } from './machine';
import { PAGE_SIZE } from './paged-memory';

export interface ImageLoadOptions {
  /** Address of the first section (page-aligned); default 0x08048000. */
  base?: number;
  /** Addresses of symbols the image uses but does not define. */
  externalSymbols?: ReadonlyMap<string, number>;
}

export interface LoadedImage {
  sections: Map<string, { address: number; size: number }>;
  /** Every defined symbol's address. */
  symbols: Map<string, number>;
  errors: string[];
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** A name as a message quotes it: a very long one (a 10 MB line) keeps its start and says its length. */
function shortened(name: string): string {
  return name.length <= 80 ? name : `${name.slice(0, 60)}... (${name.length} characters)`;
}

export function loadImage(machine: Machine, image: Image, options: ImageLoadOptions = {}): LoadedImage {
  const result: LoadedImage = { sections: new Map(), symbols: new Map(), errors: [] };
  let next = options.base ?? 0x08048000;
  for (const section of image.sections) {
    if (!section.flags.includes('a') && section.name !== '.text') continue;
    const address = alignUp(next, Math.max(PAGE_SIZE, section.alignment));
    const size = Math.max(section.size, 1);
    const perms = 'r' + (section.flags.includes('w') ? 'w' : '') + (section.flags.includes('x') || section.name === '.text' ? 'x' : '');
    const mapped = machine.memory.map(address, size, perms);
    if (mapped.error !== null) {
      result.errors.push(`section ${section.name}: ${mapped.error}`);
      continue;
    }
    if (section.type === 'progbits') machine.memory.writeBytes(address, section.bytes);
    result.sections.set(section.name, { address, size: section.size });
    next = address + size;
  }
  for (const symbol of image.symbols) {
    if (!symbol.defined) continue;
    if (symbol.section === null) result.symbols.set(symbol.name, symbol.value >>> 0);
    else {
      const placed = result.sections.get(symbol.section);
      if (placed) result.symbols.set(symbol.name, (placed.address + symbol.value) >>> 0);
    }
  }
  for (const r of image.relocations) {
    const placed = result.sections.get(r.section);
    if (!placed) continue;
    const symbol = result.sections.get(r.symbol)?.address ?? result.symbols.get(r.symbol) ?? options.externalSymbols?.get(r.symbol);
    if (symbol === undefined) {
      result.errors.push(`undefined symbol '${shortened(r.symbol)}' (relocation at ${r.section}+0x${r.offset.toString(16)})`);
      continue;
    }
    const place = (placed.address + r.offset) >>> 0;
    let value: number;
    let size: number;
    switch (r.type) {
      case 'R_386_32': value = symbol + r.addend; size = 4; break;
      case 'R_386_16': value = symbol + r.addend; size = 2; break;
      case 'R_386_8': value = symbol + r.addend; size = 1; break;
      case 'R_386_PC32': case 'R_386_PLT32': value = symbol + r.addend - place; size = 4; break;
      case 'R_386_PC16': value = symbol + r.addend - place; size = 2; break;
      case 'R_386_PC8': value = symbol + r.addend - place; size = 1; break;
      default:
        result.errors.push(`relocation ${r.type} at ${r.section}+0x${r.offset.toString(16)} needs a GOT, which a flat image has not`);
        continue;
    }
    const bytes = Uint8Array.from({ length: size }, (_, k) => (value >>> (8 * k)) & 0xff);
    machine.memory.writeBytes(place, bytes);
  }
  return result;
}
