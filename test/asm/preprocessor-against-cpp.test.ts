// The C preprocessor for .S files, against the system's: for each fixture in
// test/fixtures/asm/preprocessor, the built-in preprocessor gives the same text as `gcc -E -x
// assembler-with-cpp` (blanks aside), the assembled bytes equal those `as --32` makes from gcc's
// output, every `#=` expectation holds with both preprocessors, and lines map back to their origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assemble, codeOfLine, expandSource, preprocessOnly, type Image } from '../../server/src/asm';
import { readElf32, sectionContents } from '../../server/src/binfmt/elf32-reader';
import { gnuAsAvailable, hex } from './gnu-as-oracle';

const DIRECTORY = path.resolve(__dirname, '..', 'fixtures', 'asm', 'preprocessor');
const INCLUDE_PATHS = [path.join(DIRECTORY, 'include'), DIRECTORY];
const FIXTURES = readdirSync(DIRECTORY).filter((f) => f.endsWith('.S')).sort();

function gccAvailable(): boolean {
  return spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** What cpp's output means to the assembler: no blank lines, no blanks outside strings. */
function normalized(lines: readonly string[]): string[] {
  return lines
    .filter((l) => !/^# [0-9]+ "/.test(l))
    .map((l) => l.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_all, s: string | undefined) => s ?? ''))
    .filter((l) => l !== '');
}

function expectations(source: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let subject = -1;
  source.split('\n').forEach((l, i) => {
    const m = /^\s*#=\s?(.*)$/.exec(l);
    if (m) out.push({ line: subject, text: m[1]!.trim() });
    else subject = i;
  });
  return out;
}

function bytesOfLine(image: Image, line: number): string {
  return codeOfLine(image, line).map((c) => hex(c.bytes)).filter((h) => h !== '').join(' ');
}

