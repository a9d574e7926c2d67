// Runs one static i386 program in lockstep on the real CPU (through lockstep-tracer.c) and in our
// emulator, and compares the registers, EFLAGS (minus the flags the opcode table marks undefined)
// and every byte the emulator wrote, after every instruction. The emulator runs a chunk ahead and
// streams what it expects after each step (registers, flag mask, written bytes); the tracer steps
// the real program over the same chunk, compares in C and answers once per chunk. Syscalls, cpuid
// and rdtsc are kept in sync by lockstep-syscall-policy.ts.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decode, formatAtt } from '../../server/src/isa';
import { loadStaticElf, type Machine } from '../../server/src/cpu';
import {
  ALL_REGISTERS, ExpectationChunk, LockstepTracer, TRACE_REGISTER_NAMES, type ChunkReply,
} from './lockstep-tracer-client';
import {
  DETERMINISTIC_SYSCALLS, MMAP_SYSCALLS, SYSCALL_NAMES, kernelWrittenBuffer, type SyncKind,
} from './lockstep-syscall-policy';

/** CF PF AF ZF SF TF IF DF OF, AC and ID: the EFLAGS bits a user program can see change. */
const COMPARED_FLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x40000 | 0x200000;
const STATUS_FLAGS = 0x8d5;

export interface LockstepOptions {
  tracer: string;
  program: string;
  args: string[];
  /** Stop after this many instructions even if the program has not ended. */
  maxSteps: number;
  chunkSize?: number;
}

export interface Divergence {
  step: number;
  eip: number;
  bytes: string;
  text: string;
  registers: Array<{ name: string; native: number; emulator: number }>;
  memory: Array<{ address: number; native: string; emulator: string }>;
  note: string;
  /** The instructions before it, oldest first. */
  history: string[];
}

export interface LockstepResult {
  program: string;
  compared: number;
  /** The program ran to its exit on both sides within maxSteps. */
  finished: boolean;
  divergence: Divergence | null;
  syscalls: Map<string, number>;
  nativeStdout: string;
  emulatorStdout: string;
  seconds: number;
}

interface DecodedFacts {
  text: string;
  bytes: string;
  undefinedFlags: number;
  writtenFlags: number;
  sync: SyncKind | null;
}

export const hex = (v: number): string => '0x' + (v >>> 0).toString(16);

/** One chunk the emulator ran ahead: per step its eip and the encoded expectations. */
interface EmulatorChunk {
  startStep: number;
  eips: number[];
  expected: ExpectationChunk;
  /** The chunk's last step needs the native side's help (syscall, cpuid, rdtsc). */
  sync: SyncKind | null;
  /** Registers before the sync step (syscall number and arguments). */
  syncBefore: Uint32Array | null;
  /** The emulator stopped: exited (exitStatus set) or raised an exception nobody handled. */
  stop: { exited: boolean; message: string } | null;
  /** The flags compared at the sync step, after synchronize(). */
  syncFlagMask: number;
}

function machineRegs(m: Machine): Uint32Array {
  const r = m.regs;
  return Uint32Array.of(m.eip, r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!, r[6]!, r[7]!, m.eflags);
}

