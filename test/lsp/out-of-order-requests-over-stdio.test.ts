// Requests out of the protocol's order, over stdio: before initialize they are answered
// ServerNotInitialized; changes and closes of documents never opened, a change with an older
// version past the end of the text, a second open of the same document: the server keeps the
// document as the client last described it and answers; after shutdown, requests are answered
// InvalidRequest and the exit notification ends the process with code 0.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseError } from 'vscode-jsonrpc/node';
import { LanguageServerClient } from './language-server-client';

const SERVER_NOT_INITIALIZED = -32002;
const INVALID_REQUEST = -32600;
const URI = 'untitled:out-of-order.S';

const errorCodeOf = (p: Promise<unknown>): Promise<number | null> => p.then(() => null, (e: unknown) => (e instanceof ResponseError ? e.code : -1));

test('requests out of order get the protocol\'s errors, and the document stays what the client said', async () => {
  const client = new LanguageServerClient();
  const c = client.connection;
  const hover = (line: number): Promise<unknown> => c.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line, character: 2 } });
  const hoverText = async (line: number): Promise<string> => ((await hover(line)) as { contents: { value: string } } | null)?.contents.value ?? '';
  try {
    assert.equal(await errorCodeOf(hover(0)), SERVER_NOT_INITIALIZED);
    assert.equal(await errorCodeOf(c.sendRequest('kboost/lineVerdicts', { uri: URI })), SERVER_NOT_INITIALIZED);
    await client.initialize();
    // Changes and a close of documents never opened: nothing to apply them to, nothing breaks.
    void c.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: 2 }, contentChanges: [{ text: '\thlt\n' }] });
    void c.sendNotification('textDocument/didClose', { textDocument: { uri: 'untitled:never-opened.S' } });
    const opened = await client.open(URI, '\tnop\n\tret\n', 3);
    assert.equal(opened.version, 3);
    assert.deepEqual(opened.diagnostics.map((d) => d.range.start.line), [0, 1]);
    // A change with an older version and a range past the end: applied where the text ends.
    const changed = client.nextDiagnostics(URI);
    void c.sendNotification('textDocument/didChange', {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ range: { start: { line: 50, character: 0 }, end: { line: 60, character: 0 } }, text: '\tpushl %eax\n' }],
    });
    const afterChange = await changed;
    assert.equal(afterChange.version, 2);
    assert.deepEqual(afterChange.diagnostics.map((d) => d.range.start.line), [0, 1, 2]);
    assert.match(await hoverText(2), /\bpush\s+%eax/);
    // Opened again without a close: the new text is the document.
    const reopened = client.nextDiagnostics(URI);
    void c.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'i386-asm', version: 9, text: '\tcli\n' } });
    const afterReopen = await reopened;
    assert.equal(afterReopen.version, 9);
    assert.equal(afterReopen.diagnostics.length, 1);
    assert.match(await hoverText(0), /\bcli\b/);
    assert.equal(await hover(2), null);
    // After shutdown: requests are refused, and exit ends the server with code 0.
    await c.sendRequest('shutdown');
    assert.equal(await errorCodeOf(hover(0)), INVALID_REQUEST);
    const exited = new Promise<number | null>((resolve) => client.onExit(resolve));
    await c.sendNotification('exit');
    assert.equal(await exited, 0);
  } finally {
    client.dispose();
  }
});
