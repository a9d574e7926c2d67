// Transparency of live probes on the real `gcc -m32 -O2 -static` programs of the emulator tests
// (test/cpu/programs, test/cpu-oracles/programs). The unprobed run counts calls per function
// (host breakpoints on every function symbol of the ELF); random probe sets go on the hottest
// functions' instructions; a second unprobed run counts each chosen instruction's executions
// (host breakpoints again, independent of the kprobe engine). Each program runs probed in two
// of the five configurations (rotating, so each configuration meets about eight programs and
// every handler kind), and must print the same output, exit with the same status, and each probe's nhit
// must equal those executions, nmissed 0. Skips when gcc cannot build 32-bit static programs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemble } from '../../../server/src/asm';
import { listingSymbolsOfElf } from '../../../server/src/binfmt/disassembly-symbols';
import { readElf32 } from '../../../server/src/binfmt/elf32-reader';
import { loadStaticElf, type LoadedImage, type Machine, type MachineExceptionHandler } from '../../../server/src/cpu';
import { decode } from '../../../server/src/isa';
import type { KernelConfig, ProfileId } from '../../../server/src/kprobes';
import { KprobeEngine, type KprobeRequest, type LiveKprobe } from '../../../server/src/kprobes/live';
import { Rng } from './random-program-generator';

const SOURCES = [path.join(__dirname, '..', '..', 'cpu', 'programs'), path.join(__dirname, '..', '..', 'cpu-oracles', 'programs')];
const ARGS = ['first-argument', 'second'];
const LIMIT = 200_000_000;
/** Where the assembly handler's bytes go: a page no static program uses. */
const HANDLER_PAGE = 0x7fe00000;

const CONFIGURATIONS: ReadonlyArray<{ label: string; profile: ProfileId; config?: KernelConfig; optimizeDelay?: number }> = [
  { label: 'rfc-2.6.15', profile: 'rfc-2.6.15' },
  { label: 'linux-2.6.18', profile: 'linux-2.6.18' },
  { label: 'linux-6.1 PREEMPTION=n', profile: 'linux-6.1', config: { preemption: false, optprobes: false } },
  { label: 'linux-6.1 PREEMPTION=y', profile: 'linux-6.1', config: { preemption: true, optprobes: false } },
  { label: 'linux-6.1 optprobes', profile: 'linux-6.1', config: { preemption: false, optprobes: true }, optimizeDelay: 0 },
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-gcc-probes-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const probe = path.join(dir, 'probe.c');
fs.writeFileSync(probe, 'int main(void) { return 0; }\n');
const skip = spawnSync('gcc', ['-m32', '-static', '-O2', probe, '-o', path.join(dir, 'probe')]).status === 0 ? false : 'gcc -m32 -static does not work here (apt-get install gcc-multilib)';

const handlerImage = assemble('.text\nkp_handler:\n  mov 24(%eax), %edx\n  mov %edx, 24(%eax)\n  xor %eax, %eax\n  ret\n');
const handlerBytes = handlerImage.sections.find((s) => s.name === '.text')!.bytes;

interface Run { machine: Machine; linux: MachineExceptionHandler; output: () => string; status: () => number | null }

function start(binary: Uint8Array): Run {
  const chunks: Uint8Array[] = [];
  const loaded = loadStaticElf(binary, ['program', ...ARGS], ['LANG=C'], { stdout: (b) => chunks.push(b.slice()), stderr: (b) => chunks.push(b.slice()) });
  if ('error' in loaded) throw new Error(loaded.error);
  return { machine: loaded.machine, linux: loaded.linux.handle, output: () => Buffer.concat(chunks).toString('latin1'), status: () => loaded.linux.exitStatus };
}

/** Runs to the exit, counting stops at host breakpoints by address. */
function runCounting(run: Run, breakpoints: Iterable<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const b of breakpoints) run.machine.hostBreakpoints.add(b);
  for (;;) {
    const r = run.machine.run(LIMIT);
    if (r.stop.kind === 'breakpoint') {
      counts.set(r.stop.eip, (counts.get(r.stop.eip) ?? 0) + 1);
      continue;
    }
    break;
  }
  run.machine.hostBreakpoints.clear();
  return counts;
}

const programs = SOURCES.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.c')).map((f) => path.join(d, f))).sort();

