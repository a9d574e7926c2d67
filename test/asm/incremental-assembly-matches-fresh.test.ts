// IncrementalAssembler against a fresh assemble() of the same text (itself checked against GNU as
// by the fixture and corpus tests): chains of seeded random one-line edits (insert, delete, change
// an instruction or a number, rename a label) on the assembler fixtures and on a gcc corpus file,
// the whole Image compared after every edit: section bytes, symbols, relocations, line map,
// diagnostics. The parse through the line cache is also compared with a parse without it. Small
// checkpoint intervals make re-assembly resume mid-file, and edits that grow or shrink code move
// labels that earlier branches refer to (relaxation must redo its choice for them). Edits that move
// a function called from every line above change bytes in the unchanged prefix, which the line
// map must not reuse.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble, IncrementalAssembler } from '../../server/src/asm';
import { parseSource } from '../../server/src/asm/statement-parser';
import { ParsedLineCache, parseSourceLines, statementOnLine } from '../../server/src/asm/cached-line-parsing';
import { readAsmFixtures } from './asm-fixture-files';
import { CORPUS_CACHE } from './gcc-corpus-sources';

const EDITS_PER_FILE = 40;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const INSTRUCTION_LINE = /^\s+[a-z]/i;
const LABEL_LINE = /^\s*([A-Za-z_.$][\w.$]*|[0-9]+):/;

function pick<T>(random: () => number, list: T[]): T | undefined {
  return list.length === 0 ? undefined : list[Math.floor(random() * list.length)];
}

/** Indexes of lines matching a pattern (instruction lines exclude directives). */
function linesLike(lines: string[], pattern: RegExp): number[] {
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (pattern.test(l) && !(pattern === INSTRUCTION_LINE && /^\s+\./.test(l))) out.push(i);
  });
  return out;
}

/** One seeded one-line edit (insert, delete, instruction, number, label); returns the new lines and what was done (for failure messages). */
function edit(lines: string[], random: () => number): { lines: string[]; what: string } {
  const out = lines.slice();
  const kind = Math.floor(random() * 5);
  const at = Math.floor(random() * out.length);
  if (kind === 0) {
    const copied = out[Math.floor(random() * out.length)]!;
    out.splice(at, 0, copied);
    return { lines: out, what: `insert at ${at}: ${JSON.stringify(copied)}` };
  }
  if (kind === 1) {
    const removed = out.splice(at, 1)[0];
    return { lines: out, what: `delete ${at}: ${JSON.stringify(removed)}` };
  }
  if (kind === 2) {
    const target = pick(random, linesLike(out, INSTRUCTION_LINE));
    const source = pick(random, linesLike(out, INSTRUCTION_LINE));
    if (target === undefined || source === undefined) return { lines: out, what: 'no instruction to change' };
    // Either another instruction of the file, or the same one with a number changed.
    const changed = random() < 0.5 ? out[source]! : out[target]!.replace(/\d+/, (d) => String(Number(d) + 1 + Math.floor(random() * 200)));
    out[target] = changed;
    return { lines: out, what: `change ${target} to ${JSON.stringify(changed)}` };
  }
  if (kind === 4) {
    // A number on any line: `.set`/`.equ` values change what later instructions know at parse time.
    const target = pick(random, linesLike(out, /\d/));
    if (target === undefined) return { lines: out, what: 'no number to change' };
    out[target] = out[target]!.replace(/\d+/, (d) => String(Number(d) + 1 + Math.floor(random() * 300)));
    return { lines: out, what: `number on ${target}: ${JSON.stringify(out[target])}` };
  }
  const target = pick(random, linesLike(out, LABEL_LINE));
  if (target === undefined) return { lines: out, what: 'no label to change' };
  out[target] = out[target]!.replace(LABEL_LINE, (whole, name: string) => whole.replace(name, /^[0-9]+$/.test(name) ? String(Number(name) + 1) : `${name}_edited`));
  return { lines: out, what: `label ${target} to ${JSON.stringify(out[target])}` };
}

/** Statements through the line cache (shared ones moved onto their lines) equal an uncached parse. */
function checkCachedParse(cache: ParsedLineCache, text: string, context: string): void {
  const fresh = parseSource(text);
  const { parsed, lineOf } = parseSourceLines(text.split('\n'), cache);
  assert.deepEqual(parsed.statements.map((s, i) => statementOnLine(s, lineOf[i]!)), fresh.statements, `${context}: statements`);
  assert.deepEqual(parsed.errors, fresh.errors, `${context}: parse errors`);
}

