// TextMate grammar rules for operands (registers, immediates, memory, numbers, strings, symbols)
// and for .intel_syntax blocks. Part of the template that scripts/generate-grammar-mnemonics.ts renders.

import { r, STATEMENT_END, WORD_START, WORD_END, NUMBER_START, MNEMONIC_CAPTURES, instructionBegin } from './grammar-template-regex-parts';

export function operandAndIntelRules(mnemonics: string, registers: string): Record<string, object> {
  return {
    // ---- operands -----------------------------------------------------------------------------
    'operands-att': {
      patterns: [
        { include: '#block-comment' },
        { include: '#strings' },
        { include: '#registers-att' },
        { include: '#immediates' },
        { include: '#memory-att' },
        { include: '#indirect' },
        { include: '#operand-common' },
      ],
    },
    'operand-common': {
      patterns: [
        { include: '#macro-parameters' },
        { include: '#label-references' },
        { include: '#numbers' },
        { include: '#symbols' },
        { name: 'punctuation.separator.operand.i386-asm', match: ',' },
        { name: 'punctuation.separator.segment.i386-asm', match: ':' },
        { name: 'keyword.operator.i386-asm', match: r`<<|>>|&&|\|\||[!=<>]=|[-+*/%&|^~!<>]` },
        { name: 'punctuation.section.parens.i386-asm', match: r`[()]` },
      ],
    },
    'registers-att': {
      name: 'variable.other.register.i386-asm',
      match: r`(?i)(%)(?:${registers})(?![\w.$])`,
      captures: { 1: { name: 'punctuation.definition.variable.register.i386-asm' } },
    },
    immediates: {
      patterns: [
        {
          comment: '$symbol: the address of a symbol (or a cpp constant) as an immediate.',
          match: r`(\$)([A-Za-z_.][\w.$]*)`,
          captures: {
            1: { name: 'punctuation.definition.immediate.i386-asm' },
            2: { name: 'variable.other.constant.immediate.i386-asm' },
          },
        },
        { name: 'punctuation.definition.immediate.i386-asm', match: r`\$` },
      ],
    },
    'memory-att': {
      comment: 'base, index, scale: (%ebp,%esi,4) or (,%eax,4); the displacement before it is an expression.',
      name: 'meta.memory-operand.i386-asm',
      begin: r`\((?=\s*(?:%|,|\\))`,
      end: r`\)`,
      beginCaptures: { 0: { name: 'punctuation.definition.memory.begin.i386-asm' } },
      endCaptures: { 0: { name: 'punctuation.definition.memory.end.i386-asm' } },
      patterns: [
        { include: '#registers-att' },
        { include: '#macro-parameters' },
        { include: '#numbers' },
        { name: 'punctuation.separator.memory.i386-asm', match: ',' },
        { include: '#block-comment' },
      ],
    },
    indirect: {
      comment: 'The * of an indirect jump or call (jmp *%eax): after a blank or comma, before the operand.',
      name: 'keyword.operator.indirect.i386-asm',
      match: r`(?<=[\s,])\*(?=[%\w(.$\\])`,
    },
    'macro-parameters': {
      patterns: [
        { name: 'variable.parameter.macro.i386-asm', match: r`\\[A-Za-z_]\w*` },
        { name: 'variable.language.macro-counter.i386-asm', match: r`\\@` },
        { name: 'punctuation.separator.concatenation.i386-asm', match: r`\\\(\)` },
      ],
    },
    'label-references': {
      patterns: [
        {
          comment: '1b: the nearest numeric label 1 before this line; 1f: the nearest after it.',
          name: 'variable.other.label.numeric.i386-asm',
          match: r`${NUMBER_START}\d+[bfBF]${WORD_END}`,
        },
        { name: 'variable.other.label.local.i386-asm', match: r`${WORD_START}\.L[\w.$]*` },
        { name: 'variable.language.location-counter.i386-asm', match: r`${WORD_START}\.${WORD_END}` },
      ],
    },
    symbols: {
      patterns: [
        {
          comment: '@function, @progbits, foo@PLT, foo@GOTOFF: symbol types and relocation operators.',
          name: 'support.constant.at-word.i386-asm',
          match: r`@[A-Za-z_]\w*`,
        },
        { name: 'variable.other.symbol.i386-asm', match: r`${WORD_START}[A-Za-z_.][\w.$]*` },
      ],
    },
    numbers: {
      patterns: [
        { name: 'constant.numeric.hex.i386-asm', match: r`(?i)${NUMBER_START}0x[0-9a-f]+${WORD_END}` },
        { name: 'constant.numeric.binary.i386-asm', match: r`(?i)${NUMBER_START}0b[01]+${WORD_END}` },
        {
          comment: 'GAS float literals: 0f1.5, 0d-2e10 (the letter names the format), and plain 1.5.',
          name: 'constant.numeric.float.i386-asm',
          match: r`(?i)${NUMBER_START}(?:0[fdert][-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?|\d+\.\d+(?:e[-+]?\d+)?)${WORD_END}`,
        },
        { name: 'constant.numeric.octal.i386-asm', match: r`${NUMBER_START}0[0-7]+${WORD_END}` },
        { name: 'constant.numeric.decimal.i386-asm', match: r`${NUMBER_START}(?:[1-9][0-9]*|0)${WORD_END}` },
        {
          comment: "A character constant: 'a is the code of a (the closing quote is optional in GAS).",
          name: 'constant.numeric.character.i386-asm',
          match: r`'(?:\\(?:[0-7]{1,3}|x[0-9a-fA-F]+|.)|[^\\'])'?`,
        },
      ],
    },
    strings: {
      name: 'string.quoted.double.i386-asm',
      begin: '"',
      end: '"',
      beginCaptures: { 0: { name: 'punctuation.definition.string.begin.i386-asm' } },
      endCaptures: { 0: { name: 'punctuation.definition.string.end.i386-asm' } },
      patterns: [
        {
          name: 'constant.character.escape.i386-asm',
          match: r`\\(?:[0-7]{1,3}|x[0-9a-fA-F]+|[bfnrtv\\"])`,
        },
      ],
    },

    // ---- .intel_syntax ------------------------------------------------------------------------
    'intel-syntax-block': {
      comment: 'From .intel_syntax to the next .att_syntax: bare register names, [base+index*scale], PTR sizes.',
      name: 'meta.block.intel-syntax.i386-asm',
      begin: r`(?i)^\s*(\.intel_syntax)(?:\s+(prefix|noprefix))?${WORD_END}`,
      end: r`(?i)^\s*(?=\.att_syntax${WORD_END})`,
      beginCaptures: {
        1: { name: 'keyword.other.directive.syntax.i386-asm' },
        2: { name: 'constant.language.syntax-option.i386-asm' },
      },
      patterns: [
        { include: '#preprocessor' },
        { include: '#comments' },
        { include: '#label-definitions' },
        { include: '#prefixes' },
        { include: '#instruction-intel' },
        { include: '#directives' },
        { include: '#assignment' },
        { include: '#statement-separator' },
        { include: '#macro-parameter-statement' },
        { include: '#macro-call' },
      ],
    },
    'instruction-intel': {
      name: 'meta.instruction.i386-asm',
      begin: instructionBegin(mnemonics),
      end: STATEMENT_END,
      beginCaptures: MNEMONIC_CAPTURES,
      patterns: [{ include: '#operands-intel' }],
    },
    'operands-intel': {
      patterns: [
        { include: '#block-comment' },
        { include: '#strings' },
        { include: '#registers-att' },
        { include: '#registers-intel' },
        { include: '#intel-size-and-keywords' },
        { include: '#memory-intel' },
        { include: '#intel-hex-suffix' },
        { include: '#operand-common' },
      ],
    },
    'registers-intel': {
      name: 'variable.other.register.i386-asm',
      match: r`(?i)${WORD_START}(?:${registers})${WORD_END}`,
    },
    'intel-size-and-keywords': {
      patterns: [
        {
          match: r`(?i)\b(byte|word|dword|fword|qword|tbyte|oword|xmmword|ymmword)\s+(ptr)\b`,
          captures: {
            1: { name: 'storage.type.size.i386-asm' },
            2: { name: 'keyword.operator.ptr.i386-asm' },
          },
        },
        { name: 'keyword.operator.word.i386-asm', match: r`(?i)\b(?:offset|flat|short|near|far)\b` },
      ],
    },
    'memory-intel': {
      name: 'meta.memory-operand.i386-asm',
      begin: r`\[`,
      end: r`\]`,
      beginCaptures: { 0: { name: 'punctuation.definition.memory.begin.i386-asm' } },
      endCaptures: { 0: { name: 'punctuation.definition.memory.end.i386-asm' } },
      patterns: [
        { include: '#registers-att' },
        { include: '#registers-intel' },
        { include: '#intel-hex-suffix' },
        { include: '#operand-common' },
      ],
    },
    'intel-hex-suffix': {
      comment: 'Intel-syntax hex numbers with an h suffix: 0FFh, 10h.',
      name: 'constant.numeric.hex.i386-asm',
      match: r`${NUMBER_START}[0-9][0-9a-fA-F]*[hH]${WORD_END}`,
    },
  };
}
