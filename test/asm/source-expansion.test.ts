// Source-level expansion before parsing: GNU as macros, .rept, .include and the built-in C
// preprocessor keep the line map on the edited file's lines (both ways), report problems at the
// invoking line with a range, stop recursion and runaway growth, and never throw on any input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { assemble, codeOfLine, expandSource, lineAtAddress, type Image } from '../../server/src/asm';
import { runAsm } from '../../server/src/cli/command-asm';

/** An in-memory file system for include tests. */
function files(map: Record<string, string>): (p: string) => string | null {
  return (p) => map[path.normalize(p)] ?? null;
}

const errors = (image: Image): string[] => image.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line + 1}: ${d.message}`);
const bytesOf = (image: Image, line: number): number[] => codeOfLine(image, line).flatMap((c) => [...c.bytes]);

test('the one-argument call and the options call agree on plain source', () => {
  const source = '\t.text\nf:\tpush %ebp\n\tret\n';
  assert.deepEqual(assemble(source), assemble(source, {}));
  assert.deepEqual(assemble(source).lines, assemble(source, { fileName: 'f.s', preprocessor: 'none' }).lines);
});

test('the preprocessor defaults to built-in for .S and none otherwise', () => {
  const source = '#define N 5\n\t.byte N\n';
  assert.deepEqual(bytesOf(assemble(source, { fileName: 'a.S' }), 1), [5]);
  // In a .s file `#define` is a comment, so N is an undefined symbol: a relocation, not 5.
  const plain = assemble(source, { fileName: 'a.s' });
  assert.equal(plain.relocations.length, 1);
  assert.equal(plain.relocations[0]!.symbol, 'N');
  assert.deepEqual(bytesOf(assemble(source, { fileName: 'a.s', preprocessor: 'builtin' }), 1), [5]);
});

test('macro, .rept and .include lines map to the invoking line, and addresses map back', () => {
  const source = [
    '\t.macro twice insn', //   0
    '\t\\insn', //              1
    '\t\\insn', //              2
    '\t.endm', //               3
    '\t.text', //               4
    '\ttwice nop', //           5  -> 90 90
    '\t.rept 3', //             6  -> c3 c3 c3
    '\tret', //                 7
    '\t.endr', //               8
    '\t.include "part.s"', //   9  -> 55 (push %ebp)
    '\tint3', //               10  -> cc
  ].join('\n');
  const image = assemble(source, { fileName: '/src/main.s', readFile: files({ '/src/part.s': '\tpush %ebp\n' }) });
  assert.deepEqual(errors(image), []);
  assert.deepEqual(bytesOf(image, 5), [0x90, 0x90]);
  assert.deepEqual(bytesOf(image, 6), [0xc3, 0xc3, 0xc3]);
  assert.deepEqual(bytesOf(image, 9), [0x55]);
  assert.deepEqual(bytesOf(image, 10), [0xcc]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((a) => lineAtAddress(image, '.text', a)?.line), [5, 5, 6, 6, 6, 9, 10]);
  for (const l of image.lines) assert.ok(l.line < source.split('\n').length);
});

test('.include searches the including file\'s directory, then the include paths', () => {
  const read = files({ '/inc/a.s': '\t.byte 1\n', '/src/b.s': '\t.byte 2\n' });
  const image = assemble('\t.include "a.s"\n\t.include "b.s"\n', { fileName: '/src/main.s', includePaths: ['/inc'], readFile: read });
  assert.deepEqual(errors(image), []);
  assert.deepEqual([bytesOf(image, 0), bytesOf(image, 1)], [[1], [2]]);
  const missing = assemble('\tnop\n\t.include "nowhere.s"\n', { readFile: () => null });
  assert.deepEqual(errors(missing), ["2: can't open nowhere.s for reading: No such file or directory"]);
  const d = missing.diagnostics[0]!;
  assert.deepEqual([d.start, d.end], [1, 21]);
});

