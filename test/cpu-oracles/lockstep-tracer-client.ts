// Drives native/lockstep-tracer.c from Node: starts a 32-bit program under ptrace, asks for its
// initial state, streams chunks of expected steps (registers, flag mask, the bytes the emulator
// wrote) that the tracer steps and compares in C, and hands it the emulator's cpuid results.
// The binary protocol is described in the C file's header.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** eip eax ecx edx ebx esp ebp esi edi eflags, as the tracer sends them. */
export const TRACE_REGISTER_NAMES = ['eip', 'eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eflags'] as const;
export type TraceRegisters = Uint32Array; // length 10, in TRACE_REGISTER_NAMES order

export interface MemoryProbe {
  address: number;
  size: number;
}

/** One step's expectations as encoded in a chunk (decoded again only for a divergence report). */
export interface ExpectedStep {
  regs: TraceRegisters;
  flagMask: number;
  /** Bit k: the tracer compares register k (TRACE_REGISTER_NAMES order, eflags excluded). */
  regMask: number;
  probes: MemoryProbe[];
  bytes: Uint8Array[];
}

/** All registers but eflags, which the flag mask covers. */
export const ALL_REGISTERS = 0x1ff;

/**
 * The 'S' command under construction: per step the expected registers, the flag mask, the
 * register mask and the written ranges with their expected bytes, in one growing buffer.
 */
export class ExpectationChunk {
  buffer = Buffer.alloc(1 << 20);
  length = 5;
  steps = 0;
  /** Byte offset of each step's record, for decoding it back. */
  readonly offsets: number[] = [];
  private rangeCountAt = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const bigger = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }

  /** Starts a step: registers eip eax ecx edx ebx esp ebp esi edi eflags. */
  beginStep(eip: number, gpr: ArrayLike<number>, eflags: number, flagMask: number, regMask: number): void {
    this.reserve(51);
    const b = this.buffer;
    this.offsets.push(this.length);
    let at = this.length;
    b.writeUInt32LE(eip >>> 0, at);
    for (let k = 0; k < 8; k++) b.writeUInt32LE(gpr[k]! >>> 0, at + 4 + 4 * k);
    b.writeUInt32LE(eflags >>> 0, at + 36);
    b.writeUInt32LE(flagMask >>> 0, at + 40);
    b.writeUInt16LE(regMask, at + 44);
    b[at + 46] = 0;
    this.rangeCountAt = at + 46;
    this.length = at + 47;
    this.steps++;
  }

  /** A range the emulator wrote in the current step, with the bytes it holds afterwards. */
  addRange(address: number, bytes: Uint8Array): void {
    this.reserve(6 + bytes.length);
    const b = this.buffer;
    b.writeUInt32LE(address >>> 0, this.length);
    b.writeUInt16LE(bytes.length, this.length + 4);
    b.set(bytes, this.length + 6);
    this.length += 6 + bytes.length;
    b[this.rangeCountAt]!++;
  }

  /** The encoded command, ready to send. */
  finish(): Buffer {
    this.buffer.write('S', 0, 'latin1');
    this.buffer.writeUInt32LE(this.steps, 1);
    return this.buffer.subarray(0, this.length);
  }

  step(index: number): ExpectedStep {
    const b = this.buffer;
    let at = this.offsets[index]!;
    const regs = new Uint32Array(10);
    for (let k = 0; k < 10; k++) regs[k] = b.readUInt32LE(at + 4 * k);
    const flagMask = b.readUInt32LE(at + 40);
    const regMask = b.readUInt16LE(at + 44);
    const count = b[at + 46]!;
    at += 47;
    const probes: MemoryProbe[] = [];
    const bytes: Uint8Array[] = [];
    for (let j = 0; j < count; j++) {
      const address = b.readUInt32LE(at);
      const size = b.readUInt16LE(at + 4);
      probes.push({ address, size });
      bytes.push(new Uint8Array(b.subarray(at + 6, at + 6 + size)));
      at += 6 + size;
    }
    return { regs, flagMask, regMask, probes, bytes };
  }
}

