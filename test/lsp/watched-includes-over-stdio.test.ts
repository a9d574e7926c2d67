// A changed include reaches the documents that include it, over the real protocol: main.S
// `#include`s defs.h and `.include`s macros.inc, whose macros give the bytes of its function. Each
// include is changed on disk (then reported with workspace/didChangeWatchedFiles) and in the editor
// (didOpen, didChange, didClose of the include); after each change main.S's published diagnostics
// must be those of a fresh analysis of the same files, and differ from the previous ones. GNU as
// (gcc -m32 -c, then objcopy) checks every state of the files, and the fresh analysis's bytes
// against its .text. The server asks the client to watch exactly the files main.S's includes read.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyzeDocument, DocumentAnalysisCache, type DocumentAnalysis } from '../../server/src/editor/document-analysis';
import { documentDiagnostics } from '../../server/src/lsp/document-diagnostics';
import { readServerSettings } from '../../server/src/lsp/editor-settings-from-configuration';
import { LanguageServerClient, type PublishedDiagnostics } from './language-server-client';

type Files = Record<string, string>;
type Preprocessor = 'builtin' | 'system';

const MAIN = [
  '# The function\'s first bytes come from a C macro (defs.h) and a GNU as macro (macros.inc).',
  '#include "defs.h"',
  '\t.include "macros.inc"',
  '\t.text',
  '\t.globl probed',
  '\t.type probed, @function',
  'probed:',
  '\tENTRY_OP',
  '\tPROLOGUE',
  '\tmovl 8(%ebp), %eax',
  '\tret',
  '\t.size probed, .-probed',
  '',
].join('\n');
const DEFS = (op: string): string => `/* The first instruction of probed. */\n#define ENTRY_OP ${op}\n`;
const MACROS = (body: string): string => `# The second part of probed.\n\t.macro PROLOGUE\n${body}\n\t.endm\n`;