test('an error inside an included file or macro is reported at the invoking line, with where it came from', () => {
  const image = assemble('\tnop\n\t.include "bad.s"\n', { fileName: '/s/m.s', readFile: files({ '/s/bad.s': '\tnop\n\tmovl %eax\n' }) });
  assert.deepEqual(errors(image), ["2: operand type mismatch for 'movl' (in .include \"bad.s\" line 2)"]);
  const d = image.diagnostics[0]!;
  assert.deepEqual([d.line, d.start, d.end], [1, 1, 17]);
});

test('recursive includes, recursive macros and huge repeats give an error at the invoking line, quickly', () => {
  const started = Date.now();
  const selfInclude = assemble('\tnop\n\t.include "self.s"\n', { fileName: '/r/self.s', readFile: files({ '/r/self.s': '\t.include "self.s"\n' }) });
  assert.ok(errors(selfInclude).some((e) => e.startsWith('2: macros nested too deeply')), JSON.stringify(errors(selfInclude)));
  const cppSelf = assemble('#include "loop.h"\n', { fileName: '/r/main.S', readFile: files({ '/r/loop.h': '#include "loop.h"\n' }) });
  assert.ok(errors(cppSelf).some((e) => e.startsWith('1: #include nested more than 200 deep')), JSON.stringify(errors(cppSelf)));
  // Two self-calls per level would be 2^100 expansions without the depth guard.
  const doubling = assemble('\t.macro m\n\tm\n\tm\n\t.endm\n\tm\n\tnop\n');
  assert.ok(errors(doubling).some((e) => e.startsWith('5: macros nested too deeply')), JSON.stringify(errors(doubling)));
  assert.deepEqual(bytesOf(doubling, 5), [0x90]);
  const huge = assemble('\t.rept 1000000000000\n\tnop\n\t.endr\n');
  assert.ok(errors(huge).some((e) => e.startsWith('1: .rept 1000000000000 produces more than')));
  const nested = assemble('\t.rept 100000\n\t.rept 100000\n\t.if 0\n\t.endif\n\t.endr\n\t.endr\n');
  assert.ok(errors(nested).some((e) => e.includes('lines of work; stopped')), JSON.stringify(errors(nested)));
  assert.ok(Date.now() - started < 20_000);
});

test('unterminated blocks and stray closers are reported', () => {
  assert.deepEqual(errors(assemble('\tnop\n\t.macro open a\n\tnop\n')), ["2: unexpected end of file in macro 'open' definition (no .endm)"]);
  assert.deepEqual(errors(assemble('\t.rept 2\n\tnop\n')), ['1: .rept without .endr']);
  assert.deepEqual(errors(assemble('\t.irp r, %eax\n\tpush \\r\n')), ['1: .irp without .endr']);
  assert.deepEqual(errors(assemble('\t.if 1\n\tnop\n')), ['1: end of file inside conditional (no .endif)']);
  const stray = assemble('\t.endm\n\t.endr\n\t.exitm\n\t.purgem none\n');
  assert.deepEqual(errors(stray), []);
  assert.equal(stray.diagnostics.filter((d) => d.severity === 'warning').length, 4);
  assert.deepEqual(errors(assemble('#if 1\n\tnop\n', { fileName: 'u.S' })), ['1: unterminated #if']);
  assert.deepEqual(errors(assemble('#endif\n#else\n', { fileName: 'u.S' })), ['1: #endif without #if', '2: #else without #if']);
});

test('C preprocessor errors carry their line and range', () => {
  const image = assemble('\tnop\n#if 1 +\n#endif\n#include "missing.h"\n#define F(a, b) a\n\t.byte F(1)\n#error stop\n', { fileName: 'e.S', readFile: () => null });
  assert.deepEqual(errors(image), [
    '2: missing expression',
    '4: missing.h: No such file or directory',
    '6: macro "F" requires 2 arguments, but 1 given',
    '6: junk at end of expression',
    '7: #error stop',
  ]);
  const e = image.diagnostics.find((d) => d.line === 1)!;
  assert.deepEqual([e.start, e.end], [1, 7]);
});

