// Go to definition and find references across `#include` and `.include`, over the real protocol:
// test/fixtures/lsp/includes-main.S uses a label and GNU as macros defined in includes-macros.inc
// and a C macro from includes-defs.h. The expected locations are found in the fixtures' text (the
// line that defines each name, every use as a word outside comments); GNU as (through gcc -m32)
// first checks that the fixture pair is assembly it accepts, with the includes resolved.

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

/** Code of a line without its comment; a `#define` line is kept (it is the C macro's definition). */
function code(line: string): string {
  if (/^\s*#\s*define\b/.test(line)) return line;
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

test('definition and references reach labels and macros in included files', async () => {
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    const text = readFileSync(MAIN, 'utf8');
    const uri = uriOf(FILES[0]!);
    const d = await client.open(uri, text);
    assert.deepEqual(d.diagnostics.filter((x) => x.source === 'kboost-as').map((x) => x.message), []);
    const lines = text.split('\n');
    for (const name of NAMES) {
      const want = expected(name);
      assert.ok(want.definitions.length === 1 && want.definitions[0]!.uri !== uri, `${name} is defined once, in an included file`);
      // Every use in the document leads to the definition and to the same references.
      const uses = want.references.filter((r) => r.uri === uri);
      assert.ok(uses.length >= 1, name);
      for (const use of uses) {
        assert.ok(lines[use.line]!.slice(use.start).startsWith(name));
        const position = { line: use.line, character: use.start + 1 };
        const defs = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position })) as Parameters<typeof asLoc>[0][];
        assert.deepEqual(defs.map(asLoc), want.definitions, `definition of ${name} from line ${use.line + 1}`);
        const refs = (await client.connection.sendRequest('textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration: true } })) as Parameters<typeof asLoc>[0][];
        assert.deepEqual(refs.map(asLoc).sort(order), [...want.references].sort(order), `references of ${name}`);
      }
    }
    // A name defined in the document itself still resolves there.
    const local = lines.findIndex((l) => l.startsWith('local_user:'));
    const own = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: local, character: 2 } })) as Parameters<typeof asLoc>[0][];
    assert.deepEqual(own.map(asLoc), [{ uri, line: local, start: 0, end: 'local_user'.length }]);
  } finally {
    await client.shutdown();
  }
});
