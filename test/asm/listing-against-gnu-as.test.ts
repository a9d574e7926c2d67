// `kboost asm --listing` (runAsm, in process): the address and byte columns of each line equal
// those of `as --32 -aln` on the same file, for every fixture without errors; the Image's line map
// agrees with that listing line by line (gnu-as-listing-line-map.ts; the corpus test does the
// same on real compiler output); and errors are printed as file:line:column.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAsm } from '../../server/src/cli/command-asm';
import type { CliIo } from '../../server/src/cli/cli-io';
import { assemble } from '../../server/src/asm';
import { assembleFileWithGnuAs, gnuAsAvailable } from './gnu-as-oracle';
import { ASM_FIXTURE_DIRECTORY, readAsmFixtures } from './asm-fixture-files';
import {
  GNU_AS_LISTING_OPTIONS, compareLineMap, parseGnuAsListing, relocatedFields, repeatBlocksOnOpeningLine,
} from './gnu-as-listing-line-map';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; }, flush() {} };
  return io;
}

/** `   3 0001 89E590   ` -> `3 0001 89E590`: the columns both listings share. */
function codeColumns(listing: string): string[] {
  return listing
    .split('\n')
    .map((l) => /^\s*(\d+) ([0-9a-f]{4,}) ([0-9A-F]+)/.exec(l) ?? /^\s*(\d+)      ([0-9A-F]+)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m.slice(1).join(' '));
}

const fixtures = readAsmFixtures().filter((f) => !f.expectations.some((e) => e.kind === 'error'));

for (const fixture of fixtures) {
  const file = path.join(ASM_FIXTURE_DIRECTORY, fixture.name);
  // as lists a .rept block's bytes on its .endr line, kboost on the .rept line (see the line map test).
  const repeats = /^\s*\.(rept|irpc?)\b/m.test(fixture.source) && 'as lists .rept blocks on .endr';
  test(`listing of ${fixture.name} matches as -aln`, { skip: (!gnuAsAvailable() && 'as not installed') || repeats }, () => {
    const io = capture();
    assert.equal(runAsm([file, '--listing'], io), 0, io.stderr);
    const dir = mkdtempSync(path.join(tmpdir(), 'kboost-al-'));
    try {
      const run = spawnSync('as', ['--32', ...GNU_AS_LISTING_OPTIONS, '-o', path.join(dir, 'out.o'), file], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(codeColumns(io.stdout), codeColumns(run.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`line map of ${fixture.name}: each line's address and bytes as as -aln lists them`, { skip: !gnuAsAvailable() && 'as not installed' }, () => {
    const theirs = assembleFileWithGnuAs(file, true);
    assert.ok(theirs.ok, theirs.ok ? '' : theirs.stderr);
    const listed = repeatBlocksOnOpeningLine(parseGnuAsListing(theirs.listing), fixture.source);
    const result = compareLineMap(assemble(fixture.source), listed, relocatedFields(theirs.sections));
    assert.deepEqual(result.differences, []);
    assert.ok(result.compared > 0, 'no line with bytes');
  });
}

test('errors are printed as file:line:column and the exit status is 1', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-asm-'));
  try {
    const file = path.join(dir, 'bad.s');
    writeFileSync(file, '\tnop\n\tmovl %eax, %bogus\n');
    const io = capture();
    assert.equal(runAsm([file], io), 1);
    assert.equal(io.stderr, `${file}:2:13: error: bad register name '%bogus'\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-o writes an ELF object that as --32 would recognise', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-asm-'));
  try {
    const output = path.join(dir, 'out.o');
    const io = capture();
    assert.equal(runAsm([path.join(ASM_FIXTURE_DIRECTORY, 'x87.s'), '-o', output], io), 0, io.stderr);
    const bytes = readFileSync(output);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal(bytes.readUInt16LE(16), 1); // ET_REL
    assert.equal(bytes.readUInt16LE(18), 3); // EM_386
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
