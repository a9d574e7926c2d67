// `kboost decode` against `objdump -D -b binary -m i386` over the same bytes (assembled here
// from fixtures/decode-sample.s), in AT&T and Intel syntax and at a kernel address; plus the
// forms of hex input it accepts and its usage errors.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseHexBytes } from '../../server/src/cli/command-decode';
import { hasCommand, makeTempDir, run, runCli } from './cli-test-support';

/** Instruction lines of an objdump listing (no header, no label). */
function instructionLines(listing: string): string[] {
  return listing.split('\n').filter((l) => /^ *[0-9a-f]+:\t/.test(l));
}

test('kboost decode matches objdump -D -b binary on assembled instructions', async (t) => {
  if (!hasCommand('as') || !hasCommand('objdump') || !hasCommand('objcopy')) return t.skip('binutils are not installed');
  const dir = makeTempDir(t);
  const obj = path.join(dir, 'sample.o');
  const bin = path.join(dir, 'sample.bin');
  run('as', ['--32', path.join(__dirname, 'fixtures', 'decode-sample.s'), '-o', obj]);
  run('objcopy', ['-O', 'binary', '-j', '.text', obj, bin]);
  const bytes = fs.readFileSync(bin);
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  for (const [address, syntax] of [['0', 'att'], ['0xc1000000', 'att'], ['0xc1000000', 'intel']] as const) {
    const expected = instructionLines(run('objdump', ['-D', '-b', 'binary', '-m', 'i386', `--adjust-vma=${address}`, '-M', syntax, bin]));
    const ours = await runCli(['decode', '--hex', hex, '--address', address, '-M', syntax]);
    assert.equal(ours.code, 0, ours.stderr);
    const got = ours.stdout.split('\n').filter((l) => l !== '');
    assert.equal(got.length, expected.length, `${syntax} at ${address}: line count`);
    let same = 0;
    for (let i = 0; i < got.length; i++) {
      const [ea, eb, ...et] = expected[i]!.split('\t');
      const [ga, gb, ...gt] = got[i]!.split('\t');
      assert.equal(ga, ea, `address column of line ${i + 1}`);
      assert.equal(gb, eb, `bytes column of line ${i + 1}`);
      if (gt.join('\t') === et.join('\t')) same++;
      else t.diagnostic(`${syntax}: ${ea} objdump: ${et.join('\t')}  kboost: ${gt.join('\t')}`);
    }
    t.diagnostic(`${syntax} at ${address}: ${same}/${got.length} instruction texts identical`);
    assert.ok(same >= got.length - 1);
  }
});

test('kboost decode accepts the usual ways of writing bytes', async () => {
  const forms = ['55 89 e5', '5589e5', '0x55,0x89,0xe5', '\\x55\\x89\\xe5', '55, 89,e5'];
  for (const form of forms) assert.deepEqual([...(parseHexBytes(form) as Uint8Array)], [0x55, 0x89, 0xe5], form);
  assert.equal(typeof parseHexBytes('55 zz'), 'string');
  assert.equal(typeof parseHexBytes('5 89e'), 'string');
  const positional = await runCli(['decode', '55', '89', 'e5']);
  assert.equal(positional.code, 0);
  assert.equal(positional.stdout, '   0:\t55                   \tpush   %ebp\n   1:\t89 e5                \tmov    %esp,%ebp\n');
  // A 10-byte instruction: objdump's continuation line keeps the trailing space.
  const long = await runCli(['decode', '--hex', 'c7 84 98 44 33 22 11 78 56 34 12', '--address', '0xc1000000']);
  assert.equal(long.stdout, 'c1000000:\tc7 84 98 44 33 22 11 \tmovl   $0x12345678,0x11223344(%eax,%ebx,4)\nc1000007:\t78 56 34 12 \n');
});

test('kboost decode reports bad input and usage errors with their exit codes', async () => {
  const bad = await runCli(['decode', '--hex', '55 qq']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, "kboost: --hex: 'qq' is not hex\n");
  for (const args of [['decode'], ['decode', '--hex', '55', '--address', 'nowhere'], ['decode', '--hex', '55', '-M', 'sparc'], ['decode', '--bogus']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^kboost decode: .*\nTry 'kboost decode --help'\.\n$/);
  }
  const help = await runCli(['decode', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: kboost decode/);
});