/** The tracer's answer to one chunk. */
export type ChunkReply =
  /** agreed: every step matched, `regs`/`bytes` are the last step's; differs: step `count` did not. */
  | { outcome: 'agreed' | 'differs'; count: number; regs: TraceRegisters; bytes: Array<Uint8Array | null> }
  /** The program ended instead of executing step `count`. */
  | { outcome: 'ended'; count: number; exitStatus: number };

/** Buffers the tracer's stdout and hands out exact byte counts. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiter: (() => void) | null = null;
  ended = false;

  push(data: Buffer): void {
    this.chunks.push(data);
    this.length += data.length;
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async take(n: number): Promise<Buffer> {
    while (this.length < n) {
      if (this.ended) throw new Error(`lockstep tracer ended while ${n} bytes were expected`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    return out;
  }
}

function readRegs(b: Buffer, at: number): Uint32Array {
  const regs = new Uint32Array(10);
  for (let k = 0; k < 10; k++) regs[k] = b.readUInt32LE(at + 4 * k);
  return regs;
}

export class LockstepTracer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue = new ByteQueue();
  private stderr = '';

  constructor(tracer: string, program: string, args: string[], env: Record<string, string>, childStdout: string) {
    this.child = spawn(tracer, ['--stdout', childStdout, program, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => this.queue.push(d));
    this.child.stdout.on('end', () => this.queue.end());
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('error', (e) => {
      this.stderr += String(e);
      this.queue.end();
    });
  }

  get errors(): string {
    return this.stderr;
  }

  private async expect(letter: string): Promise<void> {
    const b = await this.queue.take(1);
    if (b.toString('latin1') !== letter) throw new Error(`lockstep tracer: expected '${letter}', got 0x${b[0]?.toString(16)} ${this.stderr}`);
  }

  /** Registers at the program's first instruction and its stack from esp to the mapping's end. */
  async initialState(): Promise<{ regs: TraceRegisters; stackAddress: number; stack: Uint8Array }> {
    this.child.stdin.write('I');
    await this.expect('I');
    const head = await this.queue.take(48);
    const regs = readRegs(head, 0);
    const stackAddress = head.readUInt32LE(40);
    const length = head.readUInt32LE(44);
    const stack = new Uint8Array(await this.queue.take(length));
    return { regs, stackAddress, stack };
  }

  /** Sends a chunk of expectations; await the reply with receiveChunk. */
  sendChunk(chunk: ExpectationChunk): void {
    // The buffer is reused by nobody after this, so it can be handed over without a copy.
    this.child.stdin.write(chunk.finish());
  }

  async receiveChunk(chunk: ExpectationChunk): Promise<ChunkReply> {
    await this.expect('C');
    const head = await this.queue.take(5);
    const count = head.readUInt32LE(0);
    const code = head[4]!;
    if (code === 2) return { outcome: 'ended', count, exitStatus: (await this.queue.take(4)).readUInt32LE(0) };
    await this.expect('R');
    const regs = readRegs(await this.queue.take(40), 0);
    const reported = code === 0 ? chunk.steps - 1 : count;
    const bytes: Array<Uint8Array | null> = [];
    for (const { size } of chunk.step(reported).probes) {
      const b = await this.queue.take(1 + size);
      bytes.push(b[0] === 1 ? new Uint8Array(b.subarray(1)) : null);
    }
    return { outcome: code === 0 ? 'agreed' : 'differs', count, regs, bytes };
  }

  async readMemory(address: number, length: number): Promise<Uint8Array | null> {
    const b = Buffer.alloc(9);
    b.write('M', 0, 'latin1');
    b.writeUInt32LE(address >>> 0, 1);
    b.writeUInt32LE(length, 5);
    this.child.stdin.write(b);
    await this.expect('M');
    const reply = await this.queue.take(1 + length);
    return reply[0] === 1 ? new Uint8Array(reply.subarray(1)) : null;
  }

  async setRegisters(regs: TraceRegisters): Promise<void> {
    const b = Buffer.alloc(41);
    b.write('W', 0, 'latin1');
    for (let k = 0; k < 10; k++) b.writeUInt32LE(regs[k]! >>> 0, 1 + 4 * k);
    this.child.stdin.write(b);
    await this.expect('W');
  }

  /** Kills the traced program and the tracer. */
  close(): void {
    if (this.child.exitCode === null) {
      this.child.stdin.end('Q');
      this.child.kill('SIGKILL');
    }
  }
}