function checkEdits(name: string, source: string, seed: number, checkpointLines?: number, editOf = edit): IncrementalAssembler {
  const random = seeded(seed);
  const incremental = new IncrementalAssembler({}, checkpointLines);
  const lineCache = new ParsedLineCache();
  let lines = source.split('\n');
  assert.deepEqual(incremental.assemble(source), assemble(source), `${name}: first version`);
  checkCachedParse(lineCache, source, `${name}: first version`);
  for (let i = 0; i < EDITS_PER_FILE; i++) {
    const next = editOf(lines, random);
    lines = next.lines;
    const text = lines.join('\n');
    const context = `${name}: after edit ${i + 1} (${next.what})`;
    assert.deepEqual(incremental.assemble(text), assemble(text), context);
    checkCachedParse(lineCache, text, context);
  }
  return incremental;
}

test('incremental re-assembly equals a fresh assemble() after random one-line edits of every fixture', () => {
  const fixtures = readAsmFixtures();
  assert.ok(fixtures.length > 10);
  fixtures.forEach((f, i) => checkEdits(f.name, f.source, 1000 + i));
});

test('incremental re-assembly resumed from checkpoints every 3 lines equals a fresh assemble() on every fixture', () => {
  readAsmFixtures().forEach((f, i) => checkEdits(f.name, f.source, 2000 + i, 3));
});

/** Branches forward and backward over runs of code, so that one-line edits move their targets. */
function branchySource(random: () => number): string {
  const out = ['\t.text', '\t.globl f', 'f:'];
  for (let i = 0; i < 60; i++) {
    out.push(`L${i}:`);
    const target = Math.floor(random() * 60);
    out.push(`\t${random() < 0.5 ? 'jmp' : 'jne'} L${target}`, '\t.skip 20', '\taddl $1, %eax');
  }
  out.push('\tret', '\t.data', 'table:', '\t.long L3, L40 - L2');
  return out.join('\n');
}

/** One edit that grows or shrinks the code between labels: short branches over it may turn near and back. */
function growOrShrink(lines: string[], random: () => number): { lines: string[]; what: string } {
  const out = lines.slice();
  const at = 3 + Math.floor(random() * (out.length - 3));
  const r = random();
  if (r < 0.4) out.splice(at, 0, `\t.skip ${100 + Math.floor(random() * 60)}`);
  else if (r < 0.8) {
    const skip = linesLike(out, /\.skip/);
    const k = pick(random, skip);
    if (k !== undefined) out.splice(k, 1);
  } else out.splice(at, 0, '\t.p2align 4');
  return { lines: out, what: `grow or shrink near ${at}` };
}

test('incremental re-assembly equals a fresh assemble() when edits move labels that earlier branches refer to', () => {
  for (const seed of [11, 12, 13]) {
    const source = branchySource(seeded(seed));
    checkEdits(`branches ${seed}`, source, seed, 5, growOrShrink);
    checkEdits(`branches ${seed}, default checkpoints`, source, seed + 100, undefined, growOrShrink);
  }
});

/**
 * Like the benchmark file: numeric labels, branches back to them, calls to a function after all
 * the code (each edit that grows or shrinks code changes every call above it, so the line map of
 * the unchanged prefix has lines with new bytes), alignments and `.lcomm` storage.
 */
function callsToTheEnd(random: () => number): string {
  const forms = ['movl 8(%ebp), %eax', 'addl $1, %ecx', 'jne 1b', 'call helper', 'leal 4(%esi,%edi,2), %edx', 'jmp helper', 'testl $0x10, %eax'];
  const out = ['\t.text', '\t.globl f', 'f:'];
  for (let i = 0; i < 400; i++) {
    if (i % 10 === 0) out.push('1:\tpushl %ebx');
    else if (i % 97 === 0) out.push('\t.p2align 4');
    else if (i % 131 === 0) out.push(`\t.lcomm buf${i}, ${1 + Math.floor(random() * 40)}`);
    else out.push(`\t${forms[Math.floor(random() * forms.length)]}`);
  }
  out.push('helper:', '\tret', '\t.data', 'table:', '\t.long helper - f, 1b');
  return out.join('\n');
}

