// `kboost run`: the program's output passes through, its exit status becomes ours, --stats
// reports instructions and MIPS, and an instruction that is not emulated stops the program with
// a message naming it and its address (exit status 1).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryIo } from '../../server/src/cli/cli-io';
import { runKboost } from '../../server/src/cli/kboost-main';

function build(t: { after(fn: () => void): void }, source: string): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-run-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'p.c'), source);
  const r = spawnSync('gcc', ['-m32', '-static', '-O2', path.join(dir, 'p.c'), '-o', path.join(dir, 'p')]);
  return r.status === 0 ? path.join(dir, 'p') : null;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo();
  const code = await runKboost(['run', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

test('kboost run passes output and exit status through; --stats reports MIPS', async (t) => {
  const exe = build(t, '#include <stdio.h>\nint main(int c, char **v) { printf("%d %s\\n", c, v[1]); return 42; }\n');
  if (exe === null) return t.skip('gcc -m32 -static does not work here');
  const r = await run(['--stats', exe, 'hello']);
  assert.equal(r.code, 42);
  assert.equal(r.stdout, '2 hello\n');
  assert.match(r.stderr, /kboost run: \d+ instructions in [\d.]+ s: [\d.]+ MIPS/);
});

test('kboost run stops at an instruction that is not emulated, naming it and its address', async (t) => {
  const exe = build(t, 'int main(void) { __asm__ volatile("xorps %%xmm0, %%xmm0" ::: "memory"); return 0; }\n');
  if (exe === null) return t.skip('gcc -m32 -static does not work here');
  const r = await run([exe]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^kboost run: #UD not emulated: xorps at 0x[0-9a-f]{8} \(xorps %xmm0,%xmm0\)\n$/m);
});

test('kboost run rejects a missing program, a non-ELF file and unknown options', async (t) => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['--bogus', 'x'])).code, 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-run-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const text = path.join(dir, 'notes.txt');
  fs.writeFileSync(text, 'not a program\n');
  const r = await run([text]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^kboost run: .*notes\.txt: /);
  assert.equal((await run([path.join(dir, 'missing')])).code, 1);
});
