// The language server over its real protocol: a JSON-RPC client opens fixtures whose caret
// comments state the expected diagnostic codes, then asks for hovers, code lenses and symbols,
// changes the profile through configuration, and sends requests the server must survive.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LanguageServerClient, REPO_ROOT, type PublishedDiagnostics } from './language-server-client';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'lsp', 'verdicts-linux-2.6.18.S');
const URI = 'file:///fixtures/verdicts.S';

/** Expectations: `#<tab>^^^ code` under a line names the diagnostic code on that line's range. */
function expectations(text: string): Array<{ line: number; start: number; end: number; code: string }> {
  const out: Array<{ line: number; start: number; end: number; code: string }> = [];
  text.split('\n').forEach((lineText, i) => {
    const m = /^#(\s*)(\^+)\s+(\S+)/.exec(lineText);
    if (!m) return;
    const start = 1 + m[1]!.replace(/\t/g, ' ').length; // the tab after '#' stands where the code's tab is
    out.push({ line: i - 1, start, end: start + m[2]!.length, code: m[3]! });
  });
  return out;
}

function verdictCodes(d: PublishedDiagnostics): Map<number, string[]> {
  const byLine = new Map<number, string[]>();
  for (const x of d.diagnostics) {
    if (x.source !== 'kboost' || x.code === 'contract') continue;
    byLine.set(x.range.start.line, [...(byLine.get(x.range.start.line) ?? []), String(x.code)]);
  }
  return byLine;
}

test('diagnostics, hover, code lens, symbols and a profile change over stdio', async () => {
  const client = new LanguageServerClient();
  try {
    const init = (await client.initialize()) as { capabilities: Record<string, unknown> };
    assert.ok(init.capabilities.hoverProvider);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { profile: 'linux-2.6.18' } } });
    const text = readFileSync(FIXTURE, 'utf8');
    let diags = await client.open(URI, text);
    if (diags.diagnostics.length === 0) diags = await client.nextDiagnostics(URI);
    const codes = verdictCodes(diags);
    const wanted = expectations(text);
    assert.ok(wanted.length >= 10);
    const wrong = wanted.filter((w) => (codes.get(w.line) ?? []).join(',') !== w.code).map((w) => `line ${w.line + 1}: expected ${w.code}, got ${codes.get(w.line)?.join(',') ?? 'nothing'}`);
    assert.deepEqual(wrong, []);
    // Severities: boosted is a hint (4), single-stepped information (3).
    const pushDiag = diags.diagnostics.find((d) => d.range.start.line === 6 && d.source === 'kboost')!;
    assert.equal(pushDiag.severity, 4);
    assert.match(pushDiag.message, /^kprobe \(linux-2.6.18\): boosted/);
    // The contract on `ret` holds, so no contract error.
    assert.equal(diags.diagnostics.filter((d) => d.code === 'contract').length, 0);

    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 14, character: 2 } })) as { contents: { value: string } };
    assert.match(hover.contents.value, /je +0x/);
    assert.match(hover.contents.value, /\| linux-6\.1 \| emulated/);
    assert.match(hover.contents.value, /\| rfc-2\.6\.15 \| single-stepped/);
    const regHover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 8, character: 8 } })) as { contents: { value: string } } | null;
    assert.match(regHover!.contents.value, /%esp/);

    const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: URI } })) as Array<{ command: { title: string } }>;
    // probe_me is the one function (.type @function); helper is a local label. je and call are not boostable.
    assert.deepEqual(lenses.map((l) => l.command.title), ['8/10 boostable · 0 optimizable · 0 refused (linux-2.6.18)']);

    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: URI } })) as Array<{ name: string; kind: number }>;
    assert.deepEqual(symbols.map((s) => s.name).filter((n) => !n.startsWith('.')), ['probe_me', 'helper']);

    const atStart = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: URI }, position: { line: 12, character: 1 } })) as Array<{ label: string }>;
    for (const m of ['movl', 'movzbl', 'cmpxchg', 'probe_me']) assert.ok(atStart.some((c) => c.label === m), m);
    const registers = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: URI }, position: { line: 8, character: 7 } })) as Array<{ label: string }>;
    assert.ok(registers.some((c) => c.label === '%esp'));

    // `call helper` on line 16: definition at `helper:` (line 28), references: the call and the label.
    const def = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: URI }, position: { line: 16, character: 8 } })) as Array<{ range: { start: { line: number } } }>;
    assert.deepEqual(def.map((d) => d.range.start.line), [28]);
    const refs = (await client.connection.sendRequest('textDocument/references', { textDocument: { uri: URI }, position: { line: 28, character: 1 }, context: { includeDeclaration: true } })) as Array<{ range: { start: { line: number } } }>;
    assert.deepEqual(refs.map((d) => d.range.start.line).sort((a, b) => a - b), [16, 28]);

    // Changing the profile re-publishes: under linux-6.1 (Debian config) int3 is refused.
    const next = client.nextDiagnostics(URI);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { profile: 'linux-6.1' } } });
    const d61 = await next;
    const int3 = d61.diagnostics.find((d) => d.source === 'kboost' && d.range.start.line === 29);
    assert.equal(int3?.code, 'refused');
    assert.match(int3!.message, /-EINVAL/);
    // The `# kboost: boosted` contract on ret fails under linux-6.1 with Debian's preemptible config.
    assert.ok(d61.diagnostics.some((d) => d.code === 'contract' && d.range.start.line === 24));
  } finally {
    await client.shutdown();
  }
});

