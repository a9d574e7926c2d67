// Re-analysis with what a document keeps between versions (line summaries, per-function probes)
// against a fresh analysis of the same text: after seeded random edits of samples and fixtures, the
// diagnostics, code lens titles and hovers must be the same, and so must the diagnostics JSON the
// server publishes (byte for byte), which must parse to the diagnostics objects, and the line
// verdicts' JSON; both again when copied from the last version's bytes (as the server writes them
// after an edit), across profile and severity changes and contract comments. The fresh analysis
// is the oracle; the protocol tests check the fresh analysis itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble } from '../../server/src/asm';
import { analyzeDocument, DocumentAnalysisCache, type DocumentAnalysis } from '../../server/src/editor/document-analysis';
import { DocumentAssembler } from '../../server/src/editor/document-assembly';
import { PreprocessorIdentityCheck } from '../../server/src/editor/preprocessor-identity-check';
import { codeLensTitle, hoverMarkdown, verdictClass } from '../../server/src/editor/verdict-presentation';
import { documentDiagnostics, writeDocumentDiagnosticsJson, type PublishedDiagnostics } from '../../server/src/lsp/document-diagnostics';
import type { WrittenEntries } from '../../server/src/lsp/json-entries-from-previous-version';
import { lineVerdictsJson } from '../../server/src/lsp/line-verdicts-json';
import { JsonByteBuilder } from '../../server/src/lsp/json-byte-builder';
import { readServerSettings, type ServerSettings } from '../../server/src/lsp/editor-settings-from-configuration';
import { REPO_ROOT } from './language-server-client';
import { seededUnitRandom } from '../seeded-unit-random';
import { ANALYSIS_SAMPLE_FILES } from './analysis-sample-files';

const FILES = ANALYSIS_SAMPLE_FILES;
const PROFILES = ['rfc-2.6.15', 'linux-2.6.18', 'linux-6.1'] as const;
type Profile = (typeof PROFILES)[number];
/**
 * The server keeps one settings object until the configuration changes: so does the test, per
 * profile and severity choice (a changed severity makes entries differ from the last version's).
 */
const SETTINGS = new Map(PROFILES.flatMap((profile): Array<[string, ServerSettings]> => [
  [`${profile}`, readServerSettings({ profile })],
  [`${profile} severities`, readServerSettings({ profile, severity: { boosted: 'none', singleStepped: 'warning', refused: 'error' } })],
]));

const random = seededUnitRandom;

/** The diagnostics JSON as the server publishes it (a small buffer, so that it grows too). */
function publishedJson(a: DocumentAnalysis, settings: ServerSettings, previous: PublishedDiagnostics | null = null): { json: string; entries: PublishedDiagnostics } {
  const out = new JsonByteBuilder(3, 16);
  const entries = writeDocumentDiagnosticsJson(a, settings, out, previous);
  const { buffer, start, end } = out.finish();
  entries.buffer = buffer;
  return { json: buffer.toString('latin1', start, end), entries };
}

/** The line verdicts' JSON as the server answers it. */
function lineVerdictsText(a: DocumentAnalysis, profile: Profile, previous: WrittenEntries | null = null): { json: string; entries: WrittenEntries } {
  const { json, entries } = lineVerdictsJson(a, profile, previous);
  return { json: json.buffer.toString('latin1', json.start, json.end), entries };
}

/** Everything the editor shows that comes from the analysis. */
function shown(a: DocumentAnalysis, settings: ServerSettings): unknown {
  const profile = settings.editor.profile;
  const diagnostics = documentDiagnostics(a, settings);
  const { json } = publishedJson(a, settings);
  assert.ok(/^[\x00-\x7f]*$/.test(json), 'the published JSON is ASCII');
  assert.deepEqual(JSON.parse(json), diagnostics);
  const lineVerdicts = lineVerdictsText(a, profile).json;
  assert.deepEqual(JSON.parse(lineVerdicts), { profile, lines: a.annotations.map((x) => ({ line: x.range.line, end: x.range.end, verdict: verdictClass(a.probe(x, profile)) })) });
  return {
    json,
    lineVerdicts,
    diagnostics,
    lenses: a.functions.map((f) => codeLensTitle(a, f, profile)),
    hovers: a.annotations.map((x) => hoverMarkdown(a, x, profile)),
    labels: a.labels,
  };
}

