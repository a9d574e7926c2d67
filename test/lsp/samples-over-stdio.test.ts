// The samples over the real protocol: under each profile a contract pins, the diagnostic on that
// line carries the contract's verdict as its code, with the severity of that verdict class, and no
// contract diagnostic appears.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LanguageServerClient, REPO_ROOT } from './language-server-client';

const SEVERITY: Record<string, number> = { boosted: 4, optimized: 4, 'single-stepped': 3, emulated: 3, depends: 3, refused: 2 };

test('sample contracts match the published diagnostics under each profile', async () => {
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    const samples = readdirSync(path.join(REPO_ROOT, 'samples')).filter((f) => f.endsWith('.S'));
    let checked = 0;
    for (const profile of ['rfc-2.6.15', 'linux-2.6.18', 'linux-6.1']) {
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { profile } } });
      for (const name of samples) {
        const text = readFileSync(path.join(REPO_ROOT, 'samples', name), 'utf8');
        const uri = `file:///samples/${profile}/${name}`;
        const published = await client.open(uri, text);
        assert.equal(published.diagnostics.filter((d) => d.code === 'contract').length, 0, `${name} under ${profile}`);
        text.split('\n').forEach((line, i) => {
          const m = new RegExp(`# kboost\\(${profile.replace(/\./g, '\\.')}\\): ([a-z-]+)`).exec(line);
          if (!m) return;
          const d = published.diagnostics.find((x) => x.source === 'kboost' && x.range.start.line === i);
          assert.equal(d?.code, m[1], `${name}:${i + 1} under ${profile}`);
          assert.equal(d?.severity, SEVERITY[m[1]!], `${name}:${i + 1} severity`);
          assert.match(d!.message, new RegExp(`^kprobe \\(${profile.replace(/\./g, '\\.')}\\): `));
          checked++;
        });
      }
    }
    assert.ok(checked >= 30, `only ${checked} contracts checked`);
  } finally {
    await client.shutdown();
  }
});
