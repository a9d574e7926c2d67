// The editor's line summaries read from the assembler's cached parse of a line must equal the
// summaries made by parsing each line again (the oracle: SourceLineSummaries without the
// assembler), and so must those read from its whole parse where lines carry state. The documents
// put lines in every parser state the cache keys by: inside a block comment, after
// `.intel_syntax noprefix`, after `.att_syntax`, and as `.S` files the preprocessor rewrites, so
// some lines were parsed by the assembler only in another state (or in expanded form) and must be
// parsed again, and others are read from the cache.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSource } from '../../server/src/asm';
import { DocumentAssembler } from '../../server/src/editor/document-assembly';
import { SourceLineSummaries, type ParsedLineAlone } from '../../server/src/editor/source-line-summaries';
import { REPO_ROOT } from './language-server-client';
import { seededUnitRandom } from '../seeded-unit-random';
import { ANALYSIS_SAMPLE_FILES } from './analysis-sample-files';

const FILES = ANALYSIS_SAMPLE_FILES;

test('line summaries from the assembler parse equal summaries parsed again, in every lexer state', () => {
  const pool = FILES.flatMap((f) => readFileSync(path.join(REPO_ROOT, f), 'utf8').split('\n'));
  const next = seededUnitRandom(4242);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  // Runs of lines the assembler sees in another state than the summaries assume.
  const wrappers: Array<(body: string[]) => string[]> = [
    (body) => ['/* opened here', ...body, 'closed */ nop'],
    (body) => ['\t.intel_syntax noprefix', ...body, '\t.att_syntax'],
    (body) => ['\t.att_syntax noprefix', ...body, '\t.att_syntax prefix'],
    (body) => body,
  ];
  let shared = 0;
  let parsedAgain = 0;
  let wholeShared = 0;
  for (let doc = 0; doc < 24; doc++) {
    const assembler = new DocumentAssembler();
    const fileName = path.join(REPO_ROOT, `test/fixtures/lsp/summaries${doc}${doc % 3 === 0 ? '.S' : '.s'}`);
    const withCache = new SourceLineSummaries();
    const alone = new SourceLineSummaries();
    let lines = ['\t.text', '\t.globl f', 'f:'];
    for (let version = 0; version < 6; version++) {
      const body = Array.from({ length: 1 + Math.floor(next() * 12) }, () => pick(pool));
      const at = Math.floor(next() * (lines.length + 1));
      lines = [...lines.slice(0, at), ...pick(wrappers)(body), ...lines.slice(at)];
      const text = lines.join('\n');
      assembler.assemble(text, { fileName, includePaths: [], preprocessor: 'auto' });
      const counted: ParsedLineAlone = (lineText) => {
        const found = assembler.parsedLineAlone(lineText);
        if (found === undefined) parsedAgain++;
        else shared++;
        return found;
      };
      const whole = (): ReturnType<DocumentAssembler['lastParseOf']> => {
        const found = assembler.lastParseOf(text);
        if (found !== undefined) wholeShared++;
        return found;
      };
      const got = withCache.summarize(text, lines, undefined, counted, whole);
      const expected = alone.summarize(text, lines);
      assert.deepEqual(got.lines, expected.lines, `doc ${doc}, version ${version}:\n${text}`);
      assert.deepEqual(got.labels(), expected.labels());
    }
  }
  // Both paths were taken: lines read from the cache and lines it did not hold.
  assert.ok(shared > 200, `only ${shared} lines read from the assembler's parse`);
  assert.ok(parsedAgain > 20, `only ${parsedAgain} lines parsed again`);
  // Documents with state across lines and nothing to expand (no macros, includes, `.S`) were
  // summarized from the assembler's whole parse.
  assert.ok(wholeShared > 10, `only ${wholeShared} versions read the assembler's whole parse`);
});

test('a line summary holds the columns of its instructions and its named labels, as the parser gives them', () => {
  // Lines with one instruction share a summary per columns: lines with more on them must not.
  // Numeric labels (`1:`, named with \x02, or \x01 in a cached parse) are no labels here.
  const crafted = ['\tnop', 'f: nop', '1: nop', '\tnop; nop', '\t.byte 1; nop', '\t.long 2', 'g:', '\t.globl g', '  movl $1, %eax # c', ''];
  const pool = [...crafted, ...FILES.flatMap((f) => readFileSync(path.join(REPO_ROOT, f), 'utf8').split('\n'))];
  // Each line as a document of its own: no state from the lines before it.
  const summaries = pool.map((line) => new SourceLineSummaries().summarize(line, [line]).lines[0]!);
  let shared = 0;
  pool.forEach((line, i) => {
    const s = summaries[i]!;
    const statements = parseSource(line).statements;
    const instructions = statements.filter((st) => st.kind === 'instruction' && st.mnemonic !== null).map((st) => ({ start: st.range.start, end: st.range.end }));
    const labels = statements.filter((st) => st.kind === 'label' && !/\x02|^\x01/.test(st.name)).map((st) => ({ name: (st as { name: string }).name, start: st.range.start, end: st.range.end }));
    assert.deepEqual(s.instructions, instructions, line);
    assert.deepEqual(s.labels, labels, line);
    if (instructions.length === 1 && labels.length === 0 && !s.data) shared++;
  });
  assert.equal(summaries[crafted.indexOf('\t.byte 1; nop')]!.data, true);
  assert.equal(summaries[crafted.indexOf('\tnop')]!.data, false);
  assert.ok(shared > 100, `only ${shared} one-instruction lines`);
});
