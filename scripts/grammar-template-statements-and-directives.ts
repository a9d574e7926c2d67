// TextMate grammar rules for statements: labels, prefixes, instructions (AT&T), assignments,
// macro calls, and assembler directives (.section, .macro, .rept, .if, data, .cfi_*).
// Part of the template that scripts/generate-grammar-mnemonics.ts renders.

import { r, STATEMENT_END, WORD_START, WORD_END, MNEMONIC_CAPTURES, instructionBegin } from './grammar-template-regex-parts';

export function statementAndDirectiveRules(mnemonics: string): Record<string, object> {
  return {
    // ---- statements -------------------------------------------------------------------------
    statement: {
      patterns: [
        { include: '#label-definitions' },
        { include: '#prefixes' },
        { include: '#instruction' },
        { include: '#directives' },
        { include: '#assignment' },
        { include: '#statement-separator' },
        { include: '#macro-parameter-statement' },
        { include: '#macro-call' },
      ],
    },
    'statement-separator': { name: 'punctuation.terminator.statement.i386-asm', match: ';' },
    'label-definitions': {
      patterns: [
        {
          comment: '.L names are local to the object file: as keeps them out of the symbol table.',
          match: r`${WORD_START}(\.L[\w.$]*)\s*(:)`,
          captures: {
            1: { name: 'entity.name.label.local.i386-asm' },
            2: { name: 'punctuation.separator.label.i386-asm' },
          },
        },
        {
          comment: 'Numeric local labels, referred to as 1b (backward) and 1f (forward).',
          match: r`${WORD_START}(\d+)\s*(:)`,
          captures: {
            1: { name: 'entity.name.label.numeric.i386-asm' },
            2: { name: 'punctuation.separator.label.i386-asm' },
          },
        },
        {
          match: r`${WORD_START}([A-Za-z_.$][\w.$]*)\s*(:)(?!:)`,
          captures: {
            1: { name: 'entity.name.function.label.i386-asm' },
            2: { name: 'punctuation.separator.label.i386-asm' },
          },
        },
      ],
    },
    prefixes: {
      patterns: [
        {
          name: 'storage.modifier.prefix.i386-asm',
          match: r`(?i)${WORD_START}(?:lock|rep|repe|repz|repne|repnz|data16|data32|addr16|addr32|notrack|bnd|xacquire|xrelease)(?![\w.$@:-])`,
        },
        {
          name: 'storage.modifier.prefix.segment.i386-asm',
          match: r`(?i)${WORD_START}(?:cs|ds|es|fs|gs|ss)(?![\w.$@:-])`,
        },
        {
          comment: 'Encoding pseudo-prefixes of as: {vex}, {vex3}, {disp32}, {load}, {store}...',
          name: 'storage.modifier.pseudo-prefix.i386-asm',
          match: r`\{(?:vex[23]?|evex|disp8|disp16|disp32|load|store|nooptimize)\}`,
        },
      ],
    },
    instruction: {
      name: 'meta.instruction.i386-asm',
      begin: instructionBegin(mnemonics),
      end: STATEMENT_END,
      beginCaptures: MNEMONIC_CAPTURES,
      patterns: [{ include: '#operands-att' }],
    },
    assignment: {
      name: 'meta.assignment.i386-asm',
      begin: r`${WORD_START}([A-Za-z_.][\w.$]*)\s*(=)(?!=)`,
      end: STATEMENT_END,
      patterns: [{ include: '#operands-att' }],
      beginCaptures: {
        1: { name: 'variable.other.constant.assignment.i386-asm' },
        2: { name: 'keyword.operator.assignment.i386-asm' },
      },
    },
    'macro-parameter-statement': {
      comment: 'A macro parameter in the mnemonic position: `\\op %eax, %ebx` inside .macro.',
      name: 'meta.instruction.i386-asm',
      begin: r`(\\[A-Za-z_]\w*)`,
      end: STATEMENT_END,
      beginCaptures: { 1: { name: 'variable.parameter.macro.i386-asm' } },
      patterns: [{ include: '#operands-att' }],
    },
    'macro-call': {
      comment: 'Anything else in the mnemonic position is a macro: .macro names and cpp macros (SYM_FUNC_START(x)).',
      name: 'meta.macro-call.i386-asm',
      begin: r`${WORD_START}([A-Za-z_][\w.$]*)${WORD_END}`,
      end: STATEMENT_END,
      beginCaptures: { 1: { name: 'entity.name.function.macro.call.i386-asm' } },
      patterns: [{ include: '#operands-att' }],
    },

    // ---- directives ---------------------------------------------------------------------------
    directives: {
      patterns: [
        { include: '#macro-definition' },
        { include: '#section-directive' },
        {
          name: 'meta.directive.i386-asm',
          begin: r`(?i)${WORD_START}(\.(?:if(?:def|ndef|c|eq|eqs|ge|gt|le|lt|b|nb|nc|ne|nes|notdef)?|else|elseif|endif|rept|irp|irpc|endr|exitm|err|error|warning|abort))${WORD_END}`,
          end: STATEMENT_END,
          beginCaptures: { 1: { name: 'keyword.control.directive.i386-asm' } },
          patterns: [{ include: '#operands-att' }],
        },
        {
          name: 'meta.directive.i386-asm',
          begin: r`(?i)${WORD_START}(\.(?:endm|purgem))${WORD_END}`,
          end: STATEMENT_END,
          beginCaptures: { 1: { name: 'keyword.other.directive.macro.i386-asm' } },
          patterns: [{ include: '#operands-att' }],
        },
        {
          name: 'meta.directive.data.i386-asm',
          begin: r`(?i)${WORD_START}(\.(?:byte|short|hword|word|long|int|quad|octa|2byte|4byte|8byte|ascii|asciz|string(?:8|16|32|64)?|float|single|double|tfloat|fill|space|skip|zero|sleb128|uleb128|incbin))${WORD_END}`,
          end: STATEMENT_END,
          beginCaptures: { 1: { name: 'keyword.other.directive.data.i386-asm' } },
          patterns: [{ include: '#operands-att' }],
        },
        {
          name: 'meta.directive.cfi.i386-asm',
          begin: r`(?i)${WORD_START}(\.cfi_\w+)${WORD_END}`,
          end: STATEMENT_END,
          beginCaptures: { 1: { name: 'keyword.other.directive.cfi.i386-asm' } },
          patterns: [{ include: '#operands-att' }],
        },
        {
          name: 'meta.directive.i386-asm',
          begin: r`(?i)${WORD_START}(\.(?:att_syntax|intel_syntax))(?:\s+(prefix|noprefix))?${WORD_END}`,
          end: STATEMENT_END,
          beginCaptures: {
            1: { name: 'keyword.other.directive.syntax.i386-asm' },
            2: { name: 'constant.language.syntax-option.i386-asm' },
          },
        },
        {
          name: 'meta.directive.i386-asm',
          begin: r`${WORD_START}(\.[A-Za-z_][\w.]*)${WORD_END}`,
          end: STATEMENT_END,
          beginCaptures: { 1: { name: 'keyword.other.directive.i386-asm' } },
          patterns: [{ include: '#operands-att' }],
        },
      ],
    },
    'macro-definition': {
      name: 'meta.macro.definition.i386-asm',
      begin: r`(?i)${WORD_START}(\.macro)\s+([A-Za-z_.$][\w.$]*)`,
      end: STATEMENT_END,
      beginCaptures: {
        1: { name: 'keyword.other.directive.macro.i386-asm' },
        2: { name: 'entity.name.function.macro.i386-asm' },
      },
      patterns: [
        { include: '#block-comment' },
        {
          comment: 'param, param:req, param:vararg, param=default',
          match: r`${WORD_START}([A-Za-z_]\w*)(?:(:)(req|vararg)\b)?`,
          captures: {
            1: { name: 'variable.parameter.macro.i386-asm' },
            2: { name: 'punctuation.separator.qualifier.i386-asm' },
            3: { name: 'storage.modifier.macro-qualifier.i386-asm' },
          },
        },
        { name: 'keyword.operator.assignment.i386-asm', match: '=' },
        { name: 'punctuation.separator.parameter.i386-asm', match: ',' },
        { include: '#strings' },
        { include: '#registers-att' },
        { include: '#immediates' },
        { include: '#numbers' },
      ],
    },
    'section-directive': {
      name: 'meta.directive.section.i386-asm',
      begin: r`(?i)${WORD_START}(\.(?:section|pushsection))\s+([^\s,;#"]+)?`,
      end: STATEMENT_END,
      beginCaptures: {
        1: { name: 'keyword.other.directive.section.i386-asm' },
        2: { name: 'entity.name.section.i386-asm' },
      },
      patterns: [{ include: '#operands-att' }],
    },

  };
}
