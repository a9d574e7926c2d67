// `kboost disasm` of objects built here (gcc -m32 from a C file, `as --32` from an assembly
// file of layout corner cases) against `objdump -d` of the same files, line by line: layout
// (addresses, bytes, labels, `...`, section headers, relocation lines) must be identical; the
// instruction text column is counted and must agree almost everywhere (formatter differences
// are reported with their lines).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  compareListings, describeComparison, gccM32Problem, hasCommand, makeTempDir, run, runCli,
} from './cli-test-support';

const FIXTURES = path.join(__dirname, 'fixtures');
/** Below this share of identical instruction texts the formatter, not the layout, regressed. */
const MIN_TEXT_AGREEMENT = 0.98;

async function compareWithObjdump(
  t: { diagnostic(message: string): void },
  what: string,
  objdumpArgs: string[],
  kboostArgs: string[],
  cwd: string,
): Promise<void> {
  const expected = run('objdump', objdumpArgs, { cwd });
  const ours = await runCli(kboostArgs);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stderr, '');
  const c = compareListings(expected, ours.stdout);
  t.diagnostic(describeComparison(what, c));
  for (const d of c.textDifferences.slice(0, 10)) t.diagnostic(`  text: ${d}`);
  assert.deepEqual(c.layoutDifferences, [], `${what}: layout differs from objdump`);
  assert.ok(c.lines > 5, `${what}: the listing is nearly empty`);
  assert.ok(c.sameText >= MIN_TEXT_AGREEMENT * c.instructions, `${what}: only ${c.sameText}/${c.instructions} texts agree`);
}

const GCC_FLAVOURS: Record<string, string[]> = {
  'O2-pie': ['-O2'],
  'O2-nopic': ['-O2', '-fno-pic', '-fno-asynchronous-unwind-tables'],
  'Os-i686': ['-Os', '-march=i686', '-fno-pic'],
  'O1-sse2': ['-O1', '-msse2', '-mfpmath=sse', '-fno-pic'],
};

test('kboost disasm of gcc -m32 objects matches objdump -d', async (t) => {
  if (!hasCommand('objdump')) return t.skip('objdump is not installed');
  const dir = makeTempDir(t);
  const problem = gccM32Problem(dir);
  if (problem !== null) return t.skip(problem);
  for (const [name, flags] of Object.entries(GCC_FLAVOURS)) {
    const obj = `sample-${name}.o`;
    run('gcc', ['-m32', ...flags, '-c', path.join(FIXTURES, 'listing-sample.c'), '-o', obj], { cwd: dir });
    // Relative paths: both tools print the name they were given in the header line.
    const objPath = path.join(dir, obj);
    await compareWithObjdump(t, `${name} AT&T`, ['-d', objPath], ['disasm', objPath], dir);
    await compareWithObjdump(t, `${name} Intel`, ['-d', '-M', 'intel', objPath], ['disasm', '-M', 'intel', objPath], dir);
    await compareWithObjdump(t, `${name} with relocations`, ['-dr', objPath], ['disasm', '-r', objPath], dir);
  }
});

test('kboost disasm --symbol and address ranges match objdump --disassemble and --start/--stop-address', async (t) => {
  if (!hasCommand('objdump')) return t.skip('objdump is not installed');
  const dir = makeTempDir(t);
  const problem = gccM32Problem(dir);
  if (problem !== null) return t.skip(problem);
  const obj = path.join(dir, 'sample.o');
  run('gcc', ['-m32', '-O2', '-fno-pic', '-c', path.join(FIXTURES, 'listing-sample.c'), '-o', obj]);
  for (const sym of ['pick', 'copy_record', 'report_failure', 'main', 'scale']) {
    const symbols = run('objdump', ['-t', obj]);
    if (!new RegExp(`\\s${sym}$`, 'm').test(symbols)) continue; // inlined away by this gcc
    await compareWithObjdump(t, `--symbol ${sym}`, ['-d', `--disassemble=${sym}`, obj], ['disasm', '--symbol', sym, obj], dir);
  }
  await compareWithObjdump(t, 'range 0x13..0x91', ['-d', '--start-address=0x13', '--stop-address=0x91', obj],
    ['disasm', '--start-address', '0x13', '--stop-address', '0x91', obj], dir);
  await compareWithObjdump(t, '-j .text', ['-d', '-j', '.text', obj], ['disasm', '-j', '.text', obj], dir);
});

test('kboost disasm of the layout corner cases matches objdump -d', async (t) => {
  if (!hasCommand('objdump') || !hasCommand('as')) return t.skip('binutils (as, objdump) are not installed');
  const dir = makeTempDir(t);
  const obj = path.join(dir, 'edge.o');
  run('as', ['--32', path.join(FIXTURES, 'listing-edge-cases.s'), '-o', obj]);
  await compareWithObjdump(t, 'edge cases', ['-d', obj], ['disasm', obj], dir);
  await compareWithObjdump(t, 'edge cases -r', ['-dr', obj], ['disasm', '-r', obj], dir);
  await compareWithObjdump(t, 'edge cases Intel', ['-d', '-Mintel', obj], ['disasm', '-Mintel', obj], dir);
  await compareWithObjdump(t, 'edge cases --symbol table', ['-d', '--disassemble=table', obj], ['disasm', '--symbol', 'table', obj], dir);
  // The listing really exercised the corners it was written for.
  const ours = (await runCli(['disasm', obj])).stdout;
  for (const needle of ['\tlock\n', '\t.byte 0xff\n', '\tdata16\n', '\t...\n', '    kboost table....\n', '<entry-0x2>:', '  54:\t78 56 34 12 \n']) {
    assert.ok(ours.includes(needle), `listing lacks ${JSON.stringify(needle)}`);
  }
  assert.ok(fs.existsSync(obj));
});
