// The bad input of issue 3, one case each: unknown mnemonics, bad operands, undefined symbols
// where a number is needed, unterminated macros and conditionals, recursive includes (GNU as and
// C preprocessor ones). GNU as is the oracle that the input is bad (`as --32` must reject it too,
// when installed); kboost must report an error on the line and at the columns of the culprit,
// and go on assembling the lines after it. A seeded fuzz of the statement parser closes the file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assemble, type Image } from '../../server/src/asm';
import { parseSource } from '../../server/src/asm/statement-parser';
import { gnuAsAvailable } from './gnu-as-oracle';

interface BadInput {
  name: string;
  source: string;
  /** The 0-based line, a text the message contains, and the text the range must cover exactly. */
  line: number;
  message: string;
  culprit: string;
}

const CASES: BadInput[] = [
  { name: 'an unknown mnemonic', source: '\tnop\n\tfrobnicate %eax\n\tnop\n', line: 1, message: 'unknown or unsupported instruction', culprit: 'frobnicate' },
  { name: 'a bad register operand', source: '\tmovl %eax, %bogus\n\tnop\n', line: 0, message: "bad register name '%bogus'", culprit: '%bogus' },
  { name: 'operands no form takes', source: '\tnop\n\tmovb %eax, %bl\n\tnop\n', line: 1, message: "operand type mismatch for 'movb'", culprit: 'movb %eax, %bl' },
  { name: 'an undefined symbol where a number is needed', source: '\t.p2align undefined_alignment\n\tnop\n', line: 0, message: 'must be an absolute number', culprit: 'undefined_alignment' },
  { name: 'an undefined symbol in .rept', source: '\t.rept undefined_count\n\tnop\n\t.endr\n\tnop\n', line: 0, message: 'bad or irreducible absolute expression', culprit: '.rept undefined_count' },
  { name: 'an undefined symbol in .if', source: '\t.if undefined_flag\n\tnop\n\t.endif\n', line: 0, message: 'non-constant expression', culprit: '.if undefined_flag' },
  { name: 'an unterminated macro', source: '\tnop\n\t.macro never_ends\n\tnop\n', line: 1, message: 'no .endm', culprit: '.macro never_ends' },
  { name: 'an unterminated conditional', source: '\tnop\n\t.if 1\n\tnop\n', line: 1, message: 'end of file inside conditional', culprit: '.if 1' },
  { name: 'an unterminated .rept', source: '\t.rept 2\n\tnop\n', line: 0, message: '.rept without .endr', culprit: '.rept 2' },
];

function errorsOn(image: Image, line: number): Image['diagnostics'] {
  return image.diagnostics.filter((d) => d.severity === 'error' && d.line === line);
}

function gnuAsRejects(source: string, dir: string, name = 'in.s'): boolean {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  const run = spawnSync('as', ['--32', '-o', path.join(dir, 'out.o'), file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return run.status !== 0;
}

for (const c of CASES) {
  test(`${c.name}: an error at its columns, as --32 rejects it too`, () => {
    const image = assemble(c.source);
    const lineText = c.source.split('\n')[c.line]!;
    const errors = errorsOn(image, c.line).filter((d) => d.message.includes(c.message));
    assert.ok(errors.length > 0, `no "${c.message}" error on line ${c.line + 1}: ${JSON.stringify(image.diagnostics)}`);
    assert.ok(errors.some((d) => lineText.slice(d.start, d.end) === c.culprit), `ranges ${JSON.stringify(errors.map((d) => lineText.slice(d.start, d.end)))}, expected "${c.culprit}"`);
    if (!gnuAsAvailable()) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'kboost-bad-'));
    try {
      assert.ok(gnuAsRejects(c.source, dir), 'as --32 accepts this input');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('an undefined symbol in an instruction is a relocation, not an error (as as does)', () => {
  const image = assemble('\tmovl $undefined_symbol, %eax\n');
  assert.deepEqual(image.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(image.relocations.map((r) => `${r.offset} ${r.type} ${r.symbol}`), ['1 R_386_32 undefined_symbol']);
});

test('a .include of itself: an error at the .include line, as --32 rejects it too', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-bad-'));
  try {
    const file = path.join(dir, 'self.s');
    const source = '\tnop\n\t.include "self.s"\n';
    writeFileSync(file, source);
    const image = assemble(source, { fileName: file });
    const errors = errorsOn(image, 1);
    assert.ok(errors.some((d) => d.message.includes('nested too deeply')), JSON.stringify(image.diagnostics));
    if (gnuAsAvailable()) assert.ok(gnuAsRejects(source, dir, 'self.s'), 'as --32 accepts a recursive .include');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a #include of itself in a .S file: an error at the #include line, as cpp does', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-bad-'));
  try {
    const file = path.join(dir, 'self.S');
    const source = '\tnop\n#include "self.S"\n';
    writeFileSync(file, source);
    const image = assemble(source, { fileName: file });
    assert.ok(errorsOn(image, 1).some((d) => d.message.includes('#include nested more than')), JSON.stringify(image.diagnostics));
    const cpp = spawnSync('gcc', ['-E', '-x', 'assembler-with-cpp', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (cpp.error === undefined) assert.notEqual(cpp.status, 0, 'gcc -E accepts a recursive #include');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state >>> 8;
  };
}

test('seeded fuzz of the statement parser: random characters never throw, every range lies on its line', () => {
  const next = random(20261126);
  // Characters that matter to the lexer and parser, and some that do not.
  const alphabet = '\t ,:;#$%*()[]+-/<>=!&|^~"\'\\@.0123456789abcdefxzLlmovqp_\u00e9\u2028\r';
  for (let round = 0; round < 500; round++) {
    const text = Array.from({ length: 20 + (next() % 300) }, () => alphabet[next() % alphabet.length]!).join('')
      .replace(/\r(?!\n)/g, '\n');
    const parsed = parseSource(text);
    const lines = text.split('\n');
    for (const e of parsed.errors) {
      assert.ok(e.line >= 0 && e.line < lines.length, `line ${e.line} of ${lines.length}`);
      assert.ok(e.start >= 0 && e.start <= e.end && e.end <= lines[e.line]!.length + 1, `range ${e.start}-${e.end} on a line of ${lines[e.line]!.length}: ${JSON.stringify(text)}`);
    }
    for (const s of parsed.statements) assert.ok(s.range.line >= 0 && s.range.line < lines.length);
  }
});
