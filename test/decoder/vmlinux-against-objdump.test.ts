// Differential test of the decoder and the AT&T formatter against objdump over every instruction
// of a real Debian i386 kernel's .text (2.9 million). (a) Our length must equal objdump's byte
// count for all of them, as the kernel's own insn_decoder_test requires of its decoder. (b) Our
// text must equal objdump's for >= 99 %, and every difference must belong to a class listed in
// test/data/objdump-text-differences.txt, so a new kind of difference fails. Skips when the
// kernel package cannot be fetched.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, formatAtt } from '../../server/src/isa';
import { findDebianKernel, readVmlinuxText } from '../oracles/debian-kernel';
import { readObjdumpListingFile, type ListingRecord } from '../oracles/objdump-listing';

const DIFFERENCE_CLASSES_FILE = path.resolve(__dirname, '..', 'data', 'objdump-text-differences.txt');
const REQUIRED_TEXT_AGREEMENT = 0.99;
const SHOWN = 20;
const GROUPS_SHOWN = 30;
const EXAMPLES_PER_GROUP = 3;

interface DifferenceClass {
  id: string;
  pattern: RegExp;
  reason: string;
  count: number;
}

/** `class-id | regex | reason`; the regex is everything between the first and last ' | '. */
function readDifferenceClasses(): DifferenceClass[] {
  const classes: DifferenceClass[] = [];
  const lines = fs.readFileSync(DIFFERENCE_CLASSES_FILE, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const first = line.indexOf(' | ');
    const last = line.lastIndexOf(' | ');
    if (first < 0 || last <= first) throw new Error(`${DIFFERENCE_CLASSES_FILE}:${i + 1}: expected 'id | regex | reason'`);
    const id = line.slice(0, first).trim();
    classes.push({ id, pattern: new RegExp(line.slice(first + 3, last).trim()), reason: line.slice(last + 3).trim(), count: 0 });
  });
  return classes;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
const PREFIX_WORDS = new Set(['lock', 'rep', 'repz', 'repnz', 'cs', 'ds', 'es', 'ss', 'fs', 'gs', 'data16', 'addr16']);

/** The words naming an instruction in a text: its mnemonic with any prefix words before it. */
function mnemonicOf(text: string): string {
  const words = text.split(/\s+/);
  let n = 0;
  while (n < words.length - 1 && PREFIX_WORDS.has(words[n]!)) n++;
  return words.slice(0, n + 1).join(' ');
}

interface Comparison {
  instructions: number;
  skippedBad: number;
  skippedPrefixOnly: number;
  lengthMismatches: number;
  lengthExamples: string[];
  listingByteMismatches: string[];
  textCompared: number;
  textEqual: number;
  /** Differences no class covers, grouped by "objdump mnemonic => ours". */
  unclassified: Map<string, { count: number; examples: string[] }>;
  unclassifiedTotal: number;
  classes: DifferenceClass[];
  seconds: number;
}

let memo: Comparison | undefined;

