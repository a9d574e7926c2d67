// An included file open in the editor shows the verdicts of its includer's context, over the real
// protocol: test/fixtures/lsp/context-fragment.inc uses a macro that context-includer.S defines
// before including it, in the middle of a function. The oracle is a fresh analysis of the
// includer's text with the fragment pasted in place of its `.include`: the fragment's published
// diagnostics and line verdicts must be that analysis's on the pasted lines, at the fragment's own
// lines and columns. GNU as (as --32 -I) checks that the includers and their pasted texts are the
// same programs. Edits of the fragment republish it from the includer's new analysis; with two
// includers open the first opened gives the context; closing them brings back the fragment alone.
// A file read through `#include` (built-in and system preprocessor) is checked the same way, on the
// analysis alone, against gcc -m32 -c.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeDocument, type DocumentAnalysis } from '../../server/src/editor/document-analysis';
import { documentDiagnostics } from '../../server/src/lsp/document-diagnostics';
import { readServerSettings } from '../../server/src/lsp/editor-settings-from-configuration';
import { LanguageServerClient, REPO_ROOT, type PublishedDiagnostics } from './language-server-client';

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'lsp');
const FRAGMENT = 'context-fragment.inc';
const INCLUDER = 'context-includer.S';
const OTHER = 'context-other-includer.S';
const INCLUDE_LINE = `.include "${FRAGMENT}"`;
const SETTINGS = readServerSettings({});

const fixture = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');
const uriOf = (name: string): string => pathToFileURL(path.join(DIR, name)).toString();
type Diagnostics = PublishedDiagnostics['diagnostics'];
const plain = (d: unknown): Diagnostics => JSON.parse(JSON.stringify(d)) as Diagnostics;

function missingAs(): string | null {
  try {
    execFileSync('as', ['--version'], { stdio: 'ignore' });
    execFileSync('objcopy', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'GNU as or objcopy is not installed (.ci/run installs binutils)';
  }
}

/** GNU as's .text of `text`, assembled as `name` in a folder holding the fragment's `fragment` text. */
function gnuAsText(name: string, text: string, fragment: string): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-context-as-'));
  try {
    writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, FRAGMENT), fragment);
    execFileSync('as', ['--32', '-I', dir, name, '-o', 'out.o'], { cwd: dir });
    execFileSync('objcopy', ['-O', 'binary', '--only-section=.text', 'out.o', 'text.bin'], { cwd: dir });
    return new Uint8Array(readFileSync(path.join(dir, 'text.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const textBytes = (a: DocumentAnalysis): Uint8Array | undefined => a.image.sections.find((s) => s.name === '.text')?.bytes;

/**
 * The oracle: the fragment's diagnostics in `includer`'s context are those a fresh analysis gives
 * the includer's text with the fragment pasted in place, on the pasted lines (moved to the
 * fragment's). GNU as first checks that the pasted text is the program the includer is.
 */
function inContext(includer: string, fragment: string, gnuAsAccepts = true): Diagnostics {
  const lines = fixture(includer).split('\n');
  const at = lines.findIndex((l) => l.includes(INCLUDE_LINE));
  assert.ok(at >= 0, `${includer} includes the fragment`);
  const own = fragment.split('\n');
  const pasted = [...lines.slice(0, at), ...own, ...lines.slice(at + 1)].join('\n');
  const analysis = analyzeDocument(pasted, SETTINGS.editor, path.join(DIR, `pasted-${includer}`));
  if (gnuAsAccepts) {
    const gnu = gnuAsText(includer, fixture(includer), fragment);
    assert.deepEqual(textBytes(analysis), gnu, `${includer} with the fragment pasted assembles as GNU as assembles ${includer}`);
    assert.deepEqual(gnuAsText(`pasted-${includer}`, pasted, fragment), gnu, 'the pasted text is the same program for GNU as');
  }
  const moved = (p: { line: number; character: number }) => ({ line: p.line - at, character: p.character });
  return plain(documentDiagnostics(analysis, SETTINGS))
    .filter((d) => d.range.start.line >= at && d.range.start.line < at + own.length)
    .map((d) => ({ ...d, range: { start: moved(d.range.start), end: moved(d.range.end) } }));
}

/** The fragment analysed alone (what it shows with no includer open). */
function alone(fragment: string): Diagnostics {
  return plain(documentDiagnostics(analyzeDocument(fragment, SETTINGS.editor, path.join(DIR, FRAGMENT)), SETTINGS));
}

/** Waits until the fragment's published diagnostics are `expected` (publishes may come more than once). */
async function settles(client: LanguageServerClient, expected: Diagnostics, what: string): Promise<void> {
  const uri = uriOf(FRAGMENT);
  let last = client.latest.get(uri)?.diagnostics;
  const deadline = Date.now() + 20000;
  while (last === undefined || !isDeepEqual(plain(last), expected)) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      last = (await client.nextDiagnostics(uri, left)).diagnostics;
    } catch {
      break;
    }
  }
  assert.deepEqual(plain(last ?? []), expected, what);
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

async function hoverText(client: LanguageServerClient, line: number, character: number): Promise<string> {
  const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uriOf(FRAGMENT) }, position: { line, character } });
  return (hover as { contents: { value: string } } | null)?.contents.value ?? '';
}

