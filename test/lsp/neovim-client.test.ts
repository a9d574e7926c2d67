// A second real LSP client: headless Neovim (Debian's neovim 0.7) starts kboost's server, opens
// a fixture, and reports the diagnostics and a hover it received.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './language-server-client';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'lsp', 'verdicts-linux-2.6.18.S');

test('Neovim receives kboost diagnostics and a hover', (t) => {
  if (spawnSync('nvim', ['--version']).status !== 0) {
    t.skip('nvim is not installed (apt-get install neovim)');
    return;
  }
  const server = [process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'server', 'src', 'server-main.ts'), '--stdio'];
  const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-c', `luafile ${path.join(__dirname, 'neovim', 'lsp-probe.lua')}`, FIXTURE], {
    cwd: REPO_ROOT,
    env: { ...process.env, KBOOST_SERVER_CMD: JSON.stringify(server), KBOOST_PROFILE: 'linux-2.6.18', KBOOST_HOVER_LINE: '14', KBOOST_HOVER_COL: '2' },
    encoding: 'utf8',
    timeout: 60000,
  });
  const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.includes('KBOOST_RESULT '));
  assert.ok(line, `no result from nvim (status ${r.status}): ${r.stdout} ${r.stderr}`);
  const result = JSON.parse(line.slice(line.indexOf('KBOOST_RESULT ') + 'KBOOST_RESULT '.length)) as {
    waited: boolean; diagnostics: Array<{ line: number; code: string; message: string }>; hover: string;
  };
  assert.equal(result.waited, true);
  const push = result.diagnostics.find((d) => d.line === 6);
  assert.equal(push?.code, 'boosted');
  assert.match(push!.message, /linux-2\.6\.18/);
  assert.equal(result.diagnostics.find((d) => d.line === 14)?.code, 'single-stepped');
  assert.match(result.hover, /\| linux-6\.1 \| emulated/);
});