for (const [index, source] of programs.entries()) {
  const name = `${path.basename(path.dirname(path.dirname(source)))}/${path.basename(source)}`;
  test(`${name}: random probes on its hottest functions leave output, status and hit counts as unprobed`, { skip }, () => {
    const exe = path.join(dir, `${index}-${path.basename(source, '.c')}`);
    const built = spawnSync('gcc', ['-m32', '-static', '-O2', source, '-o', exe], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const binary = new Uint8Array(fs.readFileSync(exe));
    const elf = readElf32(binary).value!;
    const text = elf.sections.find((s) => s.name === '.text')!;
    const functions = listingSymbolsOfElf(elf).filter((s) => s.isFunction && s.size > 0 && s.value >= text.address && s.value < text.address + text.size);
    const image: LoadedImage = {
      sections: new Map([['.text', { address: text.address, size: text.size }]]),
      symbols: new Map(functions.map((f) => [f.name, f.value])),
      errors: [],
    };

    const reference = start(binary);
    const calls = runCounting(reference, functions.map((f) => f.value));
    const expectedOutput = reference.output();
    const expectedStatus = reference.status();
    assert.notEqual(expectedStatus, null, `${name}: the unprobed run did not exit`);
    const hot = functions.filter((f) => (calls.get(f.value) ?? 0) >= 2).sort((a, b) => calls.get(b.value)! - calls.get(a.value)! || a.value - b.value).slice(0, 3);
    assert.ok(hot.length > 0, `${name}: no function was called twice`);

    const rng = new Rng(0x6b70 + index);
    const candidates: number[] = [];
    for (const f of hot) {
      const bytes = binary.subarray(text.offset + (f.value - text.address), text.offset + (f.value - text.address) + f.size);
      for (let off = 0; off < bytes.length; ) {
        const insn = decode(bytes, off, f.value + off);
        // A rep string instruction single-stepped by 2.6.x hits once per iteration: the random programs check those.
        const repeated = insn.entry?.rep != null && insn.prefixes.rep !== 0 && insn.prefixes.mandatory === 0;
        if (insn.valid && !repeated && insn.mnemonic !== 'hlt') candidates.push(f.value + off);
        off += insn.length;
      }
    }
    // Most probes go where the program runs (a hot function's error paths may never run), a few anywhere.
    const executions = runCounting(start(binary), candidates);
    const executed = candidates.filter((a) => executions.has(a));
    const pick = (from: number[], n: number) => Array.from({ length: from.length ? n : 0 }, () => from[rng.below(from.length)]!);
    const chosen = [...new Set([...pick(executed, 6), ...pick(candidates, 2)])].sort((a, b) => a - b);

    let hits = 0;
    for (const k of [index % CONFIGURATIONS.length, (index + 2) % CONFIGURATIONS.length]) {
      const configuration = CONFIGURATIONS[k]!;
      const kind = (index + k) % 3;
      const where = `${name} / ${configuration.label} / ${['host pre_handler', 'host pre+post_handler', 'assembly pre_handler'][kind]}`;
      const run = start(binary);
      const chain = run.linux;
      run.machine.memory.map(HANDLER_PAGE, 4096, 'rx');
      run.machine.memory.writeBytes(HANDLER_PAGE, handlerBytes);
      const engine: KprobeEngine = new KprobeEngine(run.machine, {
        profile: configuration.profile, image, chain,
        ...(configuration.config ? { config: configuration.config } : {}),
        ...(configuration.optimizeDelay !== undefined ? { optimizeDelay: configuration.optimizeDelay } : {}),
      });
      const handlers: Pick<KprobeRequest, 'preHandler' | 'postHandler'> =
        kind === 2 ? { preHandler: engine.assemblyHandler(HANDLER_PAGE) } : kind === 1 ? { preHandler: () => 0, postHandler: () => 0 } : { preHandler: () => 0 };
      const probes: LiveKprobe[] = [];
      for (const address of chosen) {
        const r = engine.register({ address, ...handlers });
        if (r.ok) probes.push(r.probe);
      }
      assert.ok(probes.length > 0, `${where}: every probe was refused`);
      run.machine.run(LIMIT);
      assert.deepEqual(engine.errors, [], where);
      assert.equal(run.status(), expectedStatus, `${where}: exit status`);
      assert.equal(run.output(), expectedOutput, `${where}: output`);
      for (const p of probes) {
        assert.equal(p.nhit, executions.get(p.address) ?? 0, `${where}: nhit at 0x${p.address.toString(16)}`);
        assert.equal(p.nmissed, 0, `${where}: nmissed at 0x${p.address.toString(16)}`);
        hits += p.nhit;
      }
    }
    assert.ok(hits > 0, `${name}: no probe was hit`);
  });
}
