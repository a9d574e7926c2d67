// Short explanations for a register or directive under the cursor, for hovers that are not on
// an instruction's verdict. Register names come from the isa layer's register lists.

import { CONTROL, DEBUG, GPR16, GPR32, GPR8, MMX, SEGMENT, XMM, YMM } from '../isa/registers';

const REGISTER_KINDS: Array<[readonly string[], string]> = [
  [GPR32, '32-bit general-purpose register'],
  [GPR16, '16-bit general-purpose register (low half of the 32-bit one)'],
  [GPR8, '8-bit general-purpose register'],
  [SEGMENT, 'segment register (i386 kernels address per-CPU data through %fs)'],
  [CONTROL, 'control register (ring 0 only)'],
  [DEBUG, 'debug register (hardware breakpoints; DR6 status, DR7 control)'],
  [MMX, 'MMX register (aliases the x87 stack)'],
  [XMM, '128-bit SSE register'],
  [YMM, '256-bit AVX register'],
];

export const DIRECTIVE_HELP: Record<string, string> = {
  '.text': 'switch to the code section', '.data': 'switch to the data section', '.bss': 'switch to the zero-filled section',
  '.section': 'switch to a named section', '.globl': 'make a symbol global', '.global': 'make a symbol global',
  '.type': 'set a symbol type (@function marks a function for the code lens)', '.size': 'set a symbol size',
  '.align': 'align the location counter', '.balign': 'align to a byte boundary', '.p2align': 'align to a power of two',
  '.byte': 'emit bytes', '.word': 'emit 16-bit values', '.short': 'emit 16-bit values', '.long': 'emit 32-bit values',
  '.int': 'emit 32-bit values', '.quad': 'emit 64-bit values', '.ascii': 'emit a string', '.asciz': 'emit a NUL-terminated string',
  '.string': 'emit a NUL-terminated string', '.fill': 'emit repeated values', '.skip': 'reserve bytes', '.space': 'reserve bytes',
  '.zero': 'emit zero bytes', '.set': 'give a symbol a value', '.equ': 'give a symbol a value', '.comm': 'declare a common symbol',
  '.macro': 'begin a macro', '.endm': 'end a macro', '.rept': 'repeat a block', '.endr': 'end a repeated block',
  '.code32': 'assemble 32-bit code', '.intel_syntax': 'switch to Intel syntax', '.att_syntax': 'switch to AT&T syntax',
};

/** Markdown for the register or directive at `character` in `lineText`, or null. */
export function wordHover(lineText: string, character: number): string | null {
  const re = /%?[.\w()]+/g;
  for (const m of lineText.matchAll(re)) {
    const start = m.index ?? 0;
    if (character < start || character > start + m[0].length) continue;
    const word = m[0];
    if (word.startsWith('%')) {
      const name = word.slice(1);
      for (const [names, what] of REGISTER_KINDS) if (names.includes(name)) return `\`%${name}\`: ${what}`;
      if (/^st(\(\d\))?$/.test(name)) return `\`%${name}\`: x87 stack register`;
    }
    if (word.startsWith('.') && DIRECTIVE_HELP[word]) return `\`${word}\`: ${DIRECTIVE_HELP[word]}`;
    return null;
  }
  return null;
}
