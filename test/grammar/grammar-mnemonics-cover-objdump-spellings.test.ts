// The grammar's mnemonic alternation recognises every mnemonic objdump prints in the decode
// fixtures (AT&T and Intel columns), and rejects words that only look like mnemonics. The
// alternation is plain enough for JavaScript's RegExp, which stands in for Oniguruma here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { collectMnemonics, mnemonicAlternation } from '../../scripts/grammar-mnemonic-alternation';

const root = path.resolve(__dirname, '..', '..');
const isMnemonic = new RegExp(`^(?:${mnemonicAlternation()})$`, 'i');

/** Words objdump prints before the mnemonic; the grammar scopes them as prefixes instead. */
const PREFIX_WORDS = new Set([
  'lock', 'rep', 'repz', 'repnz', 'repe', 'repne', 'data16', 'data32', 'addr16', 'addr32',
  'cs', 'ds', 'es', 'fs', 'gs', 'ss', 'notrack', 'bnd', 'xacquire', 'xrelease', '{vex}',
]);

/** The mnemonic of one objdump instruction text: the first word that is not a prefix. */
function mnemonicOf(text: string): string | undefined {
  const words = text.trim().split(/\s+/);
  const word = words.find((w) => !PREFIX_WORDS.has(w));
  // objdump's remarks (`fneni(8087 only)`) and `(bad)` are not assembler input; branch hints
  // (`jne,pt`) are matched by the grammar's instruction rule, outside the alternation.
  return word?.replace(/\(.*$/, '').replace(/,p[tn]$/, '') || undefined;
}

function fixtureMnemonics(): Set<string> {
  const dir = path.join(root, 'test', 'fixtures', 'decode');
  const found = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
    for (const line of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      const [, att, intel] = line.split('|');
      for (const text of [att, intel]) {
        const m = text === undefined ? undefined : mnemonicOf(text);
        if (m) found.add(m);
      }
    }
  }
  return found;
}

test('every mnemonic objdump prints in the decode fixtures is in the grammar', () => {
  const mnemonics = fixtureMnemonics();
  assert.ok(mnemonics.size > 100, `only ${mnemonics.size} mnemonics read from the decode fixtures`);
  const missing = [...mnemonics].filter((m) => !isMnemonic.test(m));
  assert.deepEqual(missing, []);
});

test('the suffix forms and synonyms as accepts are in the grammar', () => {
  // Each of these assembles with `as --32` (binutils 2.40) in AT&T syntax.
  const att = [
    'movl', 'movb', 'movw', 'addl', 'pushl', 'popw', 'calll', 'retl', 'jmpl', 'outb', 'inl', 'incl',
    'movzbl', 'movzwl', 'movsbl', 'cltd', 'cwtl', 'pushfl', 'popfl', 'pushal', 'iretl', 'jz', 'jnz',
    'jc', 'jnae', 'setz', 'setnbe', 'cmovz', 'cmovnel', 'loopz', 'loopw', 'loopl', 'sal', 'sall',
    'nopw', 'nopl', 'lgdt', 'sidtl', 'lodsb', 'fnstenvs', 'cmpltps', 'vcmpneq_oqsd', 'pclmullqhqdq',
  ];
  // And these after `.intel_syntax noprefix` (the grammar does not tell the two syntaxes apart here).
  const intel = ['pushfd', 'popad', 'iretd', 'stosd', 'lodsd', 'fldenvw', 'fnstenvw'];
  assert.deepEqual([...att, ...intel].filter((m) => !isMnemonic.test(m)), []);
});

test('words that are not mnemonics stay out of the grammar', () => {
  const rejected = ['movlx', 'eax', 'foo', 'jzz', 'setq', 'lockx', 'movzblq', 'section', 'macro'];
  assert.deepEqual(rejected.filter((m) => isMnemonic.test(m)), []);
  assert.ok(collectMnemonics().size > 1000);
});
