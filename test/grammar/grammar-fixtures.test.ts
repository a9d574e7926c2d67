// Runs the TextMate grammar's annotated fixtures (test/fixtures/grammar/*.s, *.S) through
// vscode-tmgrammar-test, which tokenizes them with VS Code's own engine (vscode-textmate) and
// checks every `# ^^^ scope` assertion. The grammar is found through package.json's contributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const fixtureDir = path.join(root, 'test', 'fixtures', 'grammar');
const fixtures = readdirSync(fixtureDir)
  .filter((name) => /\.[sS]$/.test(name))
  .sort()
  .map((name) => path.join('test', 'fixtures', 'grammar', name));

test('there are grammar fixtures, each with a SYNTAX TEST header and assertions', () => {
  assert.ok(fixtures.length >= 5, `expected several fixtures in ${fixtureDir}`);
  for (const file of fixtures) {
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    assert.match(lines[0] ?? '', /^# SYNTAX TEST "source\.i386-asm"/, `${file}: header`);
    const assertions = lines.filter((l) => /^#\s*(\^|<-)/.test(l));
    assert.ok(assertions.length >= 10, `${file}: only ${assertions.length} assertions`);
    // The tool's assertion parser backtracks exponentially on a line with two `- exclusion`
    // groups (all exclusions go after a single `-`), which looks like a hung test run.
    for (const line of assertions) assert.ok(!/\s-\s.*\s-\s/.test(line), `${file}: two '-' groups in: ${line}`);
  }
});

test('vscode-tmgrammar-test passes on every grammar fixture', () => {
  const cli = path.join(root, 'node_modules', '.bin', 'vscode-tmgrammar-test');
  const run = spawnSync(cli, ['--config', 'package.json', ...fixtures], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  assert.equal(run.error, undefined, `could not run ${cli}: ${run.error?.message}\n${output}`);
  assert.equal(run.status, 0, `vscode-tmgrammar-test failed (exit ${run.status}):\n${output}`);
  for (const file of fixtures) assert.ok(output.includes(`${file} run successfuly`), `${file} was not reported:\n${output}`);
});