/** The line verdicts the gutter shows, from the verdict diagnostics (same classes, one per instruction). */
function gutterOf(diagnostics: Diagnostics): unknown[] {
  return diagnostics.filter((d) => d.source === 'kboost' && d.code !== 'contract').map((d) => ({ line: d.range.start.line, end: d.range.end.character, verdict: d.code }));
}

/** A server session (skipped without GNU as, which checks every oracle's bytes), with the fragment's text. */
async function withServer(t: TestContext, run: (client: LanguageServerClient, fragment: string) => Promise<void>): Promise<void> {
  const missing = missingAs();
  if (missing !== null) {
    t.skip(missing);
    return;
  }
  const client = new LanguageServerClient();
  try {
    await client.initialize();
    await run(client, fixture(FRAGMENT));
  } finally {
    await client.shutdown();
  }
}

test('an open included file takes its verdicts from the includer opened first, and its own analysis once none is open', (t) => withServer(t, async (client, fragment) => {
  const expected = inContext(INCLUDER, fragment);
  // The oracle itself: no error for the includer's macro, every contract of the fragment holds.
  assert.ok(expected.length > 0 && expected.every((d) => d.source === 'kboost' && d.code !== 'contract'), JSON.stringify(expected));
  assert.ok(alone(fragment).some((d) => d.source === 'kboost-as' && d.message.includes("'save'")), 'alone, `save` is an error');
  const includerText = fixture(INCLUDER);
  const includerDiagnostics = plain((await client.open(uriOf(INCLUDER), includerText)).diagnostics);
  assert.deepEqual(includerDiagnostics, plain(documentDiagnostics(analyzeDocument(includerText, SETTINGS.editor, path.join(DIR, INCLUDER)), SETTINGS)));
  void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(FRAGMENT), languageId: 'i386-asm', version: 1, text: fragment } });
  await settles(client, expected, 'the fragment in the includer\'s context');
  assert.deepEqual((await client.connection.sendRequest('kboost/lineVerdicts', { uri: uriOf(FRAGMENT) }) as { lines: unknown[] }).lines, gutterOf(expected));
  const movl = fragment.split('\n').findIndex((l) => l.includes('movl $1'));
  assert.match(await hoverText(client, movl, 2), /context of context-includer\.S/);
  // One lens, for the includer's function, counting the fragment's instructions at the first of them.
  const lenses = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: uriOf(FRAGMENT) } }) as Array<{ range: { start: { line: number } }; command: { title: string } }>;
  assert.deepEqual(lenses.map((l) => l.range.start.line), [expected[0]!.range.start.line]);
  assert.match(lenses[0]!.command.title, new RegExp(`^\\d+/${gutterOf(expected).length} boostable`));

  // A second includer, opened later, does not take the context over.
  await client.open(uriOf(OTHER), fixture(OTHER));
  await settles(client, expected, 'the first opened includer keeps the context');
  assert.match(await hoverText(client, movl, 2), /context of context-includer\.S/);

  // An edit of the fragment: republished from the includer's analysis of the new text.
  const edited = fragment.replace('\tnop\t', '\tint3\t');
  assert.notEqual(edited, fragment);
  const expectedEdited = inContext(INCLUDER, edited);
  assert.notDeepEqual(gutterOf(expectedEdited), gutterOf(expected), 'the edit changes a verdict');
  void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(FRAGMENT), version: 2 }, contentChanges: [{ text: edited }] });
  await settles(client, expectedEdited, 'the edited fragment in the includer\'s context');

  // An assembler error and one of the expansion (a GNU as directive), each at its own columns.
  const broken = edited.replace('movl $1, %eax', 'movl $1, %eaz').replace('done:\n', 'done:\n\t.warning "kept"\n');
  const expectedBroken = inContext(INCLUDER, broken, false);
  const errors = expectedBroken.filter((d) => d.source === 'kboost-as');
  assert.deepEqual(errors.map((d) => d.range.start.line), [movl, broken.split('\n').indexOf('\t.warning "kept"')], JSON.stringify(expectedBroken));
  assert.ok(errors[0]!.range.start.character > 1, 'the operand, not the whole line');
  void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(FRAGMENT), version: 3 }, contentChanges: [{ text: broken }] });
  await settles(client, expectedBroken, 'an error in the fragment, in the includer\'s context');
  void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(FRAGMENT), version: 4 }, contentChanges: [{ text: edited }] });
  await settles(client, expectedEdited, 'the error fixed');

  // Closing the first includer: the other one gives the context.
  const inOther = inContext(OTHER, edited);
  assert.notDeepEqual(gutterOf(inOther), gutterOf(expectedEdited), 'the two includers give different verdicts');
  void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(INCLUDER) } });
  await settles(client, inOther, 'the fragment in the other includer\'s context');
  assert.match(await hoverText(client, movl, 2), /context of context-other-includer\.S/);

  // No includer open: the fragment alone, as before.
  void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(OTHER) } });
  await settles(client, alone(edited), 'the fragment alone once no includer is open');
  assert.match(await hoverText(client, movl, 2), /Analysed alone/);
}));

