// Hand-picked encodings (prefix combinations, addressing forms, moffs, far pointers, groups, the
// 0F/0F 38/0F 3A maps, x87, VEX) decode to the expected length and objdump's AT&T and Intel text.
// A second test checks the fixtures themselves against objdump, so an expectation cannot drift.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode, formatAtt, formatIntel } from '../../server/src/isa';
import { readDecodeFixtures } from './decode-fixture-files';

const fixtures = readDecodeFixtures();
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

test('decode fixtures: length, AT&T and Intel text', () => {
  assert.ok(fixtures.length >= 300, `expected at least 300 fixtures, found ${fixtures.length}`);
  const failures: string[] = [];
  for (const f of fixtures) {
    // Trailing bytes after the instruction must not change the result.
    const padded = new Uint8Array(f.bytes.length + 15).fill(0x90);
    padded.set(f.bytes);
    const insn = decode(padded, 0, 0);
    const att = formatAtt(insn);
    const intel = formatIntel(insn);
    if (insn.length !== f.bytes.length || !insn.valid || att !== f.att || intel !== f.intel) {
      failures.push(`${f.file}:${f.line} ${hex(f.bytes)}: length ${insn.length}/${f.bytes.length} ${insn.error ?? ''}\n  att   ${att} | expected ${f.att}\n  intel ${intel} | expected ${f.intel}`);
    }
  }
  assert.equal(failures.length, 0, `${failures.length} fixture(s) differ:\n${failures.slice(0, 30).join('\n')}`);
});

/** objdump's text for each instruction of a flat i386 binary, keyed by offset. */
function objdumpTexts(file: string, intel: boolean, vma: number): Map<number, string> {
  const args = ['-D', '-b', 'binary', '-m', 'i386', `--adjust-vma=${vma}`, ...(intel ? ['-M', 'intel'] : []), file];
  const out = execFileSync('objdump', args, { maxBuffer: 1 << 28 }).toString();
  const texts = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(line);
    if (m) texts.set(parseInt(m[1]!, 16), m[2]!.trimEnd());
  }
  return texts;
}

test('decode fixtures agree with objdump itself', (t) => {
  if (spawnSync('objdump', ['--version']).status !== 0) {
    t.skip('objdump is not installed (apt-get install binutils)');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-fixtures-'));
  try {
    // Fixtures without a relative branch are laid end to end and disassembled in one run;
    // a branch's text depends on its address, so each of those is disassembled at address 0.
    const file = path.join(dir, 'fixtures.bin');
    const hasBranch = (f: (typeof fixtures)[number]): boolean => /^(j|call|loop|xbegin|bnd|jecxz|jcxz)/.test(f.att.replace(/^(cs|ds|data16|addr16|bnd) /, '')) && !f.att.includes('*') && !f.att.includes('$');
    const plain = fixtures.filter((f) => !hasBranch(f));
    const blob = new Uint8Array(plain.reduce((n, f) => n + f.bytes.length, 0));
    const offsets: number[] = [];
    let at = 0;
    for (const f of plain) {
      offsets.push(at);
      blob.set(f.bytes, at);
      at += f.bytes.length;
    }
    writeFileSync(file, blob);
    const att = objdumpTexts(file, false, 0);
    const intel = objdumpTexts(file, true, 0);
    const wrong = plain.filter((f, i) => att.get(offsets[i]!) !== f.att || intel.get(offsets[i]!) !== f.intel);
    for (const f of fixtures.filter(hasBranch)) {
      writeFileSync(file, f.bytes);
      if (objdumpTexts(file, false, 0).get(0) !== f.att || objdumpTexts(file, true, 0).get(0) !== f.intel) wrong.push(f);
    }
    assert.deepEqual(
      wrong.map((f) => `${f.file}:${f.line}`),
      [],
      'fixture expectations that objdump does not print',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
