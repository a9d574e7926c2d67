// The samples are documentation that must stay true: each states, in `# kboost(profile): VERDICT`
// contracts, what the reference rules give, and `kboost check` must agree with every one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../cli/cli-test-support';

const SAMPLES = path.join(REPO_ROOT, 'samples');

test('every contract in samples/ holds and every sample assembles', async () => {
  const files = readdirSync(SAMPLES).filter((f) => /\.(S|s|asm)$/.test(f)).map((f) => path.join(SAMPLES, f));
  assert.ok(files.length >= 2);
  const contracts = files.reduce((n, f) => n + (readFileSync(f, 'utf8').match(/# kboost\([a-z0-9.-]+\): [a-z-]+/g) ?? []).length, 0);
  assert.ok(contracts >= 30, `only ${contracts} contracts`);
  const r = await runCli(['check', ...files, '-q']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
});