/** An instruction line inserted, deleted, or changed to one of another size. */
function codeEdit(lines: string[], random: () => number): { lines: string[]; what: string } {
  const out = lines.slice();
  const at = 3 + Math.floor(random() * (out.length - 10));
  const r = random();
  if (r < 0.35) out.splice(at, 0, '\tmovl %ecx, 12(%esp)');
  else if (r < 0.7) out.splice(at, 1);
  else out[at] = random() < 0.5 ? '\taddl $7, %edx' : '\taddl $700, %edx';
  return { lines: out, what: `code edit near ${at}` };
}

test('incremental re-assembly equals a fresh assemble() when edits move a function that every earlier call names', () => {
  for (const seed of [21, 22]) {
    const source = callsToTheEnd(seeded(seed));
    checkEdits(`calls ${seed}, checkpoints every 32 lines`, source, seed, 32, codeEdit);
    checkEdits(`calls ${seed}, default checkpoints`, source, seed + 100, undefined, codeEdit);
  }
});

/**
 * What a later line can see of an earlier one, all mixed: `.set` numbers that size immediates,
 * label differences folded at parse time (a run of fixed-size code between them, which edits grow
 * or shrink), labels used before and after their definition, numeric labels both ways, alignments,
 * `.org`, `.lcomm`, `.size`, aliases and names set again, section switches, block comments over several lines, Intel syntax,
 * and lines with errors (diagnostics after an edit must move with their lines).
 */
function everythingVisibleLater(random: () => number): string {
  const out = ['\t.text', '\t.globl f', 'f:', 'L0:'];
  let labels = 1;
  for (let i = 0; i < 500; i++) {
    const r = Math.floor(random() * 20);
    const a = Math.floor(random() * labels);
    const b = Math.floor(random() * labels);
    if (r === 0) out.push(`L${labels++}:`);
    else if (r === 1) out.push(`\t.set S${i}, ${Math.floor(random() * 300)}`, `\taddl $S${i}, %eax`);
    else if (r === 2) out.push(`\tmovl $(L${a}-L${b}), %ecx`, `\taddl $(L${a}-L${b}), %edx`);
    else if (r === 3) out.push('1:\tpushl %ebx', '\tjne 1b');
    else if (r === 4) out.push('\tjmp 1f', '\tnop', '1:');
    else if (r === 5) out.push('\t.p2align 3');
    else if (r === 6) out.push(`\t.lcomm buf${i}, ${1 + Math.floor(random() * 20)}`);
    else if (r === 7) out.push('\t.data', `\t.long L${a} - L${b}, L${a}`, '\t.text');
    else if (r === 8) out.push('\t.pushsection .rodata', `\t.byte ${i % 256}`, '\t.popsection');
    else if (r === 9) out.push('/* a comment', `\tmovl %eax, %ebx  over ${i}`, '*/');
    else if (r === 10) out.push('\tbadinsn %eax');
    else if (r === 11) out.push(`\tjmp L${labels + 1}`);
    else if (r === 12) out.push('\t.intel_syntax noprefix', '\tmov eax, [ebx+4]', '\t.att_syntax');
    else if (r === 13) out.push('\t.org .+3');
    else if (r === 14) out.push(`\t.size f, .-f`);
    else if (r === 15) out.push(`\tcall L${a}`);
    // Aliases take the type and size their target has when they are set; names set again and again.
    else if (r === 16) out.push('\t.type f, @function', `\t.set A${i % 5}, f`);
    else if (r === 17) out.push(`\t.set B${i % 3}, L${a}`, `\t.size B${i % 3}, ${i % 9}`, `\t.long B${i % 3}`);
    else out.push(`\tmovl ${4 * (i % 40)}(%ebp), %eax`);
  }
  for (let l = labels; l < labels + 3; l++) out.push(`L${l}:`, '\tret');
  return out.join('\n');
}

test('incremental re-assembly equals a fresh assemble() when it takes over the end of the previous version', () => {
  for (const seed of [31, 32, 33]) {
    const source = everythingVisibleLater(seeded(seed));
    let joined = 0;
    for (const every of [16, 64]) {
      joined += checkEdits(`everything ${seed}, checkpoints every ${every} lines`, source, seed * every, every).joinedVersions;
      joined += checkEdits(`everything ${seed}, code edits, checkpoints every ${every} lines`, source, seed * every + 1, every, codeEdit).joinedVersions;
    }
    // The reuse is exercised, not only the fallback to walking to the end.
    assert.ok(joined >= 40, `only ${joined} versions took over the previous walk's end`);
  }
});

