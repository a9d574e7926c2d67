// `kboost run --probe ... --kretprobe ... --profile P --trace FILE.s`: the ftrace-like hit lines,
// the stage log, and the summary with nhit, nmissed, boost or optprobe state and modelled cost.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CALIBRATION } from '../../../server/src/kprobes';
import { runCli } from '../../cli/cli-test-support';

const SOURCE = `
.text
.globl _start
_start:
  mov $3, %ecx
  xor %eax, %eax
body:
  add %ecx, %eax
  dec %ecx
  jnz body
  push $4
  call sq
  add $4, %esp
  hlt
sq:
  mov 4(%esp), %eax
  imul %eax, %eax
  ret
`;

function sourceFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-run-probes-'));
  const file = path.join(dir, 'demo.s');
  writeFileSync(file, SOURCE);
  return file;
}

test('kboost run --probe --trace: hit lines, stages and the summary (linux-2.6.18 boosts from the second hit)', async () => {
  const r = await runCli(['run', '--probe', 'body', '--probe', 'sq+0', '--kretprobe', 'sq', '--profile', 'linux-2.6.18', '--trace', sourceFile()]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => /: p_body_0: \(body\+0x0\)/.test(l)).length, 3);
  assert.match(r.stdout, /# jump-back-written +body\+0x0 hit=1 at=0x7ff00002 bytes=e9 /);
  assert.match(r.stdout, /r_sq: \(body\+0xc <- sq\) ax=0x00000010/);
  assert.match(r.stdout, /# kprobe body\+0x0: nhit=3 nmissed=0 boostable=1 hits=1xsingle-stepped,2xboosted modelled=\d+ cycles/);
  assert.match(r.stdout, /# kretprobe sq: nhit=1 nmissed=0 booster=on modelled=\d+ cycles/);
});

test('kboost run: linux-6.1 with preemption steps by int3; an unknown symbol is -ENOENT', async () => {
  const file = sourceFile();
  const r = await runCli(['run', '--probe', 'body', '--profile', 'linux-6.1', '--trace', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /# step-trap +body\+0x0 hit=1 by=int3/);
  assert.match(r.stdout, /# kprobe body\+0x0: nhit=3 nmissed=0 int3-stepped hits=3xsingle-stepped/);
  const bad = await runCli(['run', '--probe', 'nowhere', file]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /-ENOENT/);
  const usage = await runCli(['run', '--profile', 'linux-3.0', file]);
  assert.equal(usage.code, 2);
});

test('kboost run --optimize-delay: linux-6.1 optimizes the probe, traces the jump and the detour hits, and costs them as optimized', async () => {
  const file = sourceFile();
  const r = await runCli(['run', '--probe', 'sq', '--profile', 'linux-6.1', '--optimize-delay', '0', '--trace', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /# optimized +sq\+0x0 buffer=0x7ff01000 copied=\d+ jump=e9 /);
  assert.match(r.stdout, /# detour +sq\+0x0 hit=1 buffer=0x7ff01000 returnTo=0x/);
  assert.match(r.stdout, /: p_sq_0: \(sq\+0x0\) ax=0x00000006 \+4\(sp\)=0x00000004/);
  assert.match(r.stdout, /# profile linux-6.1 \(CONFIG_PREEMPTION=y CONFIG_OPTPROBES=y\)/);
  assert.match(r.stdout, new RegExp(`# kprobe sq\\+0x0: nhit=1 nmissed=0 optimized hits=1xoptimized modelled=${CALIBRATION.DETOUR} cycles`));
  const off = await runCli(['run', '--probe', 'sq', '--optprobes', 'off', '--optimize-delay', '0', file]);
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stdout, /# kprobe sq\+0x0: nhit=1 nmissed=0 int3-stepped hits=1xsingle-stepped/);
  const bad = await runCli(['run', '--optimize-delay', 'soon', file]);
  assert.equal(bad.code, 2);
});

test('kboost run --help shows both modes: a static ELF, and a program under probes', async () => {
  const r = await runCli(['run', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Runs a static ELF32 i386 executable/);
  assert.match(r.stdout, /--probe SYMBOL\[\+OFF\]/);
  assert.match(r.stdout, /--pre-handler/);
});
