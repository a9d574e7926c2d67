// Generated differential test of the encoder: instruction forms sampled from the opcode table are
// decoded from seeded random bytes, spelled as objdump spells them (formatAtt), and assembled by
// both `as --32` and kboost; the bytes must be equal. Every entry the encoder supports (all but
// the undocumented x87 aliases) is sampled; the test prints what it skipped and the pass rate.
// Texts `as` rejects (objdump prints unused prefixes as words, `%eiz`, `salc`) are counted apart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPCODE_TABLE, formatAtt, type OpcodeEntry } from '../../server/src/isa';
import { isEncodableEntry } from '../../server/src/asm/att-mnemonic-lookup';
import { assemble } from '../../server/src/asm';
import { assembleSnippetsWithGnuAs, gnuAsAvailable, hex } from './gnu-as-oracle';
import { sampleEntryTexts } from './table-sampled-instruction-texts';

const SAMPLES_PER_ENTRY = 4;

function skipReason(e: OpcodeEntry): string {
  if (e.map === 'primary' && e.opcode >= 0xd8 && e.opcode <= 0xdf && e.undocumented) return 'undocumented x87 alias (as never emits it)';
  return 'operand the encoder does not support';
}


test('instruction forms sampled from the opcode table assemble like as --32', { skip: !gnuAsAvailable() && 'as not installed' }, () => {
  const skipped = new Map<string, number>();
  for (const e of OPCODE_TABLE.entries) {
    if (!isEncodableEntry(e)) skipped.set(skipReason(e), (skipped.get(skipReason(e)) ?? 0) + 1);
  }
  const texts = sampleEntryTexts(20261126, SAMPLES_PER_ENTRY, formatAtt);
  const reference = assembleSnippetsWithGnuAs(texts);
  let equal = 0;
  let rejectedByAs = 0;
  const asRejections: string[] = [];
  const mismatches: string[] = [];
  texts.forEach((text, i) => {
    const theirs = reference[i];
    if (theirs === null || theirs === undefined) {
      rejectedByAs++;
      if (asRejections.length < 5) asRejections.push(text);
      return;
    }
    const image = assemble(text + '\n');
    const errors = image.diagnostics.filter((d) => d.severity === 'error');
    const ours = image.sections.find((s) => s.name === '.text')!.bytes;
    if (errors.length > 0) {
      mismatches.push(`${text}: we reject it (${errors[0]!.message}); as gives ${hex(theirs)}`);
      return;
    }
    if (hex(ours) === hex(theirs)) equal++;
    else mismatches.push(`${text}: ours ${hex(ours)}, as ${hex(theirs)}`);
  });
  const compared = texts.length - rejectedByAs;
  console.log(`entries not sampled: ${[...skipped].map(([why, n]) => `${n} ${why}`).join(', ') || 'none'}`);
  console.log(`samples: ${texts.length}; as rejects ${rejectedByAs} of objdump's spellings (e.g. ${asRejections.join(' | ')})`);
  console.log(`byte-exact: ${equal} of ${compared} (${((100 * equal) / compared).toFixed(2)} %)`);
  assert.deepEqual(mismatches, []);
  assert.ok(equal > 1000, `expected well over a thousand compared forms, got ${equal}`);
});
