// Go to definition and find references across `#include` and `.include`, over the real protocol:
// test/fixtures/lsp/includes-main.S uses a label and GNU as macros defined in includes-macros.inc
// and a C macro from includes-defs.h. The expected locations are found in the fixtures' text (the
// line that defines each name, every use as a word outside comments); GNU as (through gcc -m32)
// first checks that the fixture pair is assembly it accepts, with the includes resolved. The
// requests start at every use: in the document (with the built-in and with the system
// preprocessor), and in the included files opened in the editor, whose answers also cover the
// document that includes them, open or closed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LanguageServerClient, REPO_ROOT } from './language-server-client';

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'lsp');
const FILES = ['includes-main.S', 'includes-macros.inc', 'includes-defs.h'];
const MAIN = path.join(DIR, FILES[0]!);
const NAMES = ['shared_helper', 'SAVE_FRAME', 'RESTORE_FRAME', 'SLOT'];

interface Loc { uri: string; line: number; start: number; end: number }
const uriOf = (file: string): string => pathToFileURL(path.join(DIR, file)).toString();

/** Code of a line without its comment; a `#define` or `#if` line is kept (the C preprocessor's). */
function code(line: string): string {
  if (/^\s*#(?:\s*(?:define|undef|ifdef|ifndef)|if|elif)\b/.test(line)) return line;
  return line.replace(/\/\*.*?(\*\/|$)/g, (m) => ' '.repeat(m.length)).replace(/#.*$/, '');
}

function expected(name: string): { definitions: Loc[]; references: Loc[] } {
  const definitions: Loc[] = [];
  const references: Loc[] = [];
  const defining = new RegExp(`^(\\s*(?:\\.macro\\s+|#\\s*define\\s+)?)${name}\\b(?!\\s*,)`);
  for (const file of FILES) {
    readFileSync(path.join(DIR, file), 'utf8').split('\n').forEach((text, line) => {
      const c = code(text);
      const d = defining.exec(c);
      if (d && (d[1]!.trim() !== '' || c.slice(d[0].length).startsWith(':'))) {
        definitions.push({ uri: uriOf(file), line, start: d[1]!.length, end: d[1]!.length + name.length });
      }
      for (const m of c.matchAll(new RegExp(`\\b${name}\\b`, 'g'))) references.push({ uri: uriOf(file), line, start: m.index, end: m.index + name.length });
    });
  }
  return { definitions, references };
}

const asLoc = (l: { uri: string; range: { start: { line: number; character: number }; end: { character: number } } }): Loc =>
  ({ uri: l.uri, line: l.range.start.line, start: l.range.start.character, end: l.range.end.character });
const order = (a: Loc, b: Loc): number => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.line - b.line || a.start - b.start);

test('the include fixtures assemble with GNU as (gcc -m32), includes resolved', (t) => {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    t.skip('gcc is not installed (.ci/run installs it)');
    return;
  }
  const out = mkdtempSync(path.join(os.tmpdir(), 'kboost-includes-'));
  try {
    execFileSync('gcc', ['-m32', '-c', FILES[0]!, '-o', path.join(out, 'main.o')], { cwd: DIR });
    const symbols = execFileSync('nm', [path.join(out, 'main.o')], { encoding: 'utf8' });
    assert.match(symbols, /\bT shared_helper\b/);
    assert.match(symbols, /\bT caller\b/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

type WireLocation = Parameters<typeof asLoc>[0];

/** gcc's preprocessor, or why there is none. */
function systemCppMissing(): string | null {
  try {
    execFileSync('gcc', ['-E', '-x', 'assembler-with-cpp', '-'], { input: '', stdio: ['pipe', 'ignore', 'ignore'] });
    return null;
  } catch {
    return 'gcc -E (the system preprocessor) is not available (.ci/run installs gcc)';
  }
}

/**
 * From every use of each name in the files `from` (open in the server), definition and references
 * are the ones found in the fixtures' text.
 */
async function checkNavigation(client: LanguageServerClient, from: readonly string[]): Promise<void> {
  for (const name of NAMES) {
    const want = expected(name);
    assert.ok(want.definitions.length === 1 && want.definitions[0]!.uri !== uriOf(FILES[0]!), `${name} is defined once, in an included file`);
    const starts = want.references.filter((r) => from.some((f) => uriOf(f) === r.uri));
    assert.ok(starts.length >= 1, name);
    for (const at of starts) {
      const file = FILES.find((f) => uriOf(f) === at.uri)!;
      assert.ok(readFileSync(path.join(DIR, file), 'utf8').split('\n')[at.line]!.slice(at.start).startsWith(name));
      const params = { textDocument: { uri: at.uri }, position: { line: at.line, character: at.start + 1 } };
      const where = `${name} from ${file}:${at.line + 1}`;
      const defs = (await client.connection.sendRequest('textDocument/definition', params)) as WireLocation[];
      assert.deepEqual(defs.map(asLoc), want.definitions, `definition of ${where}`);
      const refs = (await client.connection.sendRequest('textDocument/references', { ...params, context: { includeDeclaration: true } })) as WireLocation[];
      assert.deepEqual(refs.map(asLoc).sort(order), [...want.references].sort(order), `references of ${where}`);
    }
  }
}

for (const preprocessor of ['builtin', 'system'] as const) {
  test(`definition and references reach labels and macros in included files (${preprocessor} preprocessor)`, async (t) => {
    const missing = preprocessor === 'system' ? systemCppMissing() : null;
    if (missing !== null) {
      t.skip(missing);
      return;
    }
    const client = new LanguageServerClient();
    try {
      await client.initialize();
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { preprocessor } } });
      const text = readFileSync(MAIN, 'utf8');
      const uri = uriOf(FILES[0]!);
      const d = await client.open(uri, text);
      assert.deepEqual(d.diagnostics.filter((x) => x.source === 'kboost-as').map((x) => x.message), []);
      await checkNavigation(client, [FILES[0]!]);
      // A name defined in the document itself still resolves there.
      const lines = text.split('\n');
      const local = lines.findIndex((l) => l.startsWith('local_user:'));
      const own = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: local, character: 2 } })) as WireLocation[];
      assert.deepEqual(own.map(asLoc), [{ uri, line: local, start: 0, end: 'local_user'.length }]);
    } finally {
      await client.shutdown();
    }
  });
}

test('navigation that starts in an included file also covers the document including it, open or closed', async () => {
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    await client.open(uriOf(FILES[0]!), readFileSync(MAIN, 'utf8'));
    // The GNU as include as assembly, the C header as C (only read for includes and navigation).
    await client.open(uriOf(FILES[1]!), readFileSync(path.join(DIR, FILES[1]!), 'utf8'));
    void client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(FILES[2]!), languageId: 'c', version: 1, text: readFileSync(path.join(DIR, FILES[2]!), 'utf8') },
    });
    await checkNavigation(client, FILES.slice(1));
    // Closed, the including document is still known: its file is read from disk.
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(FILES[0]!) } });
    await checkNavigation(client, FILES.slice(1));
  } finally {
    await client.shutdown();
  }
});
