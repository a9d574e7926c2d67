// Unit tests of the objdump listing reader, on a listing objdump 2.40 printed for raw bytes
// (`objdump -D -b binary -m i386`): long instructions split over lines, prefixes printed alone,
// (bad), and the header lines around them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isPrefixOnlyText, parseListingLine, parseObjdumpListing, readObjdumpListingFile } from './objdump-listing';

const LISTING = [
  '',
  'x.bin:     file format binary',
  '',
  '',
  'Disassembly of section .data:',
  '',
  '00000000 <.data>:',
  '   0:\t2e 2e 2e 90          \tcs cs cs nop',
  '   4:\tf3 f3 90             \trepz pause',
  '   d:\t3e 3e 3e 3e 3e 3e 3e \tds ds ds ds ds ds ds ds ds ds ds ds ds ds',
  '  14:\t3e 3e 3e 3e 3e 3e 3e ',
  '  1b:\t3e 90                \tds nop',
  '  1f:\tf3 0f ff c4          \trepz ud0 %esp,%eax',
  '  23:\tff                   \t(bad)  ',
  '  24:\tff d6                \tcall   *%esi',
  '  28:\t66                   \tdata16',
  '  2b:\t3e                   \tds',
  'c1000006:\t0f 01 15 46 3e c4 01 \tlgdtl  0x1c43e46',
  'c10000b5:\tc7 05 00 10 00 00 ff \tmovl   $0xffffffff,0x1000',
  'c10000bc:\tff ff ff ',
].join('\n');

test('parses instruction lines, continuation lines and nothing else', () => {
  assert.deepEqual(parseListingLine('   4:\tf3 f3 90             \trepz pause'), {
    address: 4,
    bytes: [0xf3, 0xf3, 0x90],
    text: 'repz pause',
  });
  assert.deepEqual(parseListingLine('  14:\t3e 3e 3e 3e 3e 3e 3e '), {
    address: 0x14,
    bytes: Array(7).fill(0x3e),
    text: null,
  });
  assert.equal(parseListingLine('00000000 <.data>:'), null);
  assert.equal(parseListingLine('x.bin:     file format binary'), null);
  assert.equal(parseListingLine('Disassembly of section .data:'), null);
  assert.equal(parseListingLine('\t...'), null);
});

test('merges continuation lines and marks (bad) and prefix-only records', () => {
  const records = parseObjdumpListing(LISTING);
  const summary = records.map((r) => [r.address.toString(16), r.bytes.length, r.text, r.bad, r.prefixOnly]);
  assert.deepEqual(summary, [
    ['0', 4, 'cs cs cs nop', false, false],
    ['4', 3, 'repz pause', false, false],
    ['d', 14, 'ds ds ds ds ds ds ds ds ds ds ds ds ds ds', false, true],
    ['1b', 2, 'ds nop', false, false],
    ['1f', 4, 'repz ud0 %esp,%eax', false, false],
    ['23', 1, '(bad)', true, false],
    ['24', 2, 'call   *%esi', false, false],
    ['28', 1, 'data16', false, true],
    ['2b', 1, 'ds', false, true],
    ['c1000006', 7, 'lgdtl  0x1c43e46', false, false],
    ['c10000b5', 10, 'movl   $0xffffffff,0x1000', false, false],
  ]);
  assert.deepEqual([...records[10]!.bytes.slice(7)], [0xff, 0xff, 0xff]);
});

test('a continuation line without an instruction before it is an error', () => {
  assert.throws(() => parseObjdumpListing('  14:\t3e 3e 3e '), /continuation line/);
});

test('prefix-only texts', () => {
  for (const t of ['repz', 'lock', 'data16', 'addr16', 'cs', 'lock lock', 'ds ds ds']) assert.ok(isPrefixOnlyText(t), t);
  for (const t of ['repz pause', 'lock incl 0x1c(%eax)', 'nop', '(bad)', 'fwait', '']) assert.ok(!isPrefixOnlyText(t), t);
});

test('the streaming file reader gives the same records as the in-memory parser', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-listing-'));
  try {
    const file = path.join(dir, 'listing.txt');
    // Many copies, re-addressed so each continuation line still follows its instruction.
    const lines: string[] = [];
    let next = 0;
    for (let copy = 0; copy < 500; copy++) {
      for (const line of LISTING.split('\n').slice(7)) {
        const p = parseListingLine(line)!;
        const address = p.text === null ? next : next + 0x10;
        lines.push(line.replace(/^ *[0-9a-f]+:/, `${address.toString(16)}:`));
        next = address + p.bytes.length;
      }
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    // A small chunk size makes lines straddle the reader's chunk boundaries.
    const streamed = [...readObjdumpListingFile(file, 97)];
    assert.deepEqual(streamed, parseObjdumpListing(lines.join('\n')));
    assert.equal(streamed.length, 500 * 11);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