test('an included file opened before its includer takes the includer\'s context once the includer is analysed', (t) => withServer(t, async (client, fragment) => {
  void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(FRAGMENT), languageId: 'i386-asm', version: 1, text: fragment } });
  await settles(client, alone(fragment), 'the fragment alone');
  await client.open(uriOf(INCLUDER), fixture(INCLUDER));
  await settles(client, inContext(INCLUDER, fragment), 'the fragment in the context of the includer opened after it');
}));

test('a file read through #include, with the built-in and the system preprocessor, shows the verdicts of its lines pasted in place', (t) => {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    t.skip('gcc is not installed (.ci/run installs it)');
    return;
  }
  // The includer's C macro gives the fragment's first operand; a C comment keeps its columns.
  const includer = ['/* The fragment is the body of f. */', '#define VALUE 7', '\t.text', '\t.globl f', '\t.type f, @function', 'f:', '\tpushl %ebp', '#include "frag.h"', '\tret', ''].join('\n');
  const fragment = ['\tmovl $VALUE, %eax /* from the includer */', '\taddl $1, %eax', '\tpopl %ebp', ''].join('\n');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-context-cpp-'));
  try {
    writeFileSync(path.join(dir, 'main.S'), includer);
    writeFileSync(path.join(dir, 'frag.h'), fragment);
    execFileSync('gcc', ['-m32', '-c', 'main.S', '-o', 'main.o'], { cwd: dir });
    execFileSync('objcopy', ['-O', 'binary', '--only-section=.text', 'main.o', 'text.bin'], { cwd: dir });
    const gnu = new Uint8Array(readFileSync(path.join(dir, 'text.bin')));
    const lines = includer.split('\n');
    const at = lines.indexOf('#include "frag.h"');
    const own = fragment.split('\n');
    const pasted = [...lines.slice(0, at), ...own, ...lines.slice(at + 1)].join('\n');
    for (const preprocessor of ['builtin', 'system'] as const) {
      const settings = readServerSettings({ preprocessor });
      const whole = analyzeDocument(includer, settings.editor, path.join(dir, 'main.S'));
      assert.deepEqual(textBytes(whole), gnu, `${preprocessor}: the includer assembles as GNU as does`);
      const view = whole.inIncludedFile(path.join(dir, 'frag.h'), fragment);
      assert.ok(view !== null, `${preprocessor}: the includer read frag.h`);
      const reference = analyzeDocument(pasted, settings.editor, path.join(dir, 'pasted.S'));
      assert.deepEqual(textBytes(reference), gnu, `${preprocessor}: the pasted text is the same program`);
      const expected = plain(documentDiagnostics(reference, settings))
        .filter((d) => d.range.start.line >= at && d.range.start.line < at + own.length)
        .map((d) => ({ ...d, range: { start: { ...d.range.start, line: d.range.start.line - at }, end: { ...d.range.end, line: d.range.end.line - at } } }));
      assert.equal(expected.length, 3);
      assert.deepEqual(plain(documentDiagnostics(view, settings)), expected, preprocessor);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