export async function runLockstep(options: LockstepOptions): Promise<LockstepResult> {
  const started = Date.now();
  const chunkSize = options.chunkSize ?? 4096;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kboost-lockstep-'));
  const nativeOut = path.join(workDir, 'stdout');
  const env = { LC_ALL: 'C', PATH: '/usr/bin:/bin' };
  const envList = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const tracer = new LockstepTracer(options.tracer, options.program, options.args, env, nativeOut);
  const syscalls = new Map<string, number>();
  const emulatorStdout: Uint8Array[] = [];
  const result: LockstepResult = {
    program: path.basename(options.program), compared: 0, finished: false, divergence: null, syscalls,
    nativeStdout: '', emulatorStdout: '', seconds: 0,
  };
  try {
    const loaded = loadStaticElf(new Uint8Array(fs.readFileSync(options.program)), [options.program, ...options.args], envList, {
      stdout: (b) => emulatorStdout.push(b.slice()),
    });
    if ('error' in loaded) throw new Error(`the emulator could not load ${options.program}: ${loaded.error}`);
    const { machine, linux } = loaded;
    await copyNativeStartState(tracer, machine);

    const facts = new Map<number, DecodedFacts>();
    const history: number[] = [];
    let step = 0;
    let stickyUndefined = 0;
    const factsAt = (eip: number): DecodedFacts => {
      let f = facts.get(eip);
      if (f === undefined) {
        f = decodeFacts(machine, eip);
        facts.set(eip, f);
      }
      return f;
    };

    const runChunk = (): EmulatorChunk => {
      const chunk: EmulatorChunk = {
        startStep: step, eips: [], expected: new ExpectationChunk(), sync: null, syncBefore: null, stop: null, syncFlagMask: 0,
      };
      const out = chunk.expected;
      while (chunk.eips.length < chunkSize && step + chunk.eips.length < options.maxSteps) {
        const eip = machine.eip;
        const f = factsAt(eip);
        if (f.sync !== null && chunk.eips.length > 0) break;
        const before = f.sync !== null ? machineRegs(machine) : null;
        const r = machine.step();
        chunk.eips.push(eip);
        // The flags compared: not the ones this instruction leaves undefined, nor the ones an
        // earlier instruction left undefined and nothing has written since.
        const flagMask = COMPARED_FLAGS & ~stickyUndefined & ~f.undefinedFlags;
        stickyUndefined = (stickyUndefined & ~f.writtenFlags) | f.undefinedFlags;
        // A sync step's registers are compared here after synchronize(), not by the tracer.
        const regMask = f.sync !== null ? 0 : ALL_REGISTERS;
        out.beginStep(machine.eip, machine.regs, machine.eflags, f.sync !== null ? 0 : flagMask, regMask);
        if (f.sync !== null) chunk.syncFlagMask = flagMask;
        if (r.kind !== 'executed') {
          const exited = linux.exitStatus !== null;
          const message = exited ? `exit ${linux.exitStatus}` : r.kind === 'exception' ? r.exception.message : r.kind;
          chunk.stop = { exited, message };
          break;
        }
        if (r.exception !== null && !(f.sync === 'syscall' && r.exception.vector === 0x80)) {
          chunk.stop = { exited: false, message: r.exception.message };
        }
        const writes = machine.lastWrites();
        for (let k = 0; k < writes.length && k < 255; k++) {
          const { address, size } = writes[k]!;
          const b = machine.memory.readBytes(address, size);
          out.addRange(address, b instanceof Uint8Array ? b : new Uint8Array(size).fill(0xff));
        }
        if (f.sync !== null) {
          chunk.sync = f.sync;
          chunk.syncBefore = before;
          break;
        }
        if (chunk.stop) break;
      }
      return chunk;
    };

    let chunk = runChunk();
    while (chunk.eips.length > 0) {
      tracer.sendChunk(chunk.expected);
      // Pipelining: the emulator runs the next chunk while the tracer steps this one, unless the
      // next chunk depends on what the native side returns.
      let next: EmulatorChunk | null = null;
      const mayRunAhead = chunk.sync === null && chunk.stop === null;
      if (mayRunAhead) {
        step += chunk.eips.length;
        next = runChunk();
      }
      const reply = await tracer.receiveChunk(chunk.expected);
      const outcome = await settleChunk(chunk, reply);
      if (outcome !== 'continue') break;
      if (!mayRunAhead) step += chunk.eips.length;
      if (step >= options.maxSteps) break;
      chunk = next ?? runChunk();
    }

    /** Steps from..to-1 of the chunk agreed. */
    function agreed(c: EmulatorChunk, from: number, to: number): void {
      for (let i = Math.max(from, to - 8); i < to; i++) {
        history.push(c.eips[i]!);
        if (history.length > 8) history.shift();
      }
      result.compared = c.startStep + to;
    }

    /** Acts on the tracer's verdict for one chunk: the first difference, the end, or a sync step. */
    async function settleChunk(c: EmulatorChunk, reply: ChunkReply): Promise<'continue' | 'stop'> {
      const last = c.eips.length - 1;
      const at = reply.outcome === 'agreed' ? last : reply.count;
      agreed(c, 0, at);
      const stepNumber = c.startStep + at;
      const eip = c.eips[at]!;
      if (reply.outcome === 'ended') {
        // The native program ended here: the emulator must have ended at the same instruction.
        const status = reply.exitStatus;
        const nativeCode = (status & 0x7f) === 0 ? (status >> 8) & 0xff : -1;
        if (at === last && c.stop?.exited && linux.exitStatus === nativeCode) {
          result.finished = true;
          result.compared = stepNumber + 1;
          return 'stop';
        }
        fail(stepNumber, eip, [], [], `the native program ended here (wait status ${hex(status)}) but the emulator ${c.stop ? `stopped: ${c.stop.message}` : 'went on'}`);
        return 'stop';
      }
      if (at === last && c.stop) {
        fail(stepNumber, eip, [], [], `the emulator stopped here (${c.stop.message}) but the native program went on`);
        return 'stop';
      }
      const expected = c.expected.step(at);
      const e = expected.regs;
      let skipRegs = 0; // bit k: do not compare register k (results adopted from the other side)
      let flagMask = expected.flagMask;
      if (reply.outcome === 'agreed' && c.sync !== null) {
        skipRegs = await synchronize(c, reply.regs, e);
        flagMask = c.syncFlagMask;
      }
      const registers: Divergence['registers'] = [];
      for (let k = 0; k < 9; k++) {
        if (skipRegs & (1 << k)) continue;
        if (reply.regs[k] !== e[k]) registers.push({ name: TRACE_REGISTER_NAMES[k]!, native: reply.regs[k]!, emulator: e[k]! });
      }
      if (((reply.regs[9]! ^ e[9]!) & flagMask) !== 0) registers.push({ name: 'eflags', native: reply.regs[9]! & flagMask, emulator: e[9]! & flagMask });
      const memory: Divergence['memory'] = [];
      expected.probes.forEach((p, k) => {
        const nb = reply.bytes[k] ?? null;
        const eb = expected.bytes[k]!;
        if (nb === null || !sameBytes(nb, eb)) memory.push({ address: p.address, native: nb ? toHex(nb) : 'unreadable', emulator: toHex(eb) });
      });
      if (registers.length || memory.length || reply.outcome === 'differs') {
        fail(stepNumber, eip, registers, memory, registers.length || memory.length ? '' : 'the tracer saw a difference the report cannot name');
        return 'stop';
      }
      agreed(c, at, at + 1);
      return 'continue';
    }

    /** The sync step: one side's result wins (see lockstep-syscall-policy.ts). */
    async function synchronize(c: EmulatorChunk, nativeRegs: Uint32Array, e: Uint32Array): Promise<number> {
      const EAX = 1, ECX = 2, EDX = 3, EBX = 4;
      if (c.sync === 'cpuid' || c.sync === 'rdtsc') {
        await tracer.setRegisters(e);
        nativeRegs.set(e);
        return 0;
      }
      const before = c.syncBefore!;
      const number = before[EAX]!;
      const name = SYSCALL_NAMES[number] ?? `syscall ${number}`;
      syscalls.set(name, (syscalls.get(name) ?? 0) + 1);
      if (DETERMINISTIC_SYSCALLS.has(number)) return 0;
      const nativeResult = nativeRegs[EAX]!;
      if (MMAP_SYSCALLS.has(number) && nativeResult < 0xfffff000 && nativeResult !== e[EAX]) {
        const length = number === 192 ? before[ECX]! : await oldMmapLength(before[EBX]!);
        machine.memory.map(nativeResult, Math.ceil(length / 4096) * 4096, 'rw');
      }
      const buffer = kernelWrittenBuffer(number, {
        ebx: before[EBX]!, ecx: before[ECX]!, edx: before[EDX]!, esi: before[7]!, edi: before[8]!,
      }, nativeResult | 0);
      if (buffer !== null) {
        const bytes = await tracer.readMemory(buffer[0], buffer[1]);
        if (bytes !== null) machine.memory.writeBytes(buffer[0], bytes);
      }
      machine.setRegisters({ eax: nativeResult });
      e[EAX] = nativeResult;
      return 1 << EAX;
    }

    async function oldMmapLength(block: number): Promise<number> {
      const b = machine.memory.readBytes(block + 4, 4);
      return b instanceof Uint8Array ? new DataView(b.buffer, b.byteOffset).getUint32(0, true) : 4096;
    }

    function fail(stepNumber: number, eip: number, registers: Divergence['registers'], memory: Divergence['memory'], note: string): void {
      const f = factsAt(eip);
      result.divergence = {
        step: stepNumber, eip, bytes: f.bytes, text: f.text, registers, memory, note,
        history: history.map((a) => `${hex(a)}: ${factsAt(a).text}`),
      };
    }

    if (result.finished) {
      result.nativeStdout = fs.readFileSync(nativeOut, 'utf8');
      result.emulatorStdout = Buffer.concat(emulatorStdout).toString('utf8');
    }
  } finally {
    tracer.close();
    fs.rmSync(workDir, { recursive: true, force: true });
    result.seconds = (Date.now() - started) / 1000;
  }
  return result;
}

