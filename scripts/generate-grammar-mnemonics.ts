// Writes syntaxes/i386-asm.tmLanguage.json from the grammar template (scripts/i386-asm-grammar-
// template.ts and its rule files scripts/grammar-template-*.ts) and the mnemonics and registers of
// the opcode table (`npm run generate:grammar`). The test
// test/grammar/generated-grammar-is-current.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GRAMMAR_RELATIVE_PATH, renderI386AsmGrammar } from './render-i386-asm-grammar';

const target = path.resolve(__dirname, '..', GRAMMAR_RELATIVE_PATH);
writeFileSync(target, renderI386AsmGrammar());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
