// The diagnostics and line verdicts the server writes as prepared JSON bytes (its own content
// encoder), read by a real JSON-RPC client, against the diagnostics objects and the annotations'
// verdict classes computed in this process for the same text and settings: non-ASCII in the URI
// and in messages, edits, a contract, every profile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeDocument } from '../../server/src/editor/document-analysis';
import { verdictClass } from '../../server/src/editor/verdict-presentation';
import { documentDiagnostics } from '../../server/src/lsp/document-diagnostics';
import { readServerSettings } from '../../server/src/lsp/editor-settings-from-configuration';
import { LanguageServerClient, REPO_ROOT } from './language-server-client';

const SAMPLE = readFileSync(path.join(REPO_ROOT, 'samples', 'three-generations.S'), 'utf8');
// Not a file URI: no include can be read, and the text is assembled as it is.
const URI = 'untitled:d\u00e9j\u00e0-vu/\u6f22\u5b57.s';

test('published diagnostics and line verdicts equal those computed from the same text', async () => {
  const client = new LanguageServerClient();
  /** The line verdicts the server answers, against the annotations of a fresh analysis. */
  const checkLineVerdicts = async (text: string, profile: 'linux-6.1' | 'rfc-2.6.15' | 'linux-2.6.18'): Promise<void> => {
    const a = analyzeDocument(text, readServerSettings({ profile }).editor);
    const expected = { profile, lines: a.annotations.map((x) => ({ line: x.range.line, end: x.range.end, verdict: verdictClass(a.probe(x, profile)) })) };
    assert.deepEqual(await client.connection.sendRequest('kboost/lineVerdicts', { uri: URI }), expected);
  };
  try {
    await client.initialize();
    let text = `${SAMPLE}\n\tbogus\u00e9 %eax\n\tmovl $1, %eax # kboost: emulated \u2013 wrong on purpose\n`;
    for (const [version, profile] of [[1, 'linux-6.1'], [2, 'rfc-2.6.15'], [3, 'linux-2.6.18']] as const) {
      const settings = readServerSettings({ profile });
      const next = client.nextDiagnostics(URI);
      if (version === 1) {
        await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { profile } } });
        void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'i386-asm', version, text } });
      } else {
        // A profile change republishes the current version; then an edit gives a new one.
        await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { profile } } });
        await next;
        text = `\tnop # \u00fcber\n${text}`;
        const edited = client.nextDiagnostics(URI);
        void client.connection.sendNotification('textDocument/didChange', {
          textDocument: { uri: URI, version },
          contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\tnop # \u00fcber\n' }],
        });
        const published = await edited;
        assert.equal(published.version, version);
        assert.deepEqual(published.diagnostics, documentDiagnostics(analyzeDocument(text, settings.editor), settings), `version ${version} under ${profile}`);
        await checkLineVerdicts(text, profile);
        continue;
      }
      const published = await next;
      assert.equal(published.uri, URI);
      assert.equal(published.version, version);
      const expected = documentDiagnostics(analyzeDocument(text, settings.editor), settings);
      assert.deepEqual(published.diagnostics, expected);
      // What the document holds on purpose: an assembler error naming the non-ASCII word, a broken contract.
      assert.ok(expected.some((d) => d.source === 'kboost-as' && String(d.message).includes('\u00e9')), JSON.stringify(expected.filter((d) => d.source === 'kboost-as')));
      assert.ok(expected.some((d) => d.code === 'contract'));
      await checkLineVerdicts(text, profile);
    }
  } finally {
    await client.shutdown();
  }
});
