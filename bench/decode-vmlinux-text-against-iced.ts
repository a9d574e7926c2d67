// Benchmark: decode the whole .text of the Debian i386 vmlinux sequentially, as objdump walks it,
// with our decoder (reading the facts a classifier reads: length, validity, entry and its flow)
// and with iced-x86 (decodeOut into one reused Instruction, reading code and flowControl).
// Prints a markdown table of instructions per second and writes bench/results/decode-vmlinux.json.
// Run with `npm run bench`; ROUNDS=n changes the number of timed rounds per decoder.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Decoder, DecoderOptions, Instruction } from 'iced-x86';
import * as isa from '../server/src/isa';
import { findDebianKernel, readVmlinuxText, type ElfSection } from '../test/oracles/debian-kernel';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
// npm runs scripts from the package root; the bundle lives elsewhere, so no __dirname here.
const RESULTS_FILE = path.resolve(process.cwd(), 'bench', 'results', 'decode-vmlinux.json');

/**
 * CPU seconds (user + system) of this process since `started`. CPU time rather than wall time, so
 * that other work on a shared machine distorts the comparison less; both decoders are timed alike.
 */
function cpuSecondsSince(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1e6;
}

interface RoundResult {
  instructions: number;
  seconds: number;
}

/** Ours, the scanning path: decodeInto() (length, prefixes, ModRM, immediates, the entry) and
 * the facts kprobe classification reads of each instruction. No operand objects are built. */
function classifyOurs(text: ElfSection): RoundResult {
  const started = process.cpuUsage();
  const insn = isa.newDecodedInstruction();
  let count = 0;
  let branches = 0;
  for (let offset = 0; offset < text.size; ) {
    if (isa.decodeInto(insn, text.bytes, offset, text.address + offset) && insn.entry!.flow !== null) branches++;
    offset += insn.length;
    count++;
  }
  const seconds = cpuSecondsSince(started);
  if (branches === 0) throw new Error('no control transfer found: the walk is not reading entries');
  return { instructions: count, seconds };
}

/** Ours, the full path: decode() with operand objects, as the disassembler uses it. */
function decodeOurs(text: ElfSection): RoundResult {
  const started = process.cpuUsage();
  let count = 0;
  let operands = 0;
  for (let offset = 0; offset < text.size; ) {
    const insn = isa.decode(text.bytes, offset, text.address + offset);
    operands += insn.operands.length;
    offset += insn.length;
    count++;
  }
  const seconds = cpuSecondsSince(started);
  if (operands === 0) throw new Error('no operands decoded');
  return { instructions: count, seconds };
}

function decodeIced(text: ElfSection): RoundResult {
  const started = process.cpuUsage();
  const decoder = new Decoder(32, text.bytes, DecoderOptions.None);
  decoder.ip = BigInt(text.address);
  const instr = new Instruction();
  let count = 0;
  let facts = 0;
  while (decoder.canDecode) {
    decoder.decodeOut(instr);
    facts += instr.code + instr.flowControl; // read both, as a classifier would
    count++;
  }
  instr.free();
  decoder.free();
  const seconds = cpuSecondsSince(started);
  if (facts === 0) throw new Error('iced decoded nothing');
  return { instructions: count, seconds };
}

interface Row {
  name: string;
  instructions: number;
  bestSeconds: number;
  medianSeconds: number;
  bestPerSecond: number;
  medianPerSecond: number;
}

function measure(name: string, run: () => RoundResult): Row {
  run(); // warm-up: JIT and caches
  const rounds: RoundResult[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(run());
  const times = rounds.map((r) => r.seconds).sort((a, b) => a - b);
  const instructions = rounds[0]!.instructions;
  const best = times[0]!;
  const median = times[Math.floor(times.length / 2)]!;
  return { name, instructions, bestSeconds: best, medianSeconds: median, bestPerSecond: instructions / best, medianPerSecond: instructions / median };
}

function main(): number {
  const kernel = findDebianKernel();
  if (!kernel.ok) {
    console.error(`bench skipped: ${kernel.reason}`);
    return 0;
  }
  const text = readVmlinuxText(kernel.files);
  const rows: Row[] = [];
  rows.push(measure('iced-x86 (decodeOut: code, flowControl)', () => decodeIced(text)));
  rows.push(measure('kboost decodeInto (length, entry, flow: decode and classify)', () => classifyOurs(text)));
  rows.push(measure('kboost decode (with operand objects)', () => decodeOurs(text)));

  const iced = rows[0]!;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`vmlinux .text: ${text.size} bytes at 0x${text.address.toString(16)}; ${ROUNDS} timed rounds after one warm-up; ` +
    `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}\n`);
  console.log('| decoder | instructions | best s | median s | instr/s (median) | vs iced |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${fmt(r.instructions)} | ${r.bestSeconds.toFixed(3)} | ${r.medianSeconds.toFixed(3)} | ` +
      `${fmt(r.medianPerSecond)} | ${(r.medianPerSecond / iced.medianPerSecond).toFixed(2)}x |`);
  }
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? null,
    textBytes: text.size,
    rounds: ROUNDS,
    rows: rows.map((r) => ({ ...r, ratioToIced: r.medianPerSecond / iced.medianPerSecond })),
  };
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nwritten ${path.relative(process.cwd(), RESULTS_FILE)}`);
  return 0;
}

process.exitCode = main();