test('incremental re-analysis after seeded random edits equals a fresh analysis', () => {
  const pool = FILES.flatMap((f) => readFileSync(path.join(REPO_ROOT, f), 'utf8').split('\n'));
  // Lines that carry parser state to the next line (a block comment, a syntax switch), and lines
  // that parse differently in that state, so the whole-text fallback is exercised too.
  const stateful = ['/* a block comment', 'that ends here */ addl $2, %eax', '\t.intel_syntax noprefix', 'il: mov eax, dword ptr [ebx+4]', '\t.att_syntax'];
  // Contract comments: their diagnostics follow their instruction's (never copied from a last version).
  const contracts = ['\tnop # kboost: boosted', '\tret # kboost(rfc-2.6.15): single-stepped', '\tpushl %ebp # kboost: emulated'];
  let hits = 0;
  let relocations = 0;
  let copied = 0;
  let moved = 0;
  let written = 0;
  let misses = 0;
  let compared = 0;
  // Besides the files: a document of many small functions, where edits move the functions after
  // them (built from the verdict fixture's body with its jump, each copy under its own name).
  const body = readFileSync(path.join(REPO_ROOT, FILES[2]!), 'utf8').split('\n').filter((l) => /^(1:)?\t[a-z]/.test(l) && !l.includes('call'));
  const manyFunctions = Array.from({ length: 8 }, (_, k) => [`\t.globl f${k}`, `\t.type f${k}, @function`, `f${k}:`, ...body]).flat();
  const documents: Array<[string, string[]]> = [
    ...FILES.map((f): [string, string[]] => [f, readFileSync(path.join(REPO_ROOT, f), 'utf8').split('\n')]),
    ['many-functions.s', ['\t.text', ...manyFunctions]],
  ];
  documents.forEach(([file, lines], n) => {
    const next = random(1000 + n);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const line = (): string => (next() < 0.15 ? pick(stateful) : next() < 0.05 ? pick(contracts) : pick(pool));
    const fileName = path.join(REPO_ROOT, file);
    const cache = new DocumentAnalysisCache();
    let profile: Profile = 'linux-6.1';
    let severities = '';
    // What the server keeps of the last version it published: the diagnostics and line verdicts.
    let lastDiagnostics: PublishedDiagnostics | null = null;
    let lastLineVerdicts: WrittenEntries | null = null;
    for (let step = 0; step < 40; step++) {
      const at = Math.floor(next() * (lines.length + 1));
      const kind = next();
      if (kind < 0.35) lines.splice(at, 0, line());
      else if (kind < 0.55 && lines.length > 1) lines.splice(Math.min(at, lines.length - 1), 1);
      else if (kind < 0.75 && lines.length > 0) lines[Math.min(at, lines.length - 1)] = line();
      else if (kind < 0.85) lines.splice(at, 0, ...lines.slice(at, at + 4)); // a pasted block
      else if (kind < 0.92) (profile = pick(PROFILES)), (severities = next() < 0.5 ? ' severities' : '');
      // else: no change, the version is analysed again as it is
      const text = lines.join('\n');
      const serverSettings: ServerSettings = SETTINGS.get(`${profile}${severities}`)!;
      const settings = { ...serverSettings.editor };
      const incremental = analyzeDocument(text, settings, fileName, cache);
      const fresh = analyzeDocument(text, settings, fileName);
      const expected = shown(fresh, serverSettings) as { json: string; lineVerdicts: string };
      assert.deepEqual(shown(incremental, serverSettings), expected, `${file}, step ${step}:\n${text}`);
      // Written from the last version's bytes where they are the same: byte for byte the fresh JSON.
      const diagnosticsJson = publishedJson(incremental, serverSettings, lastDiagnostics);
      assert.equal(diagnosticsJson.json, expected.json, `${file}, step ${step}, diagnostics from the last version's:\n${text}`);
      const lineVerdicts = lineVerdictsText(incremental, profile, lastLineVerdicts);
      assert.equal(lineVerdicts.json, expected.lineVerdicts, `${file}, step ${step}, line verdicts from the last version's:\n${text}`);
      lastDiagnostics = diagnosticsJson.entries;
      lastLineVerdicts = lineVerdicts.entries;
      copied += diagnosticsJson.entries.copied + lineVerdicts.entries.copied;
      moved += diagnosticsJson.entries.moved + lineVerdicts.entries.moved;
      written += 2 * incremental.table.count;
      // As the server does after publishing (here on every other step, so both paths are taken).
      if (step % 2 === 0) cache.functions.forgetUnused();
      // Labels (symbols, completion) as the whole text's parse has them.
      const parsedLabels = incremental.statements.flatMap((x) => (x.kind === 'label' && !x.name.includes('\x02') ? [{ name: x.name, range: x.range }] : []));
      assert.deepEqual(incremental.labels, parsedLabels);
      compared++;
    }
    hits += cache.functions.hits;
    relocations += cache.functions.relocations;
    misses += cache.functions.misses;
  });
  assert.equal(compared, documents.length * 40);
  // The cache was used every way: some functions kept, some moved, some re-analysed.
  assert.ok(hits > 50, `only ${hits} cache hits`);
  assert.ok(relocations > 10, `only ${relocations} relocations`);
  assert.ok(misses > 50, `only ${misses} cache misses`);
  // The last version's entries were copied, some of them moved by lines, and not all.
  assert.ok(copied > written / 4 && copied < written, `${copied} of ${written} entries copied`);
  assert.ok(moved > written / 20, `only ${moved} of ${written} entries moved`);
});

