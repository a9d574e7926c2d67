// Generated output is current: syntaxes/i386-asm.tmLanguage.json equals what the template and the
// opcode table's mnemonics render now (regenerate with `npm run generate:grammar`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GRAMMAR_RELATIVE_PATH, renderI386AsmGrammar } from '../../scripts/render-i386-asm-grammar';

const root = path.resolve(__dirname, '..', '..');

test('syntaxes/i386-asm.tmLanguage.json is generated from the current template and table (run npm run generate:grammar)', () => {
  const committed = readFileSync(path.join(root, GRAMMAR_RELATIVE_PATH), 'utf8');
  assert.ok(committed === renderI386AsmGrammar(), 'the grammar is stale: run `npm run generate:grammar`');
});

test('package.json contributes the grammar for the i386-asm language', () => {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes?: { grammars?: { language: string; scopeName: string; path: string }[] };
  };
  const entry = manifest.contributes?.grammars?.find((g) => g.language === 'i386-asm');
  assert.ok(entry, 'contributes.grammars has no entry for i386-asm');
  assert.equal(entry.scopeName, 'source.i386-asm');
  assert.equal(path.normalize(entry.path), GRAMMAR_RELATIVE_PATH);
});
