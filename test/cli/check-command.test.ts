// `kboost check`: compiler-style verdict lines, contract comments that fail the run when the
// verdict differs, and JSON and SARIF output that parse and carry the same findings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
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
