// The CPU's edge: register file shape, the typed exception events handed to a handler, and what
// step() and run() return. Nothing here knows about kprobes or any protocol.

/** The general registers, EIP and EFLAGS, each an unsigned 32-bit number. */
export interface CpuRegisters {
  eax: number; ecx: number; edx: number; ebx: number;
  esp: number; ebp: number; esi: number; edi: number;
  eip: number; eflags: number;
}

/** Register names in encoding order (the order of the ModRM reg field). */
export const GENERAL_REGISTER_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

/** Architectural exception vectors the emulator raises. */
export const VECTOR = {
  DE: 0, DB: 1, NMI: 2, BP: 3, OF: 4, BR: 5, UD: 6, NM: 7, DF: 8, NP: 11, GP: 13, PF: 14, MF: 16,
} as const;

export const VECTOR_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 11: '#NP', 13: '#GP', 14: '#PF', 16: '#MF',
};

/**
 * One exception or software interrupt, as the SDM defines it. `eip` is the EIP the CPU would
 * push: the faulting instruction for faults, the next instruction for traps and `int n`.
 */
export type CpuException =
  | { kind: 'fault'; vector: 0 | 5 | 6 | 7 | 11 | 13 | 16; name: string; eip: number; instructionAddress: number; errorCode: number; message: string }
  | { kind: 'page-fault'; vector: 14; name: '#PF'; eip: number; instructionAddress: number; errorCode: number; cr2: number; message: string }
  /**
   * #DB: single-step (DR6 bit 14), data breakpoint (DR6 bits 0-3) or int1 are traps (eip is the
   * next instruction); an instruction breakpoint (DR7 RW=00) is a fault (eip is the instruction).
   */
  | { kind: 'debug'; vector: 1; name: '#DB'; eip: number; instructionAddress: number; dr6: number; cause: 'single-step' | 'data-breakpoint' | 'instruction-breakpoint' | 'int1'; message: string }
  /** int3 (#BP), into (#OF) and int n: traps, eip is the next instruction. */
  | { kind: 'software-interrupt'; vector: number; name: string; eip: number; instructionAddress: number; message: string };

/** What an exception handler decides: resume at the (possibly changed) state, or stop the run. */
export type HandlerDecision = 'resume' | 'stop';

/** The hook the kprobe engine and the Linux layer implement. It may change any machine state. */
export type ExceptionHandler<M = unknown> = (machine: M, exception: CpuException) => HandlerDecision;

/** Why step() or run() returned. */
export type StopReason =
  | { kind: 'limit' }
  | { kind: 'breakpoint'; eip: number }
  | { kind: 'halt'; eip: number }
  /** An exception no handler took (or the handler returned 'stop'). */
  | { kind: 'exception'; exception: CpuException; handled: boolean };

/** step(): 'executed' when one instruction (or one rep iteration) ran, else why it could not. */
export type StepResult = { kind: 'executed'; exception: CpuException | null } | Exclude<StopReason, { kind: 'limit' } | { kind: 'breakpoint' }>;

export interface RunResult {
  stop: StopReason;
  /** Instructions executed by this call. */
  executed: number;
}

/** I/O port callback for in/out/ins/outs. `value` is present for writes; reads return the value. */
export interface PortHandler {
  read(port: number, size: 1 | 2 | 4): number;
  write(port: number, size: 1 | 2 | 4, value: number): void;
}