/**
 * Label differences folded at parse time far below their labels: `addl $(Q - P)` takes a byte
 * immediate while the run of code from P to Q is short, so an edit inside the run (which a
 * checkpoint may split) changes an encoding a hundred lines further down.
 */
function distantDifferences(random: () => number): string {
  const out = ['\t.text', 'f:'];
  for (let i = 0; i < 30; i++) {
    out.push(`P${i}:`);
    for (let k = 0; k < 5; k++) out.push(k === 2 ? `Q${i}:` : '\taddl $1, %ecx');
    out.push(`\tjne P${i}`);
    for (let k = 0; k < 20; k++) out.push(random() < 0.2 && i > 3 ? `\taddl $(Q${i - 3} - P${i - 3}), %eax` : '\tmovl %eax, %ebx');
  }
  out.push('\tret');
  return out.join('\n');
}

/** Grows or shrinks a run between two labels (or anything else) by more than a byte immediate's reach. */
function runEdit(lines: string[], random: () => number): { lines: string[]; what: string } {
  const out = lines.slice();
  const at = 2 + Math.floor(random() * (out.length - 3));
  if (random() < 0.6) out.splice(at, 0, `\t.skip ${100 + Math.floor(random() * 60)}`);
  else {
    const skip = pick(random, linesLike(out, /\.skip/));
    if (skip !== undefined) out.splice(skip, 1);
  }
  return { lines: out, what: `run edit near ${at}` };
}

test('incremental re-assembly equals a fresh assemble() when edits change label differences that later lines fold', () => {
  for (const seed of [41, 42]) {
    const source = distantDifferences(seeded(seed));
    for (const every of [3, 7, 16]) checkEdits(`differences ${seed}, checkpoints every ${every} lines`, source, seed * every, every, runEdit);
  }
});

test('incremental re-assembly equals a fresh assemble() after random one-line edits of a gcc -m32 -O2 -fPIC file', (t) => {
  const file = path.join(CORPUS_CACHE, 'build', 'lz4-xxhash_O2_fPIC.s');
  if (!existsSync(file)) {
    t.skip(`${path.relative(process.cwd(), file)} is missing: test/asm/gcc-corpus-against-gnu-as.test.ts builds it`);
    return;
  }
  checkEdits('lz4 xxhash.c', readFileSync(file, 'utf8'), 7);
  checkEdits('lz4 xxhash.c, checkpoints every 64 lines', readFileSync(file, 'utf8'), 8, 64);
});

/**
 * Code where every relaxable branch is short except those near wherever they sit (to another
 * section, an undefined symbol) until an edit takes one out of reach, so versions move the
 * previous layout and bytes: short branches back and forth over the lines edits touch,
 * alignments after them, absolute references to labels (code and data), local and global calls,
 * `.lcomm` storage and a second code section.
 */
function movedLayoutSource(random: () => number): string {
  const out = ['\t.text', '\t.globl f', 'f:'];
  for (let i = 0; i < 300; i++) {
    const r = Math.floor(random() * 16);
    if (r === 0) out.push(`M${i}:`);
    else if (r === 1 || r === 2) out.push('1:\tpushl %ebx', `\t${r === 1 ? 'jne' : 'jmp'} 1b`);
    else if (r === 3) out.push('\tjmp 2f', '\tnop', '2:');
    else if (r === 4) out.push('\t.p2align 3');
    else if (r === 5) out.push(`\tmovl $M${Math.max(0, i - 10)}, %eax`);
    else if (r === 6) out.push('\tcall helper');
    else if (r === 7) out.push('\tcall f');
    else if (r === 8) out.push('\tjmp external_function', '\tje other_section_label');
    else if (r === 9) out.push('\t.data', `\t.long M${Math.max(0, i - 5)}, helper - f`, '\t.text');
    else if (r === 10 && i % 4 === 0) out.push(`\t.lcomm buf${i}, ${1 + Math.floor(random() * 9)}`);
    else if (r === 11) out.push('\t.p2align 4,,5');
    // Short branches over a few lines, back and forward: an edit between may take them out of reach and back.
    else if (r === 12) out.push(`B${i}:`, '\taddl $1, %eax', '\t.skip 60', '\tmovl %eax, 4(%esp)', `\tjne B${i}`);
    else if (r === 13) out.push(`\tjmp F${i}`, '\taddl $1, %eax', '\t.skip 60', '\tmovl %eax, 4(%esp)', `F${i}:`);
    else out.push(`\taddl $${i}, %eax`);
  }
  out.push('helper:', '\tret', '\t.section .text.other,"ax",@progbits', 'other_section_label:', '\tjmp helper', '\tret');
  return out.join('\n');
}