function missingTools(): string | null {
  for (const [tool, args] of [['gcc', ['--version']], ['objcopy', ['--version']]] as const) {
    try {
      execFileSync(tool, args, { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (.ci/run installs binutils and gcc)`;
    }
  }
  return null;
}

/** GNU as's .text bytes for main.S with these files beside it. */
function gnuAsText(files: Files): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-watched-as-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    execFileSync('gcc', ['-m32', '-c', 'main.S', '-o', 'main.o'], { cwd: dir });
    execFileSync('objcopy', ['-O', 'binary', '--only-section=.text', 'main.o', 'text.bin'], { cwd: dir });
    return new Uint8Array(readFileSync(path.join(dir, 'text.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh analysis of main.S in `dir` where the `buffers` stand for files of that name. */
function freshAnalysis(dir: string, preprocessor: Preprocessor, buffers: Files = {}): DocumentAnalysis {
  const settings = readServerSettings({ preprocessor }).editor;
  const readFile = (file: string): string | null => {
    if (path.dirname(file) === dir && buffers[path.basename(file)] !== undefined) return buffers[path.basename(file)]!;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return null;
    }
  };
  return analyzeDocument(readFileSync(path.join(dir, 'main.S'), 'utf8'), settings, path.join(dir, 'main.S'), undefined, readFile);
}

/** The fresh analysis's diagnostics, after checking its bytes against GNU as on the same files. */
function expectedDiagnostics(dir: string, preprocessor: Preprocessor, buffers: Files = {}): unknown {
  const fresh = freshAnalysis(dir, preprocessor, buffers);
  const files: Files = {};
  for (const name of ['main.S', 'defs.h', 'macros.inc']) files[name] = buffers[name] ?? readFileSync(path.join(dir, name), 'utf8');
  const text = fresh.image.sections.find((s) => s.name === '.text')?.bytes;
  assert.deepEqual(text, gnuAsText(files), 'the fresh analysis assembles as GNU as does');
  return JSON.parse(JSON.stringify(documentDiagnostics(fresh, readServerSettings({ preprocessor }))));
}

const published = (d: PublishedDiagnostics): unknown => JSON.parse(JSON.stringify(d.diagnostics));

/** Watches the registrations the server makes; `until` resolves when one satisfies a condition. */
function watchRegistrations(client: LanguageServerClient): { until: (ok: (watchers: unknown[]) => boolean) => Promise<unknown[]> } {
  const active = new Map<string, unknown[]>();
  const waiting: Array<() => void> = [];
  client.connection.onRequest('client/registerCapability', (p: { registrations: Array<{ id: string; method: string; registerOptions: { watchers: unknown[] } }> }) => {
    for (const r of p.registrations) if (r.method === 'workspace/didChangeWatchedFiles') active.set(r.id, r.registerOptions.watchers);
    for (const w of waiting.splice(0)) w();
    return null;
  });
  client.connection.onRequest('client/unregisterCapability', (p: { unregisterations: Array<{ id: string }> }) => {
    for (const r of p.unregisterations) active.delete(r.id);
    return null;
  });
  return {
    until: async (ok) => {
      for (;;) {
        const found = [...active.values()].find(ok);
        if (found) return found;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
  };
}

function writeFixture(dir: string): void {
  writeFileSync(path.join(dir, 'main.S'), MAIN);
  writeFileSync(path.join(dir, 'defs.h'), DEFS('pushl %ebp'));
  writeFileSync(path.join(dir, 'macros.inc'), MACROS('\tmovl %esp, %ebp'));
}

interface Session {
  client: LanguageServerClient;
  uri: string;
  fileUri: (name: string) => string;
  /** Runs a change and checks main.S's next diagnostics against a fresh analysis and the last ones. */
  after: (what: string, change: () => void, buffers?: Files) => Promise<void>;
  /** Waits for the server to watch exactly these files of the fixture's folder. */
  watching: (names: readonly string[]) => Promise<unknown>;
}

/** A server watching files, with main.S of a fresh fixture open and checked. */
async function withServerOnFixture(t: TestContext, preprocessor: Preprocessor, run: (s: Session) => Promise<void>): Promise<void> {
  const missing = missingTools();
  if (missing !== null) {
    t.skip(missing);
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-watched-'));
  const client = new LanguageServerClient();
  try {
    writeFixture(dir);
    const registrations = watchRegistrations(client);
    await client.initialize(WATCHING);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kboost: { preprocessor } } });
    const uri = pathToFileURL(path.join(dir, 'main.S')).toString();
    let last = published(await client.open(uri, MAIN));
    assert.deepEqual(last, expectedDiagnostics(dir, preprocessor));
    await run({
      client,
      uri,
      fileUri: (name) => pathToFileURL(path.join(dir, name)).toString(),
      after: async (what, change, buffers = {}) => {
        const next = client.nextDiagnostics(uri);
        change();
        const now = published(await next);
        assert.deepEqual(now, expectedDiagnostics(dir, preprocessor, buffers), what);
        assert.notDeepEqual(now, last, `${what} changes the diagnostics`);
        last = now;
      },
      watching: (names) => {
        const want = JSON.stringify([{ globPattern: { baseUri: pathToFileURL(dir).toString(), pattern: `{${names.join(',')}}` } }]);
        return registrations.until((watchers) => JSON.stringify(watchers) === want);
      },
    });
  } finally {
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A change on disk, reported as the client's file watcher would. */
function changeOnDisk(s: Session, name: string, text: string): () => void {
  return () => {
    writeFileSync(fileURLToPath(s.fileUri(name)), text);
    void s.client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: s.fileUri(name), type: 2 }] });
  };
}

const WATCHING = { workspace: { configuration: false, didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true } } };

test('a cached re-analysis of an unchanged document follows its changed include', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-watched-cache-'));
  try {
    writeFixture(dir);
    const settings = readServerSettings({}).editor;
    const cache = new DocumentAnalysisCache();
    const file = path.join(dir, 'main.S');
    const bytesOf = (a: DocumentAnalysis): unknown => a.image.sections.map((s) => [s.name, [...s.bytes]]);
    for (const [defs, macros] of [['pushl %ebp', '\tmovl %esp, %ebp'], ['int3', '\tmovl %esp, %ebp'], ['int3', '\tpushfl\n\tcli'], ['nop', '\tcli']]) {
      const buffers: Files = { 'defs.h': DEFS(defs!), 'macros.inc': MACROS(macros!) };
      const cached = analyzeDocument(MAIN, settings, file, cache, (f) => buffers[path.basename(f)] ?? null);
      const fresh = freshAnalysis(dir, 'builtin', buffers);
      assert.deepEqual(bytesOf(cached), bytesOf(fresh));
      assert.deepEqual(documentDiagnostics(cached, readServerSettings({})), documentDiagnostics(fresh, readServerSettings({})));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('changes to includes on disk and in the editor re-publish the including document (built-in preprocessor)', (t) =>
  withServerOnFixture(t, 'builtin', async (s) => {
    // The server watches the files main.S's includes read: defs.h and macros.inc beside it.
    const included = [...freshAnalysis(path.dirname(fileURLToPath(s.uri)), 'builtin').includedFiles.keys()].map((f) => path.basename(f)).sort();
    assert.deepEqual(included, ['defs.h', 'macros.inc']);
    await s.watching(included);
    await s.after('macros.inc changed on disk', changeOnDisk(s, 'macros.inc', MACROS('\tint3')));
    await s.after('defs.h changed on disk', changeOnDisk(s, 'defs.h', DEFS('int3')));
    // Open in the editor (as a C header), its buffer is what #include reads.
    const notify = (method: string, params: unknown) => () => void s.client.connection.sendNotification(method, params);
    const defsBuffer = DEFS('pushl %ebx');
    await s.after('defs.h opened with unsaved text', notify('textDocument/didOpen', {
      textDocument: { uri: s.fileUri('defs.h'), languageId: 'c', version: 1, text: defsBuffer },
    }), { 'defs.h': defsBuffer });
    const defsEdited = DEFS('cli');
    await s.after('defs.h edited', notify('textDocument/didChange', {
      textDocument: { uri: s.fileUri('defs.h'), version: 2 }, contentChanges: [{ text: defsEdited }],
    }), { 'defs.h': defsEdited });
    await s.after('defs.h closed unsaved: the disk again', notify('textDocument/didClose', { textDocument: { uri: s.fileUri('defs.h') } }));
    // Malformed notifications are ignored; the server still answers.
    for (const junk of [{}, { changes: null }, { changes: [null, { uri: 7 }, { uri: 'file:///nowhere/x.h', type: 'x' }] }]) {
      notify('workspace/didChangeWatchedFiles', junk)();
    }
    assert.ok(Array.isArray(await s.client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: s.uri } })));
    const macrosBuffer = MACROS('\tmovl %esp, %ebp');
    await s.after('macros.inc opened with unsaved text', notify('textDocument/didOpen', {
      textDocument: { uri: s.fileUri('macros.inc'), languageId: 'i386-asm', version: 1, text: macrosBuffer },
    }), { 'macros.inc': macrosBuffer });
  }));

test('a change on disk to a file the system preprocessor read re-publishes the including document', (t) =>
  withServerOnFixture(t, 'system', async (s) => {
    // defs.h is known from cpp's line markers, macros.inc from `.include`.
    await s.watching(['defs.h', 'macros.inc']);
    await s.after('defs.h changed on disk', changeOnDisk(s, 'defs.h', DEFS('int3')));
  }));