/** The emulator starts from the native start state: registers and the whole initial stack. */
async function copyNativeStartState(tracer: LockstepTracer, machine: Machine): Promise<void> {
  const { regs, stackAddress, stack } = await tracer.initialState();
  const end = stackAddress + stack.length;
  const low = Math.max(0, end - 1024 * 1024);
  machine.memory.map(low, end - low, 'rw');
  machine.memory.writeBytes(stackAddress, stack);
  machine.setRegisters({
    eip: regs[0]!, eax: regs[1]!, ecx: regs[2]!, edx: regs[3]!, ebx: regs[4]!, esp: regs[5]!, ebp: regs[6]!, esi: regs[7]!, edi: regs[8]!,
    eflags: regs[9]!,
  });
}

function decodeFacts(machine: Machine, eip: number): DecodedFacts {
  let bytes: Uint8Array = new Uint8Array(0);
  for (let n = 15; n > 0; n--) {
    const b = machine.memory.readBytes(eip, n);
    if (b instanceof Uint8Array) {
      bytes = b;
      break;
    }
  }
  const insn = decode(bytes, 0, eip);
  const raw = bytes.subarray(0, insn.length);
  const entry = insn.entry;
  let sync: SyncKind | null = null;
  if (insn.mnemonic === 'int' && raw[raw.length - 1] === 0x80) sync = 'syscall';
  else if (insn.mnemonic === 'cpuid') sync = 'cpuid';
  else if (insn.mnemonic === 'rdtsc') sync = 'rdtsc';
  return {
    text: insn.valid ? formatAtt(insn) : `(bad: ${insn.error ?? 'invalid'})`,
    bytes: toHex(raw, ' '),
    undefinedFlags: entry ? entry.flagsUndefined & STATUS_FLAGS : 0,
    writtenFlags: entry ? entry.flagsWritten : 0,
    sync,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(bytes: Uint8Array, separator = ''): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(separator);
}

/** The divergence as a block of text the emulator's author can act on. */
export function formatDivergence(program: string, d: Divergence): string {
  const lines = [`${program}: first divergence at instruction ${d.step} (0-based), eip ${hex(d.eip)}: ${d.bytes}  ${d.text}`];
  if (d.note) lines.push(`  ${d.note}`);
  for (const r of d.registers) lines.push(`  ${r.name.padEnd(6)} native ${hex(r.native).padEnd(11)} emulator ${hex(r.emulator)}`);
  for (const m of d.memory) lines.push(`  mem ${hex(m.address)} native ${m.native} emulator ${m.emulator}`);
  if (d.history.length) lines.push('  preceded by:', ...d.history.map((h) => `    ${h}`));
  return lines.join('\n');
}
