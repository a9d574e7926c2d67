// `kboost check`: compiler-style verdict lines, contract comments that fail the run when the
// verdict differs, and JSON and SARIF output that parse and carry the same findings. With
// `--context`, an included file's findings are those of its lines pasted in place of the include.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCli } from './cli-test-support';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'lsp', 'verdicts-linux-2.6.18.S');

test('a contract that holds passes; one that breaks fails with its place', async () => {
  const ok = await runCli(['check', FIXTURE, '--profile', 'linux-2.6.18', '-q']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(ok.stdout, '');
  const broken = await runCli(['check', FIXTURE, '--profile', 'linux-6.1', '-q']);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /verdicts-linux-2\.6\.18\.S:25:\d+: error: kboost contract: expected boosted, but under linux-6\.1 this instruction is emulated/);
});

test('text, JSON and SARIF carry the same findings', async () => {
  const text = await runCli(['check', FIXTURE, '--profile', 'linux-2.6.18']);
  const lines = text.stdout.trim().split('\n');
  assert.ok(lines.some((l) => /:7:2: note: kprobe \(linux-2\.6\.18\): boosted/.test(l)));
  const json = JSON.parse((await runCli(['check', FIXTURE, '--profile', 'linux-2.6.18', '--format', 'json'])).stdout) as { findings: unknown[] };
  assert.equal(json.findings.length, lines.length);
  const sarif = JSON.parse((await runCli(['check', FIXTURE, '--profile', 'linux-2.6.18', '--format', 'sarif'])).stdout) as { version: string; runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }> };
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0]!.results.length, lines.length);
  assert.equal(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine, 7);
});

test('bad arguments and unreadable files', async () => {
  assert.equal((await runCli(['check'])).code, 2);
  assert.equal((await runCli(['check', FIXTURE, '--profile', 'linux-9'])).code, 2);
  const missing = await runCli(['check', path.join(REPO_ROOT, 'no-such-file.S')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no-such-file\.S/);
});

test('--context checks an included file as its includer reads it: the findings of its lines pasted in place', async () => {
  const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'lsp');
  const fragment = path.join(dir, 'context-fragment.inc');
  const includer = path.join(dir, 'context-includer.S');
  // Alone, the includer's macro is unknown; in its context every contract holds.
  assert.equal((await runCli(['check', fragment, '-q'])).code, 1);
  const inContext = await runCli(['check', fragment, '--context', includer, '--format', 'json']);
  assert.equal(inContext.code, 0, inContext.stdout + inContext.stderr);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kboost-check-context-'));
  try {
    const lines = readFileSync(includer, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('.include "context-fragment.inc"'));
    const own = readFileSync(fragment, 'utf8').split('\n');
    const pasted = path.join(tmp, 'pasted.S');
    writeFileSync(pasted, [...lines.slice(0, at), ...own, ...lines.slice(at + 1)].join('\n'));
    type Findings = { findings: Array<{ file: string; line: number; column: number; level: string; rule: string; message: string }> };
    const oracle = (JSON.parse((await runCli(['check', pasted, '--format', 'json'])).stdout) as Findings).findings
      .filter((f) => f.line > at && f.line <= at + own.length)
      .map((f) => ({ ...f, file: fragment, line: f.line - at }));
    assert.ok(oracle.length >= 5);
    assert.deepEqual((JSON.parse(inContext.stdout) as Findings).findings, oracle);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // Another includer's context breaks contracts; a file that does not include it is refused.
  const other = await runCli(['check', fragment, '--context', path.join(dir, 'context-other-includer.S'), '-q']);
  assert.equal(other.code, 1);
  assert.match(other.stdout, /context-fragment\.inc:3:\d+: error: kboost contract: expected optimized/);
  const unrelated = await runCli(['check', fragment, '--context', FIXTURE]);
  assert.equal(unrelated.code, 1);
  assert.match(unrelated.stderr, /does not include it/);
});
