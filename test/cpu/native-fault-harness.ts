// A differential harness for instructions that fault in user mode: one tiny static i386 program
// (no libc) per instruction sets every register to a known value, runs the instruction, and, on
// the real CPU, its SIGSEGV/SIGILL handler writes the kernel's sigcontext (trap number, error code,
// EIP and the registers at the fault) and the signal number to stdout. The same ELF runs on the
// emulator, whose run stops at the exception: vector, error code, EIP and registers must agree.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { loadStaticElf } from '../../server/src/cpu';
import { buildStaticProgram } from './native-snippet-harness';

/** The registers the program sets before the instruction (ESP: the top of its own stack). */
export const FAULT_SETUP = { eax: 0x11111111, ecx: 0x22222222, edx: 0x00000080, ebx: 0x44444444, ebp: 0x55555555 };

export interface FaultReport {
  vector: number;
  errorCode: number;
  eip: number;
  /** eax ecx edx ebx esp ebp esi edi at the fault. */
  registers: number[];
  /** EFLAGS at the fault, RF masked (the CPU sets it in the image a fault pushes). */
  eflags: number;
  /** Native only: the signal the kernel sent. */
  signal?: number;
}

function programSource(instruction: string): string {
  // rt_sigaction(sig, {handler, SA_SIGINFO, no restorer, empty mask}, NULL, 8) for SIGSEGV and SIGILL.
  const sigaction = (signal: number): string => `
  mov $174, %eax
  mov $${signal}, %ebx
  mov $action, %ecx
  xor %edx, %edx
  mov $8, %esi
  int $0x80`;
  const setup = Object.entries(FAULT_SETUP).map(([r, v]) => `  mov $0x${v.toString(16)}, %${r}`).join('\n');
  return `
.globl _start
.text
_start:${sigaction(11)}${sigaction(4)}
  mov $stack_top, %esp
${setup}
  mov $data, %esi
  mov $data, %edi
faulting:
  ${instruction}
  mov $1, %eax
  mov $3, %ebx
  int $0x80
# handler(signal, siginfo, ucontext): the sigcontext is at offset 20 of the ucontext.
handler:
  mov 4(%esp), %eax
  mov %eax, signal
  mov 12(%esp), %ecx
  add $20, %ecx
  mov $4, %eax
  mov $1, %ebx
  mov $88, %edx
  int $0x80
  mov $4, %eax
  mov $1, %ebx
  mov $signal, %ecx
  mov $4, %edx
  int $0x80
  mov $1, %eax
  xor %ebx, %ebx
  int $0x80
.data
action: .long handler, 4, 0, 0, 0
signal: .long 0
data: .fill 64, 1, 0
.bss
.balign 16
stack: .fill 65536, 1, 0
stack_top:
`;
}

/** Builds the program for one instruction; returns its path, or the assembler's message. */
export function buildFaultProgram(dir: string, name: string, instruction: string): string | { error: string } {
  return buildStaticProgram(dir, name, programSource(instruction));
}

const RF = 0x10000;

/** struct sigcontext (i386): gs fs es ds edi esi ebp esp ebx edx ecx eax trapno err eip cs eflags ... */
export function runNativeFault(exe: string): FaultReport | { error: string } {
  const r = spawnSync(exe, [], { maxBuffer: 1 << 16 });
  if (r.status !== 0) return { error: `native run ended with status ${r.status} signal ${r.signal} (no fault?)` };
  const out = new Uint8Array(r.stdout);
  if (out.length !== 92) return { error: `native run wrote ${out.length} bytes` };
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const word = (k: number): number => view.getUint32(4 * k, true);
  return {
    vector: word(12), errorCode: word(13), eip: word(14), eflags: word(16) & ~RF, signal: word(22),
    registers: [word(11), word(10), word(9), word(8), word(7), word(6), word(5), word(4)],
  };
}

export function runEmulatedFault(exe: string): FaultReport | { error: string } {
  const loaded = loadStaticElf(new Uint8Array(fs.readFileSync(exe)), [exe], [], { stdout: () => undefined });
  if ('error' in loaded) return loaded;
  const r = loaded.machine.run(1000);
  if (r.stop.kind !== 'exception') return { error: `emulation stopped without an exception: ${JSON.stringify(r.stop)}` };
  const e = r.stop.exception;
  const g = loaded.machine.getRegisters();
  return {
    vector: e.vector, errorCode: 'errorCode' in e ? e.errorCode : -1, eip: e.eip, eflags: g.eflags & ~RF,
    registers: [g.eax, g.ecx, g.edx, g.ebx, g.esp, g.ebp, g.esi, g.edi],
  };
}