for (const name of FIXTURES) {
  const file = path.join(DIRECTORY, name);
  const source = readFileSync(file, 'utf8');

  test(`preprocessor fixture ${name}: expectations with the built-in preprocessor`, () => {
    const image = assemble(source, { fileName: file, includePaths: INCLUDE_PATHS });
    assert.deepEqual(image.diagnostics.map((d) => `${d.line + 1}: ${d.message}`), []);
    for (const e of expectations(source)) assert.equal(bytesOfLine(image, e.line), e.text, `bytes of line ${e.line + 1}`);
  });

  test(`preprocessor fixture ${name}: same text as gcc -E`, { skip: !gccAvailable() && 'gcc not installed' }, () => {
    const theirs = spawnSync('gcc', ['-E', '-x', 'assembler-with-cpp', '-I', INCLUDE_PATHS[0]!, file], { encoding: 'utf8' });
    assert.equal(theirs.status, 0, theirs.stderr);
    const options = { fileName: file, includePaths: [INCLUDE_PATHS[0]!] };
    const cpp = normalized(theirs.stdout.split('\n'));
    assert.ok(cpp.length > 10);
    assert.deepEqual(normalized(preprocessOnly(source, { ...options, preprocessor: 'builtin' }).lines.map((l) => l.text)), cpp);
    assert.deepEqual(normalized(preprocessOnly(source, { ...options, preprocessor: 'system' }).lines.map((l) => l.text)), cpp);
  });

  test(`preprocessor fixture ${name}: expectations with the system preprocessor`, { skip: !gccAvailable() && 'gcc not installed' }, () => {
    const image = assemble(source, { fileName: file, includePaths: INCLUDE_PATHS, preprocessor: 'system' });
    assert.deepEqual(image.diagnostics.map((d) => `${d.line + 1}: ${d.message}`), []);
    for (const e of expectations(source)) assert.equal(bytesOfLine(image, e.line), e.text, `bytes of line ${e.line + 1}`);
  });

  test(`preprocessor fixture ${name}: same bytes as as --32 on gcc -E output`, { skip: (!gccAvailable() || !gnuAsAvailable()) && 'gcc or as not installed' }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kboost-cpp-'));
    try {
      const pre = spawnSync('gcc', ['-E', '-x', 'assembler-with-cpp', '-I', INCLUDE_PATHS[0]!, file], { encoding: 'utf8' });
      assert.equal(pre.status, 0, pre.stderr);
      writeFileSync(path.join(dir, 'in.s'), pre.stdout);
      const as = spawnSync('as', ['--32', '-I', DIRECTORY, '-o', path.join(dir, 'out.o'), path.join(dir, 'in.s')], { encoding: 'utf8' });
      assert.equal(as.status, 0, as.stderr);
      const elf = readElf32(new Uint8Array(readFileSync(path.join(dir, 'out.o'))));
      assert.ok(elf.value !== null);
      const image = assemble(source, { fileName: file, includePaths: INCLUDE_PATHS });
      for (const section of image.sections) {
        const theirs = elf.value.sections.find((s) => s.name === section.name);
        if (theirs === undefined) {
          assert.equal(section.size, 0, `section ${section.name} exists only in ours`);
          continue;
        }
        const bytes = sectionContents(elf.value, theirs);
        assert.equal(hex(section.bytes), hex(typeof bytes === 'string' ? new Uint8Array(0) : bytes), `bytes of ${section.name}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('lines from an included header know their file and line, and map to the #include line', () => {
  const file = path.join(DIRECTORY, 'preprocessor-features.S');
  const source = '#include "defs.h"\n\tmovl $WORD_SIZE, %eax\n';
  const x = expandSource(source, { fileName: file, includePaths: INCLUDE_PATHS });
  assert.ok(x !== null);
  assert.deepEqual(x.diagnostics, []);
  const mov = x.lines.find((l) => l.text.includes('movl'))!;
  assert.deepEqual({ file: mov.file, line: mov.line, userLine: mov.userLine, verbatim: mov.verbatim }, { file, line: 1, userLine: 1, verbatim: false });
  assert.equal(mov.text, '\tmovl $4, %eax');
  const headerLines = x.lines.filter((l) => l.file.endsWith('defs.h'));
  assert.ok(headerLines.length > 0 && headerLines.every((l) => l.userLine === 0));
});

test('the system preprocessor maps its line markers back to files and lines', { skip: !gccAvailable() && 'gcc not installed' }, () => {
  const file = path.join(DIRECTORY, 'preprocessor-features.S');
  const source = '#include "defs.h"\n#include <arch-defs.h>\n\n\tBYTES(ARCH_LEVEL)\n';
  const x = expandSource(source, { fileName: file, includePaths: INCLUDE_PATHS, preprocessor: 'system' });
  assert.ok(x !== null);
  assert.deepEqual(x.diagnostics, []);
  const bytes = x.lines.find((l) => l.text.includes('.byte'))!;
  assert.deepEqual({ line: bytes.line, userLine: bytes.userLine }, { line: 3, userLine: 3 });
  const image = assemble(source, { fileName: file, includePaths: INCLUDE_PATHS, preprocessor: 'system' });
  assert.equal(bytesOfLine(image, 3), '06');
});

test('system preprocessor errors come back at their line', { skip: !gccAvailable() && 'gcc not installed' }, () => {
  const image = assemble('\tnop\n#error no way\n', { fileName: 'x.S', preprocessor: 'system' });
  const e = image.diagnostics.find((d) => d.severity === 'error');
  assert.ok(e !== undefined && e.line === 1 && e.message.includes('no way'), JSON.stringify(image.diagnostics));
});

test('the system preprocessor finds "quoted" headers beside the file, as gcc -E on the file does, and relative -I paths keep their meaning', { skip: !gccAvailable() && 'gcc not installed' }, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kboost-cpp-folder-'));
  const before = process.cwd();
  try {
    // The server's working directory holds a header of the same name that must not win.
    for (const dir of ['work', 'work/inc', 'src']) spawnSync('mkdir', ['-p', path.join(root, dir)]);
    writeFileSync(path.join(root, 'work', 'clash.h'), '#define CLASH 1\n');
    writeFileSync(path.join(root, 'work', 'inc', 'level.h'), '#define LEVEL 7\n');
    writeFileSync(path.join(root, 'src', 'clash.h'), '#define CLASH 2\n\t.byte 9\n');
    const source = '#include "clash.h"\n#include <level.h>\n\t.byte CLASH, LEVEL\n';
    const file = path.join(root, 'src', 'main.S');
    writeFileSync(file, source);
    process.chdir(path.join(root, 'work'));
    const byPath = spawnSync('gcc', ['-E', '-m32', '-x', 'assembler-with-cpp', '-I', 'inc', file], { encoding: 'utf8' });
    assert.equal(byPath.status, 0, byPath.stderr);
    const oracle = normalized(byPath.stdout.split('\n'));
    assert.ok(oracle.includes('.byte2,7'), oracle.join('|'));
    const ours = preprocessOnly(source, { fileName: file, includePaths: ['inc'], preprocessor: 'system' });
    assert.deepEqual(ours.diagnostics, []);
    assert.deepEqual(normalized(ours.lines.map((l) => l.text)), oracle);
    assert.ok(ours.lines.some((l) => l.file === path.join(root, 'src', 'clash.h')), 'header lines name the header by its full path');
  } finally {
    process.chdir(before);
    rmSync(root, { recursive: true, force: true });
  }
});