test('C preprocessor: function-like macros, stringizing, pasting, varargs, __LINE__', () => {
  const x = expandSource('#define S(x) #x\n#define P(a, b) a##b\n#define V(f, ...) f(__VA_ARGS__)\n#define ID(x) x\nS(a  "q" b) P(12, 34) V(ID, 7) __LINE__ ID(ID)(3)\n', { preprocessor: 'builtin' });
  assert.ok(x !== null);
  // The same text as `cpp -x assembler-with-cpp -P` prints for this input.
  assert.equal(x.lines[0]!.text, '"a \\"q\\" b" 1234 7 5 ID(3)');
});

test('GNU as conditionals see constants set earlier; labels count as defined', () => {
  const image = assemble('n = 2\n\t.set m, n * 3\nlbl:\n\t.if m == 6\n\t.byte 1\n\t.endif\n\t.ifdef lbl\n\t.byte 2\n\t.endif\n\t.ifdef later\n\t.byte 3\n\t.endif\nlater:\n');
  assert.deepEqual(errors(image), []);
  assert.deepEqual([bytesOf(image, 4), bytesOf(image, 7), bytesOf(image, 10)], [[1], [2], []]);
});

test('random input through every expansion path never throws and keeps ranges inside the file', () => {
  const words = ['.macro', '.endm', '.rept', '.endr', '.irp', '.irpc', '.if', '.ifdef', '.ifc', '.else', '.elseif', '.endif', '.exitm',
    '.include', '#include', '#define', '#if', '#elif', '#else', '#endif', '#undef', 'm', 'F(', ')', '\\x', '\\@', '"', "'", ',', '=', '1', 'x', '\\', '/*', '*/', '(', '##', '#'];
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 300; round++) {
    const lines: string[] = [];
    for (let l = 0; l < 12; l++) {
      const parts: string[] = [];
      for (let k = rand(5); k >= 0; k--) parts.push(words[rand(words.length)]!);
      lines.push(parts.join(rand(2) === 0 ? ' ' : ''));
    }
    const source = lines.join('\n');
    for (const preprocessor of ['builtin', 'none'] as const) {
      const image = assemble(source, { preprocessor, fileName: '/f/x.S', readFile: () => '\tnop\n' });
      assert.ok(!image.diagnostics.some((d) => d.message.startsWith('internal assembler error')), `${source}\n${JSON.stringify(image.diagnostics)}`);
      for (const d of image.diagnostics) assert.ok(d.line >= 0 && d.line < lines.length && d.start >= 0 && d.end >= d.start, JSON.stringify(d));
      for (const c of image.lines) assert.ok(c.line >= 0 && c.line < lines.length);
    }
  }
});

test('kboost asm takes -I and --cpp', () => {
  const fixtures = path.resolve(__dirname, '..', 'fixtures', 'asm', 'preprocessor');
  const run = (args: string[]): { code: number; out: string; err: string } => {
    let out = '';
    let err = '';
    const code = runAsm(args, { out: (t) => (out += t), err: (t) => (err += t), flush: () => undefined });
    return { code, out, err };
  };
  const file = path.join(fixtures, 'preprocessor-features.S');
  const ok = run([file, '-I', path.join(fixtures, 'include'), '--listing']);
  assert.equal(ok.err, '');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /\s15 0000 55\s+\tSAVE\(ebp\)/);
  const noInclude = run([file]);
  assert.equal(noInclude.code, 1);
  assert.match(noInclude.err, /preprocessor-features\.S:5:1: error: defs\.h: No such file or directory|arch-defs\.h: No such file or directory/);
  const none = run([file, '--cpp', 'none', '-I', path.join(fixtures, 'include')]);
  assert.equal(none.code, 1);
  const bad = run([file, '--cpp', 'magic']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--cpp takes builtin, system or none/);
});
