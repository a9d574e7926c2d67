// Drives native/lockstep-tracer.c from Node: starts a 32-bit program under ptrace, asks for its
// initial state, steps it in chunks (reading the memory the emulator wrote after each step) and
// hands it the emulator's cpuid results. The binary protocol is described in the C file's header.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** eip eax ecx edx ebx esp ebp esi edi eflags, as the tracer sends them. */
export const TRACE_REGISTER_NAMES = ['eip', 'eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eflags'] as const;
export type TraceRegisters = Uint32Array; // length 10, in TRACE_REGISTER_NAMES order

export interface MemoryProbe {
  address: number;
  size: number;
}

export interface NativeStep {
  regs: TraceRegisters;
  /** The bytes at each probe after the step (null when the tracer could not read them). */
  bytes: Array<Uint8Array | null>;
}

export interface NativeChunk {
  steps: NativeStep[];
  /** The wait status when the program ended during the chunk, else null. */
  exitStatus: number | null;
}

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

  /** Sends a chunk of steps with the memory to read after each; await the reply with receiveSteps. */
  sendSteps(probes: MemoryProbe[][]): void {
    let size = 5;
    for (const p of probes) size += 1 + 6 * p.length;
    const b = Buffer.alloc(size);
    b.write('S', 0, 'latin1');
    b.writeUInt32LE(probes.length, 1);
    let at = 5;
    for (const p of probes) {
      b[at++] = p.length;
      for (const { address, size: n } of p) {
        b.writeUInt32LE(address >>> 0, at);
        b.writeUInt16LE(n, at + 4);
        at += 6;
      }
    }
    this.child.stdin.write(b);
  }

  async receiveSteps(probes: MemoryProbe[][]): Promise<NativeChunk> {
    const steps: NativeStep[] = [];
    for (const p of probes) {
      const letter = (await this.queue.take(1)).toString('latin1');
      if (letter === 'X') return { steps, exitStatus: (await this.queue.take(4)).readUInt32LE(0) };
      if (letter !== 'R') throw new Error(`lockstep tracer: unexpected record '${letter}' ${this.stderr}`);
      const regs = readRegs(await this.queue.take(40), 0);
      const bytes: Array<Uint8Array | null> = [];
      for (const { size } of p) {
        const b = await this.queue.take(1 + size);
        bytes.push(b[0] === 1 ? new Uint8Array(b.subarray(1)) : null);
      }
      steps.push({ regs, bytes });
    }
    return { steps, exitStatus: null };
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