function compareWithObjdump(): Comparison {
  if (memo !== undefined) return memo;
  const kernel = findDebianKernel();
  if (!kernel.ok) throw new Error(kernel.reason);
  const started = Date.now();
  const text = readVmlinuxText(kernel.files);
  const c: Comparison = {
    instructions: 0, skippedBad: 0, skippedPrefixOnly: 0, lengthMismatches: 0, lengthExamples: [],
    listingByteMismatches: [], textCompared: 0, textEqual: 0, unclassified: new Map(), unclassifiedTotal: 0,
    classes: readDifferenceClasses(), seconds: 0,
  };
  const where = (r: ListingRecord) => `${r.address.toString(16)}: ${hex(r.bytes)}  objdump: '${r.text}'`;
  for (const r of readObjdumpListingFile(kernel.files.listing)) {
    c.instructions++;
    if (r.bad) { c.skippedBad++; continue; }
    if (r.prefixOnly) { c.skippedPrefixOnly++; continue; }
    const offset = r.address - text.address;
    const actual = text.bytes.subarray(offset, offset + r.bytes.length);
    if (offset < 0 || actual.length !== r.bytes.length || actual.some((b, i) => b !== r.bytes[i])) {
      if (c.listingByteMismatches.length < SHOWN) c.listingByteMismatches.push(`${where(r)}  .text has ${hex(actual)}`);
      continue;
    }
    let insn: ReturnType<typeof decode>;
    try {
      insn = decode(text.bytes, offset, r.address);
    } catch (e) {
      c.lengthMismatches++;
      if (c.lengthExamples.length < SHOWN) c.lengthExamples.push(`${where(r)}  decode threw: ${(e as Error).message}`);
      continue;
    }
    if (insn.length !== r.bytes.length) {
      c.lengthMismatches++;
      if (c.lengthExamples.length < SHOWN) {
        const why = insn.valid ? `'${formatAtt(insn)}'` : `invalid: ${insn.error}`;
        c.lengthExamples.push(`${where(r)}  ours: length ${insn.length} ${why}`);
      }
      continue;
    }
    c.textCompared++;
    let ours: string;
    try {
      ours = formatAtt(insn);
    } catch (e) {
      ours = `<formatAtt threw: ${(e as Error).message}>`;
    }
    if (ours === r.text) { c.textEqual++; continue; }
    const known = c.classes.find((k) => k.pattern.test(r.text));
    if (known !== undefined) { known.count++; continue; }
    c.unclassifiedTotal++;
    const key = `${mnemonicOf(r.text)} => ${mnemonicOf(ours)}`;
    const group = c.unclassified.get(key) ?? { count: 0, examples: [] };
    group.count++;
    if (group.examples.length < EXAMPLES_PER_GROUP) group.examples.push(`${where(r)}  ours: '${ours}'`);
    c.unclassified.set(key, group);
  }
  c.seconds = (Date.now() - started) / 1000;
  memo = c;
  return c;
}

const kernel = findDebianKernel();
const skipReason = kernel.ok ? undefined : kernel.reason;


/** One diagnostic per line: reporters escape the newlines inside one. */
function diagnoseLines(t: TestContext, text: string): void {
  for (const line of text.split('\n')) t.diagnostic(line.replace(/\t/g, '    '));
}

test('decoder length equals objdump byte count for every vmlinux .text instruction', { skip: skipReason }, (t) => {
  const c = compareWithObjdump();
  const compared = c.instructions - c.skippedBad - c.skippedPrefixOnly;
  const agree = compared - c.lengthMismatches - c.listingByteMismatches.length;
  t.diagnostic(
    `${c.instructions} instructions in ${c.seconds.toFixed(1)} s; skipped ${c.skippedBad} (bad) and ${c.skippedPrefixOnly} prefix-only`,
  );
  t.diagnostic(`length agreement: ${agree}/${compared} = ${((100 * agree) / compared).toFixed(4)} %`);
  assert.deepEqual(c.listingByteMismatches, [], 'objdump listing bytes differ from the ELF .text (reader bug)');
  assert.equal(
    c.lengthMismatches,
    0,
    `${c.lengthMismatches} length mismatches; first ${c.lengthExamples.length}:\n${c.lengthExamples.join('\n')}`,
  );
});

test('AT&T text equals objdump for >= 99 % of vmlinux .text, and the rest in known classes', { skip: skipReason }, (t) => {
  const c = compareWithObjdump();
  const percent = (100 * c.textEqual) / c.textCompared;
  t.diagnostic(`text agreement: ${c.textEqual}/${c.textCompared} = ${percent.toFixed(4)} %` +
    ` (instructions whose length differs are left to the length test)`);
  for (const k of c.classes) t.diagnostic(`class ${k.id}: ${k.count}  (${k.reason})`);
  const groups = [...c.unclassified.entries()].sort((a, b) => b[1].count - a[1].count);
  const report = groups.slice(0, GROUPS_SHOWN).map(([key, g]) => `${g.count}\t${key}\n\t\t${g.examples.join('\n\t\t')}`);
  if (groups.length > 0) {
    diagnoseLines(t, `unclassified differences: ${c.unclassifiedTotal} in ${groups.length} groups; top ${report.length}:\n${report.join('\n')}`);
  }
  assert.ok(percent >= 100 * REQUIRED_TEXT_AGREEMENT, `text agreement ${percent.toFixed(4)} % < ${100 * REQUIRED_TEXT_AGREEMENT} %`);
  assert.equal(
    c.unclassifiedTotal,
    0,
    `${c.unclassifiedTotal} differences in no class of test/data/objdump-text-differences.txt:\n${report.join('\n')}`,
  );
});
