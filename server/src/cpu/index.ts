// Public face of the i386 emulator (flat 32-bit protected mode, ring 0). It knows nothing of
// kprobes or protocols.
//
//   const m = new Machine({ ioPort });            // ioPort: { read(port, size), write(port, size, value) }
//   m.memory.map(0x1000, 0x1000, 'rwx');           // sparse 4 KiB pages; writeBytes/readBytes never throw
//   m.memory.writeBytes(0x1000, bytes);            // drops decoded code on the page (self-modifying code)
//   m.setRegisters({ eip: 0x1000, esp: 0x2000 });  // CpuRegisters: unsigned 32-bit numbers
//   m.segmentBase.fs = 0x...;                      // fs/gs bases (per-CPU data, TLS); other bases are 0
//   m.step();      // one instruction, or one iteration of a rep string instruction (like hardware
//                  // single-step); returns { kind: 'executed', exception } | halt | exception
//   m.run(limit);  // whole rep instructions; stops at hostBreakpoints (not before the first
//                  // instruction), hlt, an exception no handler resumed, or after `limit` instructions.
//                  // Hot code runs as compiled blocks (block-compiler.ts) with the same results;
//                  // new Machine({ compileBlocks: false }) keeps the interpreter alone.
//   m.lastWrites();                  // [{ address, size }] written by the last step()
//   m.lastOverwritten();             // the same with the values they replaced (stepping back)
//   m.snapshot() / m.restore(s);     // the complete state, memory included
//   m.setExceptionHandler((machine, exception) => 'resume' | 'stop');
//
// Exceptions (CpuException) follow the SDM: faults (#DE #BR #UD #PF) report the faulting
// instruction's EIP and leave EIP there; traps (#DB single-step, int3 #BP, into #OF, int n) report
// and leave EIP at the next instruction. #PF sets CR2 (machine.control[2]). A TF single-step trap
// follows every instruction that began with TF set; mov ss / pop ss hold it back one instruction.
// No IDT is emulated: every exception goes to the handler, which may change state and resume.
// #GP is never raised: segment limits, descriptors and privilege levels are not modelled.
// DR0-DR3 under DR7 give data breakpoints (#DB traps) and instruction breakpoints (#DB faults).
//
// Loaders: loadStaticElf(bytes, argv, env, { stdout, stderr, stdin }) -> { machine, linux } | { error }
// installs the Linux int $0x80 layer (linux.exitStatus is set when the program exits; run() then
// stops with the exit's exception); loadImage(machine, image, { base }) places an assembler Image.
// Handlers are chosen per OpcodeEntry.id from the execute-*.ts families (dispatch-table.ts); an
// entry without one raises #UD "not emulated: <mnemonic> at 0x<address>".

export { Machine, hex } from './machine';
export type { MachineSnapshot, MachineOptions, MachineExceptionHandler } from './machine';
export { PagedMemory, PAGE_SIZE, PERM_READ, PERM_WRITE, PERM_EXECUTE } from './paged-memory';
export type {
  CpuRegisters, CpuException, ExceptionHandler, HandlerDecision, PortHandler, RunResult, StepResult, StopReason,
} from './cpu-events';
export { VECTOR, VECTOR_NAMES, GENERAL_REGISTER_NAMES } from './cpu-events';
export * as EFLAGS from './eflags-bits';
export { loadStaticElf } from './static-elf-loader';
export type { LoadedProgram } from './static-elf-loader';
export { LinuxSyscalls } from './linux-syscalls';
export { loadImage } from './image-loader';
export type { ImageLoadOptions, LoadedImage } from './image-loader';
export type { LinuxSyscallsOptions } from './linux-syscalls';
