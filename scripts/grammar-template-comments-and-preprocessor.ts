// TextMate grammar rules for comments (line, block, kboost contracts) and C preprocessor lines
// (.S files go through cpp). Part of the template that scripts/generate-grammar-mnemonics.ts renders.

import { r } from './grammar-template-regex-parts';

/** cpp keywords that are rare in English prose may be written `# define`; the others need `#if`. */
const CPP_SPACED_KEYWORDS = 'define|undef|ifdef|ifndef|elif|endif|pragma|include_next|include';
const CPP_TIGHT_KEYWORDS = 'if|else|error|warning|line';

export function commentAndPreprocessorRules(): Record<string, object> {
  return {
    // ---- comments -------------------------------------------------------------------------
    comments: {
      patterns: [
        {
          comment: 'A kboost contract: the verdict the author expects on this line (checked by kboost check).',
          name: 'comment.line.kboost-contract.i386-asm',
          match: r`(#)\s*(kboost)(:)\s*([a-z][a-z-]*)?(.*)$`,
          captures: {
            1: { name: 'punctuation.definition.comment.i386-asm' },
            2: { name: 'keyword.other.kboost-contract.i386-asm' },
            3: { name: 'punctuation.separator.kboost-contract.i386-asm' },
            4: { name: 'constant.language.kboost-verdict.i386-asm' },
          },
        },
        { include: '#line-comment' },
        { include: '#block-comment' },
      ],
    },
    'line-comment': {
      patterns: [
        {
          name: 'comment.line.number-sign.i386-asm',
          match: r`(#).*$`,
          captures: { 1: { name: 'punctuation.definition.comment.i386-asm' } },
        },
        {
          comment: 'cpp removes // comments from .S files; GAS itself would not accept them.',
          name: 'comment.line.double-slash.i386-asm',
          match: r`(//).*$`,
          captures: { 1: { name: 'punctuation.definition.comment.i386-asm' } },
        },
      ],
    },
    'block-comment': {
      name: 'comment.block.i386-asm',
      begin: r`/\*`,
      end: r`\*/`,
      beginCaptures: { 0: { name: 'punctuation.definition.comment.begin.i386-asm' } },
      endCaptures: { 0: { name: 'punctuation.definition.comment.end.i386-asm' } },
    },

    // ---- C preprocessor lines (.S files) ----------------------------------------------------
    preprocessor: {
      patterns: [
        {
          name: 'meta.preprocessor.include.i386-asm',
          begin: r`^\s*(#)\s*(include(?:_next)?)\b`,
          end: r`(?<!\\)(?=\n)`,
          beginCaptures: {
            1: { name: 'punctuation.definition.directive.i386-asm' },
            2: { name: 'keyword.control.directive.include.i386-asm' },
          },
          patterns: [
            {
              name: 'string.quoted.other.lt-gt.include.i386-asm',
              match: r`(<)[^>]*(>)`,
              captures: {
                1: { name: 'punctuation.definition.string.begin.i386-asm' },
                2: { name: 'punctuation.definition.string.end.i386-asm' },
              },
            },
            { include: '#strings' },
            { include: '#block-comment' },
          ],
        },
        {
          comment: 'Macro bodies continue over lines ending in a backslash and often hold instructions.',
          name: 'meta.preprocessor.macro.i386-asm',
          begin: r`^\s*(#)\s*(define)\s+([A-Za-z_]\w*)(?:(\()([^)]*)(\)))?`,
          end: r`(?<!\\)(?=\n)`,
          beginCaptures: {
            1: { name: 'punctuation.definition.directive.i386-asm' },
            2: { name: 'keyword.control.directive.define.i386-asm' },
            3: { name: 'entity.name.function.preprocessor.i386-asm' },
            4: { name: 'punctuation.definition.parameters.begin.i386-asm' },
            5: { name: 'variable.parameter.preprocessor.i386-asm' },
            6: { name: 'punctuation.definition.parameters.end.i386-asm' },
          },
          patterns: [
            { include: '#line-continuation' },
            { include: '#block-comment' },
            { include: '#statement-separator' },
            { include: '#instruction' },
            { include: '#operands-att' },
          ],
        },
        {
          name: 'meta.preprocessor.i386-asm',
          begin: r`^\s*(#)(?:\s*(${CPP_SPACED_KEYWORDS})|(${CPP_TIGHT_KEYWORDS}))\b`,
          end: r`(?<!\\)(?=\n)`,
          beginCaptures: {
            1: { name: 'punctuation.definition.directive.i386-asm' },
            2: { name: 'keyword.control.directive.i386-asm' },
            3: { name: 'keyword.control.directive.i386-asm' },
          },
          patterns: [
            { include: '#line-continuation' },
            { include: '#block-comment' },
            {
              name: 'comment.line.double-slash.i386-asm',
              match: r`(//).*$`,
              captures: { 1: { name: 'punctuation.definition.comment.i386-asm' } },
            },
            { name: 'keyword.operator.defined.i386-asm', match: r`\bdefined\b` },
            { include: '#strings' },
            { include: '#numbers' },
            { name: 'entity.name.constant.preprocessor.i386-asm', match: r`\b[A-Za-z_]\w*\b` },
            { name: 'keyword.operator.i386-asm', match: r`&&|\|\||[!<>=]=?|[-+*/%&|^~]` },
          ],
        },
      ],
    },
    'line-continuation': {
      name: 'constant.character.escape.line-continuation.i386-asm',
      match: r`\\$`,
    },

  };
}
