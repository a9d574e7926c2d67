// The diagnostics and line verdicts the server writes as prepared JSON bytes (its own content
// encoder), read by a real JSON-RPC client, against the diagnostics objects and the annotations'
// verdict classes computed in this process for the same text and settings: non-ASCII in the URI
// and in messages, edits, a contract, every profile; and edit after edit, where the server copies
// what did not change from its last message (lines moved across a digit count, severities).

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

test('diagnostics and line verdicts copied from the last version equal those computed afresh, edit after edit', async () => {
  const client = new LanguageServerClient();
  // The sample three times (functions of their own, contracts), each with a plain function, past line 99, so that edits move lines
  // across a digit count; the edits below keep or change the line count, at the start, the
  // middle and the end, add and remove a contract, and the settings change in between.
  const plain = (k: number): string[] => [`\t.globl f${k}`, `\t.type f${k}, @function`, `f${k}:`, ...Array.from({ length: 20 }, (_, n) => (n % 5 === 0 ? `1:\tmovl ${n}(%esp), %eax` : n % 5 === 3 ? '\tjne 1b' : '\taddl $1, %eax'))];
  const copies = [0, 1, 2].map((k) => [SAMPLE.replace(/generations/g, `generations_${k}`), ...plain(k)].join('\n')).join('\n');
  let lines = copies.split('\n');
  const uri = 'untitled:copied.s';
  let configuration: Record<string, unknown> = { profile: 'linux-6.1' };
  const check = async (version: number, published: Promise<{ version?: number; diagnostics: unknown[] }>): Promise<void> => {
    const got = await published;
    const text = lines.join('\n');
    const settings = readServerSettings(configuration);
    const profile = settings.editor.profile;
    const a = analyzeDocument(text, settings.editor);
    assert.equal(got.version, version);
    assert.deepEqual(got.diagnostics, documentDiagnostics(a, settings), `version ${version}: ${JSON.stringify(configuration)}`);
    const expected = { profile, lines: a.annotations.map((x) => ({ line: x.range.line, end: x.range.end, verdict: verdictClass(a.probe(x, profile)) })) };
    assert.deepEqual(await client.connection.sendRequest('kboost/lineVerdicts', { uri }), expected, `line verdicts, version ${version}`);
  };
  type Edit = { line: number; remove: number; insert: string[] } | { settings: Record<string, unknown> };
  const edits: Edit[] = [
    { line: 0, remove: 0, insert: ['\tnop'] }, // every line moves by one
    { line: 5, remove: 1, insert: ['\tincl %ecx'] }, // same line count
    { line: 40, remove: 0, insert: ['\tmovl $1, %eax # kboost: boosted'] }, // a contract, in the middle
    { settings: { profile: 'rfc-2.6.15' } },
    { line: 41, remove: 1, insert: [] }, // the contract goes again
    { line: 2, remove: 3, insert: [] }, // lines back across 100
    { settings: { profile: 'rfc-2.6.15', severity: { boosted: 'none', singleStepped: 'error' } } },
    { line: 90, remove: 0, insert: ['', '', ''] }, // lines with no instruction: the tail moves, the instructions stay
    { line: 10_000, remove: 0, insert: ['\tret'] }, // the end
    { line: 0, remove: 0, insert: ['\tjmp 1f', '1:'] }, // the first function's bytes change
  ];
  try {
    await client.initialize();
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: configuration } });
    let published = client.nextDiagnostics(uri);
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'i386-asm', version: 1, text: lines.join('\n') } });
    await check(1, published);
    let version = 1;
    for (const edit of edits) {
      published = client.nextDiagnostics(uri);
      if ('settings' in edit) {
        configuration = edit.settings;
        await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: configuration } });
        await check(version, published);
        continue;
      }
      version++;
      const at = Math.min(edit.line, lines.length);
      const end = Math.min(at + edit.remove, lines.length);
      // The change as a client sends it: a range of whole lines replaced.
      const range = end < lines.length
        ? { start: { line: at, character: 0 }, end: { line: end, character: 0 } }
        : { start: { line: at - 1, character: lines[at - 1]!.length }, end: { line: lines.length - 1, character: lines[lines.length - 1]!.length } };
      const inserted = end < lines.length ? edit.insert.map((l) => `${l}\n`).join('') : edit.insert.map((l) => `\n${l}`).join('');
      lines = [...lines.slice(0, at), ...edit.insert, ...lines.slice(end)];
      void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: inserted }] });
      await check(version, published);
    }
  } finally {
    await client.shutdown();
  }
});
