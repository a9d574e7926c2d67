// kboost/lineVerdicts with a range, as the VS Code client asks it (the lines around the visible
// ones): over stdio, the answer must be exactly the instruction lines of that range from a fresh
// analysis of the same text, in order; malformed ranges get the whole document or an error, and the
// server keeps answering.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeDocument } from '../../server/src/editor/document-analysis';
import { verdictClass } from '../../server/src/editor/verdict-presentation';
import { readServerSettings } from '../../server/src/lsp/editor-settings-from-configuration';
import { LanguageServerClient, REPO_ROOT } from './language-server-client';

const URI = 'untitled:visible-lines.S';
const PROFILE = 'linux-6.1';

test('line verdicts of a range are the instruction lines of that range, and nothing else', async () => {
  const sample = readFileSync(path.join(REPO_ROOT, 'samples', 'three-generations.S'), 'utf8');
  // Many copies, so that a range really leaves lines out on both sides.
  const text = Array.from({ length: 6 }, () => sample).join('\n');
  const a = analyzeDocument(text, readServerSettings({ profile: PROFILE }).editor);
  const all = a.annotations.map((x) => ({ line: x.range.line, end: x.range.end, verdict: verdictClass(a.probe(x, PROFILE)) }));
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { profile: PROFILE } } });
    await client.open(URI, text);
    const ask = (params: unknown): Promise<{ profile: string; lines: typeof all }> => client.connection.sendRequest('kboost/lineVerdicts', params);
    const lineCount = text.split('\n').length;
    for (const [from, to] of [[0, 40], [57, 190], [lineCount - 30, lineCount + 500], [120, 120], [300, 200]] as const) {
      const answer = await ask({ uri: URI, range: { start: { line: from, character: 0 }, end: { line: to, character: 0 } } });
      const expected = all.filter((l) => l.line >= from && l.line <= to);
      assert.deepEqual(answer, { profile: PROFILE, lines: expected }, `lines ${from}..${to}`);
      if (to - from > 20) assert.ok(expected.length > 0 && expected.length < all.length, `the range ${from}..${to} leaves lines out`);
    }
    // Without a range, or with one that is not made of line numbers: the whole document.
    for (const range of [undefined, 'lines 3 to 9', { start: { line: 'x' }, end: { line: 9 } }, { start: null, end: null }]) {
      assert.deepEqual(await ask({ uri: URI, range }), { profile: PROFILE, lines: all }, JSON.stringify(range));
    }
    // Nonsense params answer (with nothing or an error), and the server still answers afterwards.
    for (const params of [null, 42, { uri: 7 }, { uri: URI, range: { start: { line: 1e308 }, end: { line: -5 } } }]) {
      await ask(params).catch((e: Error) => e);
    }
    assert.deepEqual((await ask({ uri: URI, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } } })).lines, all.filter((l) => l.line <= 40));
  } finally {
    await client.shutdown();
  }
});
