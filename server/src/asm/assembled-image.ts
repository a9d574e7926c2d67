// The assembler's output: sections with their bytes, symbols, relocations, and the map between
// source lines and machine code (line -> section, address, bytes; address -> line).

import type { AsmDiagnostic } from './statement-parser';
import type { ExpandedLine, ExpansionProblem } from './expanded-source-lines';

export interface ImageSection {
  name: string;
  /** ELF-style flags as `.section` gives them: a (alloc), w (write), x (exec). */
  flags: string;
  /** `progbits` or `nobits` (.bss: size but no bytes). */
  type: 'progbits' | 'nobits';
  bytes: Uint8Array;
  /** Size in memory (equals bytes.length for progbits). */
  size: number;
  alignment: number;
  /** Entry size of a mergeable ("M") section (`.section name,"aM",@progbits,4`). */
  entrySize?: number;
  /** Section group ("G" flag): the signature symbol, and COMDAT when the linker keeps one copy. */
  group?: { signature: string; comdat: boolean };
}

export type SymbolBinding = 'local' | 'global' | 'weak';

export interface ImageSymbol {
  name: string;
  /**
   * Section of a label or of a `.set` symbol equated to a place; null for undefined, common and
   * absolute symbols (`.set` numbers and `.file` names: defined, not common).
   */
  section: string | null;
  value: number;
  binding: SymbolBinding;
  type: 'notype' | 'function' | 'object' | 'file';
  size: number;
  defined: boolean;
  /** `.comm` symbols: allocated by the linker. */
  common: boolean;
  /** ELF visibility from `.hidden`/`.protected`/`.internal`; absent means default. */
  visibility?: 'hidden' | 'protected' | 'internal';
}

export interface ImageRelocation {
  section: string;
  offset: number;
  type:
    | 'R_386_32' | 'R_386_PC32' | 'R_386_16' | 'R_386_PC16' | 'R_386_8' | 'R_386_PC8'
    | 'R_386_PLT32' | 'R_386_GOT32' | 'R_386_GOT32X' | 'R_386_GOTOFF' | 'R_386_GOTPC';
  /** A symbol name, or a section name for relocations against a local label's section. */
  symbol: string;
  /** The addend as stored in place (i386 uses REL relocations). */
  addend: number;
}

export interface LineCode {
  /** 0-based source line. */
  line: number;
  section: string;
  address: number;
  bytes: Uint8Array;
}

export interface Image {
  sections: ImageSection[];
  symbols: ImageSymbol[];
  relocations: ImageRelocation[];
  /** Lines that produced bytes (or sit at an address, such as labels), in source order. */
  lines: LineCode[];
  diagnostics: AsmDiagnostic[];
  /**
   * Only when the expanded source holds lines of other files (`#include`, `.include`): the code and
   * diagnostics of the expanded text before they moved onto the edited file's lines, so the editor
   * can show an included file's instructions at their own lines. Arrays the assembly made anyway.
   */
  expanded?: ExpandedCode;
}

export interface ExpandedCode {
  /** The expanded text's line map, one entry per statement: `line` indexes `origins`. */
  lines: readonly LineCode[];
  /** The expanded text's diagnostics, `line` indexing `origins`, columns those of its text. */
  diagnostics: readonly AsmDiagnostic[];
  /** Each expanded line: its text, and the file and line that text came from. */
  origins: readonly ExpandedLine[];
  /** Problems the expansion found (macros, conditionals, includes), at the line they were found on. */
  problems: readonly ExpansionProblem[];
}

/** The source line whose bytes cover an address of a section, or null. */
export function lineAtAddress(image: Image, section: string, address: number): LineCode | null {
  for (const l of image.lines) {
    if (l.section === section && address >= l.address && address < l.address + l.bytes.length) return l;
  }
  return null;
}

/** Every piece of code a source line produced (a line may hold several statements). */
export function codeOfLine(image: Image, line: number): LineCode[] {
  return image.lines.filter((l) => l.line === line);
}
