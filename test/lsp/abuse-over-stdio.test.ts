// Abuse over the real protocol: a 10 MB line, a 200,000-line file and edits racing the analysis.
// The server answers every request or returns an error, never loses the document, and its last
// diagnostics belong to the last version it was sent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LanguageServerClient } from './language-server-client';

test('a 10 MB line and a 200,000-line file get diagnostics; the server keeps answering', async () => {
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    const longLine = `\tmovl $1, %eax # ${'x'.repeat(10 * 1024 * 1024)}\n\tmovl %eax, %ebx\n`;
    const d1 = await client.open('file:///long.S', longLine);
    assert.ok(d1.diagnostics.some((d) => d.range.start.line === 1 && d.source === 'kboost'));
    const big = Array.from({ length: 200000 }, (_, i) => (i % 5 === 0 ? `l${i}:\taddl $${i}, %eax` : '\tincl %ecx')).join('\n');
    // Generous: this machine is shared; the time is measured in bench/, not asserted here.
    const d2 = await client.open('file:///big.S', big, 1, 240000);
    assert.equal(d2.diagnostics.filter((d) => d.source === 'kboost').length, 200000);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///big.S' }, position: { line: 199999, character: 3 } })) as { contents: { value: string } };
    assert.match(hover.contents.value, /inc +%ecx/);
  } finally {
    await client.shutdown();
  }
});

test('edits racing the analysis: the last diagnostics are for the last version', async () => {
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    const uri = 'file:///race.S';
    await client.open(uri, '\tnop\n');
    let text = '\tnop\n';
    for (let v = 2; v <= 30; v++) {
      text += v % 3 === 0 ? '\tbogus %eax\n' : '\tpushl %ebp\n';
      void client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [{ text }],
      });
    }
    const deadline = Date.now() + 20000;
    let last = client.latest.get(uri);
    while ((last?.version ?? 0) < 30 && Date.now() < deadline) {
      await client.nextDiagnostics(uri, 20000).catch(() => undefined);
      last = client.latest.get(uri);
    }
    assert.equal(last?.version, 30);
    // 10 lines of `bogus` are assembler errors at their exact place; the rest carry verdicts.
    assert.equal(last!.diagnostics.filter((d) => d.source === 'kboost-as').length, 10);
    assert.equal(last!.diagnostics.filter((d) => d.source === 'kboost').length, 20);
  } finally {
    await client.shutdown();
  }
});