/** Edits the moved layout must get right: code that grows or shrinks (short branches over it may no longer reach), lines of other kinds. */
function layoutEdit(lines: string[], random: () => number): { lines: string[]; what: string } {
  const out = lines.slice();
  const at = 3 + Math.floor(random() * (out.length - 9));
  const pool = [
    '\tincl %ecx', '\tmovl %ecx, 12(%esp)', '\t.skip 30', '\t.skip 90', '\t.p2align 2', '\t.data', '\t.text', '\tcall helper', '\tmovl $helper, %eax',
    '\t.long M3', '\t.pushsection .rodata', '\t.popsection', '\tincl %edx', '\t.skip 3', '2:\tjmp 2b', '\t.lcomm late, 3',
  ];
  const r = random();
  if (r < 0.45) out.splice(at, 0, pool[Math.floor(random() * pool.length)]!);
  else if (r < 0.8) out.splice(at, 1);
  else out[at] = pool[Math.floor(random() * pool.length)]!;
  return { lines: out, what: `layout edit near ${at}` };
}

test('incremental re-assembly equals a fresh assemble() when it moves the previous layout and bytes', () => {
  let moved = 0;
  for (const seed of [51, 52, 53]) {
    const source = movedLayoutSource(seeded(seed));
    for (const every of [8, 16, 32]) {
      moved += checkEdits(`moved layout ${seed}, checkpoints every ${every} lines`, source, seed * 7 + every, every, layoutEdit).movedLayouts;
    }
  }
  // The moved layout is exercised, not only the full passes.
  assert.ok(moved >= 60, `only ${moved} versions moved the previous layout`);
});

/** Each version after the first assembled by one IncrementalAssembler, compared with a fresh assemble(). */
function checkVersions(name: string, versions: string[][], checkpointLines: number): IncrementalAssembler {
  const incremental = new IncrementalAssembler({}, checkpointLines);
  versions.forEach((lines, i) => {
    const text = lines.join('\n');
    assert.deepEqual(incremental.assemble(text), assemble(text), `${name}: version ${i}`);
  });
  return incremental;
}

const FILLER = Array.from({ length: 12 }, (_, i) => `\taddl $${i + 1}, %eax`);

/** `lines` with `line` inserted at `at` (negative: deleted there). */
function withLine(lines: string[], at: number, line: string | null): string[] {
  const out = lines.slice();
  if (line === null) out.splice(at, 1);
  else out.splice(at, 0, line);
  return out;
}

/** Six lines of code, then a jump to the next line: relaxable, it ends the run of fixed-size code, so the versions' walks can join after it. */
function sixAndJump(n: number): string[] {
  return [...FILLER.slice(0, 6), `\tjmp C${n}`, `C${n}:`];
}