test('the server survives bad input and bad requests', async () => {
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    const junk = Array.from({ length: 4000 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
    const d = await client.open('file:///junk.S', junk);
    assert.ok(Array.isArray(d.diagnostics));
    // A hover on a document the server never saw, and at a position past the end: answered.
    const h = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nope.S' }, position: { line: 99, character: 0 } });
    assert.equal(h, null);
    // A malformed request gets an error response, and the server still answers afterwards.
    await assert.rejects(client.connection.sendRequest('textDocument/hover', { textDocument: null, position: 'x' }));
    const again = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: 'file:///junk.S' } });
    assert.ok(Array.isArray(again));
  } finally {
    await client.shutdown();
  }
});

test('code action: move the probe to the nearest boostable instruction; function verdict table', async () => {
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { profile: 'linux-2.6.18' } } });
    const text = readFileSync(FIXTURE, 'utf8');
    await client.open(URI, text);
    // `je 1f` (line 14) is single-stepped; the nearest boosted instruction is `testl` (line 12).
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: URI }, range: { start: { line: 14, character: 1 }, end: { line: 14, character: 1 } }, context: { diagnostics: [] },
    })) as Array<{ title: string; command: { command: string; arguments: unknown[] }; edit?: unknown }>;
    assert.equal(actions.length, 1);
    assert.match(actions[0]!.title, /^Move probe to the nearest boostable instruction \(line 13: testl\s+%eax, %eax\)$/);
    assert.deepEqual(actions[0]!.command.arguments, [URI, 14, 12]);
    // A boosted line offers nothing.
    const none = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: URI }, range: { start: { line: 6, character: 1 }, end: { line: 6, character: 1 } }, context: { diagnostics: [] },
    })) as unknown[];
    assert.deepEqual(none, []);
    // Under 6.1 (Debian config: nothing boosted, optprobes on) `ret` is emulated; the contract
    // comment on it moves with the probe to the nearest optimizable instruction, as a text edit.
    const next = client.nextDiagnostics(URI);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { profile: 'linux-6.1' } } });
    const d61 = await next;
    const withEdit = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: URI }, range: { start: { line: 24, character: 1 }, end: { line: 24, character: 1 } }, context: { diagnostics: [] },
    })) as Array<{ command: { arguments: [string, number, number] }; edit: { changes: Record<string, Array<{ newText: string; range: { start: { line: number } } }>> } }>;
    const targetLine = withEdit[0]!.command.arguments[2];
    assert.equal(d61.diagnostics.find((d) => d.source === 'kboost' && d.range.start.line === targetLine)?.code, 'optimized');
    const edits = withEdit[0]!.edit.changes[URI]!;
    assert.equal(edits[0]!.newText, '');
    assert.equal(edits[0]!.range.start.line, 24);
    assert.match(edits[1]!.newText, /# kboost: boosted/);
    assert.equal(edits[1]!.range.start.line, targetLine);

    const table = (await client.connection.sendRequest('kboost/functionVerdicts', { uri: URI, line: 8 })) as string;
    assert.match(table, /^# probe_me under linux-6\.1/);
    assert.equal(table.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length, 10);
  } finally {
    await client.shutdown();
  }
});

test('a .S file is preprocessed: #include and #define resolve beside the document', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const { pathToFileURL } = await import('node:url');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-lsp-include-'));
  const client = new LanguageServerClient();
  try {
    writeFileSync(path.join(dir, 'defs.h'), '#define FRAME_REG %ebp\n#define SLOT(n) ((n) * 4)\n');
    const text = '#include "defs.h"\n\t.text\nf:\n\tpushl FRAME_REG\n\tmovl SLOT(2)(%esp), %eax\n\tret\n';
    const file = path.join(dir, 'uses-defs.S');
    writeFileSync(file, text);
    await client.initialize();
    const uri = pathToFileURL(file).toString();
    const d = await client.open(uri, text);
    assert.deepEqual(d.diagnostics.filter((x) => x.source === 'kboost-as').map((x) => x.message), []);
    assert.deepEqual(d.diagnostics.filter((x) => x.source === 'kboost').map((x) => x.range.start.line), [3, 4, 5]);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 2 } })) as { contents: { value: string } };
    assert.match(hover.contents.value, /mov +0x8\(%esp\),%eax/);
  } finally {
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