test('an open .S document skips the built-in preprocessor only where it gives the same Image', () => {
  // Lines the preprocessor leaves alone (GAS comments starting with `#` among them), and lines it
  // changes or that change what follows: directives, predefined macros, C comments, continuations.
  const neutral = FILES.flatMap((f) => readFileSync(path.join(REPO_ROOT, f), 'utf8').split('\n')).filter((l) => !/^\s*#\s*(define|undef|if|ifdef|ifndef|elif|else|endif|include|error|warning)\b/.test(l));
  const special = [
    '#define ONE 1', '\tmovl $ONE, %eax', '#if 0', '#endif', '#ifdef __i386__', '\taddl $__i386__, %eax', '\tmovl $__LINE__, %ecx',
    '/* a C comment */ nop', '\tnop // a C++ comment', '\tmovl $1, \\', '# 12 "marker.S"', '#include "missing.h"', '# a GAS comment',
    '#', '#pragma once', '\tmovl $__STDC__, %eax', '#undef ONE', '#error stop',
  ];
  const next = random(77);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  let skipped = 0;
  let preprocessed = 0;
  for (let doc = 0; doc < 16; doc++) {
    const lines = ['\t.text', '\t.globl f', 'f:', ...Array.from({ length: 30 }, () => pick(neutral))];
    const assembler = new DocumentAssembler();
    const options = { fileName: path.join(REPO_ROOT, `test/fixtures/lsp/doc${doc}.S`), includePaths: [], preprocessor: 'auto' as const };
    let specialAt = -1;
    for (let step = 0; step < 25; step++) {
      const at = Math.floor(next() * (lines.length + 1));
      const kind = next();
      // One special line at a time mostly (then removed again), so each is seen both ways.
      if (specialAt >= 0 && kind < 0.4) lines.splice(specialAt, 1), (specialAt = -1);
      else if (kind < 0.3) lines.splice((specialAt = Math.max(3, at)), 0, pick(special));
      else if (specialAt < 0 && kind < 0.5) lines.splice(at, 0, pick(neutral));
      else if (specialAt < 0 && kind < 0.8 && lines.length > 4) lines.splice(Math.max(3, Math.min(at, lines.length - 1)), 1);
      else if (specialAt < 0) lines[Math.max(3, Math.min(at, lines.length - 1))] = pick(neutral);
      const text = lines.join('\n');
      const got = assembler.assemble(text, options);
      const reference = assemble(text, { fileName: options.fileName, includePaths: [] });
      assert.deepEqual(got.image, reference, `doc ${doc}, step ${step}:\n${text}`);
      // A first version is checked as a whole text: the same answer as line by line, the same Image.
      const wholeText = new PreprocessorIdentityCheck().leavesUnchanged(lines, undefined, text);
      assert.equal(wholeText, new PreprocessorIdentityCheck().leavesUnchanged(lines), `doc ${doc}, step ${step}:\n${text}`);
      if (wholeText) assert.deepEqual(new DocumentAssembler().assemble(text, options).image, reference);
      if (got.skippedPreprocessor) skipped++;
      else preprocessed++;
    }
  }
  assert.ok(skipped > 50, `only ${skipped} assemblies skipped the preprocessor`);
  assert.ok(preprocessed > 50, `only ${preprocessed} assemblies ran it`);
});