test('a moved layout re-checks each short branch whose span holds the edit or an alignment that pads differently', () => {
  // Backward from after the edited lines, forward from before them, and both ends inside them.
  const backward = ['\t.text', 'f:', ...FILLER, 'B:', '\t.skip 40', ...sixAndJump(1), ...FILLER.slice(0, 6), '\tjne B', ...FILLER, '\tret'];
  const forward = ['\t.text', 'f:', ...FILLER, '\tjmp F', '\t.skip 40', ...sixAndJump(1), ...FILLER.slice(0, 6), 'F:', ...FILLER, '\tret'];
  const inside = ['\t.text', 'f:', ...FILLER, ...sixAndJump(0), 'B:', '\t.skip 40', ...FILLER.slice(0, 6), '\tjne B', ...FILLER, '\tret'];
  for (const [name, lines, at] of [['backward', backward, 17], ['forward', forward, 17], ['inside', inside, 25]] as const) {
    const grown = withLine(lines, at, '\t.skip 100');
    // Out of reach, back in, and moved by a byte: the branch turns near (full passes) and short again.
    const incremental = checkVersions(`${name} branch`, [lines, grown, lines, withLine(lines, at, '\tincl %ecx')], 4);
    assert.ok(incremental.movedLayouts >= 1, `${name}: only ${incremental.movedLayouts} versions moved the previous layout`);
  }
  // A jump 300 bytes after the edit whose span is 127 bytes over a 64-byte alignment padding 1 byte:
  // one byte more before it pads none (moved), one byte less pads 2 (out of reach: the full passes).
  const far = [...FILLER, ...FILLER, ...FILLER, ...FILLER, ...FILLER, ...FILLER, ...FILLER, ...FILLER];
  const aligned = ['\t.text', 'f:', '\tincl %ecx', '\tincl %ecx', '\tjmp C0', 'C0:', ...FILLER, ...far, '\tjmp G', '\t.skip 53', '\t.p2align 6', '\t.skip 73', 'G:', ...FILLER, ...FILLER, '\tret'];
  const versions = [aligned, withLine(aligned, 2, '\tincl %edx'), aligned, withLine(aligned, 2, null), aligned];
  const incremental = checkVersions('alignment', versions, 4);
  assert.ok(incremental.movedLayouts >= 2, `only ${incremental.movedLayouts} versions moved the previous layout`);
});

test('a moved layout starts only from a relaxation that grew no branch that could reach', () => {
  // The previous version's jne is near because of the .skip 100: deleting it makes it short again.
  const near = ['\t.text', 'f:', ...FILLER, 'B:', '\t.skip 40', ...sixAndJump(1), '\t.skip 100', ...sixAndJump(2), '\tjne B', ...FILLER, '\tret'];
  checkVersions('near, then in reach', [near, withLine(near, 24, null), near, withLine(near, 25, '\tincl %ecx'), near], 4);
});

test('a moved branch to a label the edited lines define again is written again', () => {
  // X ends the edited lines once `.skip 5` is gone and the alignment pads nothing: the jne after
  // them moves by 8 bytes, X not at all, though X's new item sits where the moved code begins.
  const lines = ['\t.text', 'f:', '\tmovl %eax, %ebx', '\tmovl %eax, %ecx', 'X:', '\t.skip 5', '\t.p2align 2', '# joined here', '\tnop', '\tjne X', ...FILLER, '\tret'];
  const incremental = checkVersions('label of the edit', [lines, withLine(lines, 5, null)], 4);
  assert.equal(incremental.movedLayouts, 1);
});

test('incremental re-assembly of a file that includes another equals a fresh assemble(), expanded line map included', () => {
  // The included file's lines and the expansion's problems are kept in the Image (`expanded`): compared too.
  const fragment = ['\tpushl %ebx', '1:\tmovl 8(%esp), %eax', '\tjne 1b', '\tSAVE %ecx', 'done:', '\tpopl %ebx', '\tmovl %eaz, %eax', '\t.warning "in the fragment"'].join('\n');
  const files = new Map([[path.join('fixture', 'fragment.inc'), fragment]]);
  const options = { fileName: path.join('fixture', 'main.s'), readFile: (f: string) => files.get(f) ?? null };
  const random = seeded(41);
  let lines = ['\t.macro SAVE reg', '\tpushl \\reg', '\t.endm', '\t.text', '\t.globl f', 'f:', ...FILLER, '\t.include "fragment.inc"', ...FILLER, '\tret'];
  const incremental = new IncrementalAssembler(options, 4);
  for (let i = 0; i <= EDITS_PER_FILE; i++) {
    const text = lines.join('\n');
    const fresh = assemble(text, options);
    assert.ok(fresh.expanded?.origins.some((o) => o.file === path.join('fixture', 'fragment.inc')), 'the included lines are kept');
    assert.ok(fresh.expanded?.problems.some((p) => p.message === 'in the fragment'), 'and the expansion\'s problems');
    assert.deepEqual(incremental.assemble(text), fresh, `version ${i}:\n${text}`);
    // Edits in the including file only (the fragment's line is kept).
    let next = edit(lines, random);
    while (!next.lines.some((l) => l.includes('.include'))) next = edit(lines, random);
    lines = next.lines;
  }
});
