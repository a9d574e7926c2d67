// Cancellation over stdio: requests that wait behind a long analysis and are cancelled by the
// client ($/cancelRequest) are answered with RequestCancelled and no result, the request that was
// not cancelled gets its answer, and the server goes on answering afterwards.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { LanguageServerClient } from './language-server-client';

const URI = 'untitled:cancel-me.S';
const REQUEST_CANCELLED = -32800;

/** A file whose first analysis takes a while (so that later requests wait behind it). */
function longFile(lines: number): string {
  const out = ['\t.text', '\t.globl f', '\t.type f, @function', 'f:'];
  for (let i = 0; i < lines; i++) out.push(i % 5 === 0 ? `\tmovl ${i * 4}(%ebp), %eax` : '\taddl $1, %eax');
  out.push('\tret');
  return out.join('\n');
}

test('requests cancelled while they wait are answered RequestCancelled; the others are answered', async () => {
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    const c = client.connection;
    const hoverAt = (line: number, source?: CancellationTokenSource): Promise<unknown> => {
      const params = { textDocument: { uri: URI }, position: { line, character: 3 } };
      return source === undefined ? c.sendRequest('textDocument/hover', params) : c.sendRequest('textDocument/hover', params, source.token);
    };
    const published = client.nextDiagnostics(URI, 120_000);
    void c.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'i386-asm', version: 1, text: longFile(30_000) } });
    // The first hover makes (or waits for) the analysis; the others queue behind it and are
    // cancelled at once, as an editor does when the mouse moves on.
    const first = hoverAt(4);
    const sources = Array.from({ length: 4 }, () => new CancellationTokenSource());
    const cancelled = sources.map((source, k) => hoverAt(10 + k, source).then((r) => ({ ok: r }), (e: unknown) => ({ error: e })));
    for (const source of sources) source.cancel();
    const kept = hoverAt(20);
    const answer = (await first) as { contents: { value: string } } | null;
    assert.ok(answer !== null && /\bmov\b/.test(answer.contents.value), JSON.stringify(answer));
    for (const [k, outcome] of (await Promise.all(cancelled)).entries()) {
      assert.ok('error' in outcome, `cancelled hover ${k} was answered: ${JSON.stringify(outcome)}`);
      assert.ok(outcome.error instanceof ResponseError && outcome.error.code === REQUEST_CANCELLED, `hover ${k}: ${String(outcome.error)}`);
    }
    const keptAnswer = (await kept) as { contents: { value: string } } | null;
    assert.ok(keptAnswer !== null && /\badd\b/.test(keptAnswer.contents.value), JSON.stringify(keptAnswer));
    await published;
    // A request cancelled after it was answered changes nothing, and the server goes on.
    const late = new CancellationTokenSource();
    const lateAnswer = (await hoverAt(5, late)) as { contents: { value: string } } | null;
    late.cancel();
    assert.ok(lateAnswer !== null && /\badd\b/.test(lateAnswer.contents.value));
    const symbols = (await c.sendRequest('textDocument/documentSymbol', { textDocument: { uri: URI } })) as unknown[];
    assert.ok(symbols.length > 0);
  } finally {
    await client.shutdown();
  }
});
