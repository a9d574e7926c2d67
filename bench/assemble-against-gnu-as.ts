// Benchmark: assembling a 50,000-line file with kboost's assembler (in process, CPU seconds, best
// of 5) beside GNU as --32 on the same file (whole process, wall time, best of 10: the least
// disturbed run on a shared machine) in the same run; then
// re-assembly after one-line edits through IncrementalAssembler (CPU ms, median of 50 seeded
// edits: each the first edit of a freshly opened document, and 50 edits in a row on one), and,
// when the gcc corpus is in .cache/asm-corpus, the same figures on a real file.
// `npm run bench:asm`; writes bench/results/assemble-against-gnu-as.json. SHAPE=lsp measures the
// file of `npm run bench:lsp` instead (FUNCTION_LINES=40: 1,250 functions, a `jne 1b` every 7 lines).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assemble, IncrementalAssembler } from '../server/src/asm';

const LINES = Number(process.env.LINES ?? 50000);
const SHAPE = process.env.SHAPE ?? 'default';
const EDITS = 50;

function source(): string {
  const forms = [
    'movl 8(%ebp), %eax', 'addl $1, %ecx', 'leal 4(%esi,%edi,2), %edx', 'cmpl %eax, %ebx', 'jne 1b',
    'pushl %ebx', 'popl %ebx', 'movzbl (%eax), %edx', 'call helper', 'testl $0x10, %eax',
  ];
  const out = ['\t.text', '\t.globl f', 'f:'];
  for (let i = 0; i < LINES; i++) out.push(i % 10 === 0 ? `1:\t${forms[0]}` : `\t${forms[i % forms.length]}`);
  out.push('helper:', '\tret');
  return out.join('\n') + '\n';
}

/** The file bench/language-server-latency.ts opens with FUNCTION_LINES=40. */
function languageServerBenchSource(): string {
  const out = ['\t.text', '\t.globl f', '\t.type f, @function', 'f:'];
  for (let i = 0; i < LINES; i++) {
    if (i > 0 && i % 40 === 0) out.push(`\t.globl f${i}`, `\t.type f${i}, @function`, `f${i}:`);
    out.push(i % 7 === 0 ? `1:\tmovl ${i}(%ebp), %eax` : i % 7 === 3 ? '\tjne 1b' : '\taddl $1, %eax');
  }
  return out.join('\n');
}

function cpuSeconds(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function gnuAsSeconds(text: string): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-bench-as-'));
  let best = Infinity;
  try {
    writeFileSync(path.join(dir, 'bench.s'), text);
    for (let round = 0; round < 10; round++) {
      const started = performance.now();
      const r = spawnSync('as', ['--32', '-o', path.join(dir, 'bench.o'), path.join(dir, 'bench.s')]);
      if (r.status !== 0) throw new Error(`as failed: ${r.stderr}`);
      best = Math.min(best, (performance.now() - started) / 1000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return best;
}

/** A small seeded generator, so every run measures the same edits. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One-line edits of instruction lines (a changed operand, a new line, a deleted line) in turn. */
function editedVersion(lines: string[], random: () => number, kind: number): string[] {
  const out = lines.slice();
  let at = Math.floor(random() * lines.length);
  while (!/^\s+[a-z]/.test(out[at]!) || /^\s+\./.test(out[at]!)) at = (at + 1) % lines.length;
  if (kind === 0) out[at] = '\taddl $7, %edx';
  else if (kind === 1) out.splice(at, 0, '\tmovl %ecx, 12(%esp)');
  else out.splice(at, 1);
  return out;
}

/**
 * CPU ms of re-assembly after each of EDITS one-line edits, each the first edit of a document just
 * assembled (a new IncrementalAssembler each time: the first assembly's garbage is collected during
 * the edit, as after opening a file).
 */
function incrementalMilliseconds(text: string): number {
  const lines = text.split('\n');
  const random = seeded(1);
  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const assembler = new IncrementalAssembler();
    assembler.assemble(text);
    const edited = editedVersion(lines, random, i % 3).join('\n');
    times.push(cpuSeconds(() => assembler.assemble(edited)) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * The same edits made one after the other on one document, as while typing: each version is
 * the previous one with one more edit, re-assembled by the same IncrementalAssembler.
 */
function sessionMilliseconds(text: string): number {
  let lines = text.split('\n');
  const random = seeded(2);
  const assembler = new IncrementalAssembler();
  assembler.assemble(text);
  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    lines = editedVersion(lines, random, i % 3);
    const edited = lines.join('\n');
    times.push(cpuSeconds(() => assembler.assemble(edited)) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function measure(name: string, text: string) {
  const lines = text.split('\n').length - 1;
  let ours = Infinity;
  for (let round = 0; round < 5; round++) ours = Math.min(ours, cpuSeconds(() => assemble(text)));
  const gnu = gnuAsSeconds(text);
  const incremental = incrementalMilliseconds(text);
  const session = sessionMilliseconds(text);
  return {
    file: name, lines, kboostSeconds: ours, gnuAsSeconds: gnu, ratio: ours / gnu, kboostMicrosecondsPerLine: (ours * 1e6) / lines,
    oneLineEditMilliseconds: incremental, editInSessionMilliseconds: session,
  };
}

const results = [SHAPE === 'lsp' ? measure(`bench:lsp's file, ${LINES} instruction lines`, languageServerBenchSource()) : measure(`generated, ${LINES} instruction lines`, source())];
const corpusFile = path.resolve(process.cwd(), '.cache', 'asm-corpus', 'build', 'lz4-lz4hc_O2_fno_pic_fno_pie.s');
if (existsSync(corpusFile)) results.push(measure('lz4hc.c, gcc -m32 -O2', readFileSync(corpusFile, 'utf8')));

console.log('| file | lines | kboost (CPU s) | as --32 (wall s, process included) | kboost / as | µs per line | first edit after opening (CPU ms, median of 50) | edit while typing (CPU ms, median of 50) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.file} | ${r.lines} | ${r.kboostSeconds.toFixed(3)} | ${r.gnuAsSeconds.toFixed(3)} | ${r.ratio.toFixed(1)}x | ${r.kboostMicrosecondsPerLine.toFixed(1)} | ${r.oneLineEditMilliseconds.toFixed(1)} | ${r.editInSessionMilliseconds.toFixed(1)} |`);
}
mkdirSync(path.resolve(process.cwd(), 'bench', 'results'), { recursive: true });
writeFileSync(path.resolve(process.cwd(), 'bench', 'results', 'assemble-against-gnu-as.json'), JSON.stringify(results, null, 2) + '\n');
