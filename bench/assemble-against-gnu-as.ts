// Benchmark: assembling a 50,000-line file with kboost's assembler (in process, CPU seconds, best
// of 3) beside GNU as --32 on the same file (whole process, wall time) in the same run.
// `npm run bench:asm`; writes bench/results/assemble-against-gnu-as.json.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assemble } from '../server/src/asm';

const LINES = Number(process.env.LINES ?? 50000);

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

function cpuSeconds(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const text = source();
let ours = Infinity;
for (let round = 0; round < 3; round++) ours = Math.min(ours, cpuSeconds(() => assemble(text)));
const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-bench-as-'));
let gnu = Infinity;
try {
  writeFileSync(path.join(dir, 'bench.s'), text);
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    const r = spawnSync('as', ['--32', '-o', path.join(dir, 'bench.o'), path.join(dir, 'bench.s')]);
    if (r.status !== 0) throw new Error(`as failed: ${r.stderr}`);
    gnu = Math.min(gnu, (performance.now() - started) / 1000);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const result = { lines: LINES, kboostSeconds: ours, gnuAsSeconds: gnu, ratio: ours / gnu, kboostMicrosecondsPerLine: (ours * 1e6) / LINES };
console.log(`| lines | kboost (CPU s) | as --32 (wall s, process included) | kboost / as | µs per line |\n|---:|---:|---:|---:|---:|\n| ${LINES} | ${ours.toFixed(3)} | ${gnu.toFixed(3)} | ${result.ratio.toFixed(1)}x | ${result.kboostMicrosecondsPerLine.toFixed(1)} |`);
mkdirSync(path.resolve(process.cwd(), 'bench', 'results'), { recursive: true });
writeFileSync(path.resolve(process.cwd(), 'bench', 'results', 'assemble-against-gnu-as.json'), JSON.stringify(result, null, 2) + '\n');
