// Loads a static ELF32 i386 executable into a fresh Machine the way Linux execve does: PT_LOAD
// segments with their permissions, a stack with argc/argv/envp/auxv (AT_PHDR for the TLS image,
// AT_RANDOM for the stack guard), and the Linux int $0x80 layer installed as exception handler.

import { readElf32 } from '../binfmt/elf32-reader';
import { LinuxSyscalls, alignUp, type LinuxSyscallsOptions } from './linux-syscalls';
import { Machine } from './machine';
import { PAGE_SIZE } from './paged-memory';
import { CPUID_FEATURES_EDX } from './execute-system';

export interface LoadedProgram {
  machine: Machine;
  linux: LinuxSyscalls;
}

const PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6;
const STACK_TOP = 0xc0000000;
const STACK_SIZE = 8 * 1024 * 1024;

export function loadStaticElf(
  bytes: Uint8Array, argv: string[], env: string[], options: LinuxSyscallsOptions = {},
): LoadedProgram | { error: string } {
  const parsed = readElf32(bytes);
  const file = parsed.value;
  if (file === null) return { error: parsed.errors[0] ?? 'not an ELF32 file' };
  if (file.kind !== 'executable') return { error: `not a static executable (ELF type ${file.kind})` };
  if (file.programHeaders.some((p) => p.type === PT_INTERP)) return { error: 'dynamically linked executables are not supported: link with -static' };
  const loads = file.programHeaders.filter((p) => p.type === PT_LOAD);
  if (loads.length === 0) return { error: 'the executable has no loadable segment' };

  const machine = new Machine();
  // Pages shared by two segments get the union of their permissions.
  const pagePerms = new Map<number, string>();
  for (const ph of loads) {
    const perms = (ph.flags & 4 ? 'r' : '') + (ph.flags & 2 ? 'w' : '') + (ph.flags & 1 ? 'x' : '');
    for (let a = ph.virtualAddress & ~(PAGE_SIZE - 1); a < ph.virtualAddress + ph.memorySize; a += PAGE_SIZE) {
      pagePerms.set(a, (pagePerms.get(a) ?? '') + perms);
    }
  }
  for (const [address, perms] of pagePerms) machine.memory.map(address, PAGE_SIZE, perms);
  let end = 0;
  for (const ph of loads) {
    if (ph.offset + ph.fileSize > bytes.length) return { error: 'a segment extends past the end of the file' };
    machine.memory.writeBytes(ph.virtualAddress, bytes.subarray(ph.offset, ph.offset + ph.fileSize));
    end = Math.max(end, ph.virtualAddress + ph.memorySize);
  }
  const phdrHeader = file.programHeaders.find((p) => p.type === PT_PHDR);
  const firstLoad = loads.find((p) => p.offset === 0) ?? loads[0]!;
  const phdr = phdrHeader ? phdrHeader.virtualAddress : firstLoad.virtualAddress - firstLoad.offset + file.header.programHeaderOffset;

  const linux = new LinuxSyscalls(machine, alignUp(end), options);
  machine.setExceptionHandler(linux.handle);
  machine.memory.map(STACK_TOP - STACK_SIZE, STACK_SIZE, 'rw');
  const esp = buildStack(machine, argv, env, [
    [3, phdr], [4, file.header.programHeaderEntrySize], [5, file.header.programHeaderCount], [6, PAGE_SIZE],
    [7, 0], [8, 0], [9, file.header.entry], [11, 1000], [12, 1000], [13, 1000], [14, 1000],
    [16, CPUID_FEATURES_EDX], [17, 100], [23, 0],
  ]);
  machine.setRegisters({ eip: file.header.entry, esp, eflags: 0x202 });
  // The selectors a 32-bit process sees under an x86-64 kernel (the host the lockstep tests run
  // on): __USER32_CS and __USER_DS; an i386 kernel would show 0x73 and 0x7b.
  machine.segments.set([0x2b, 0x23, 0x2b, 0x2b, 0, 0]);
  return { machine, linux };
}

/** Writes strings, AT_RANDOM bytes, auxv, envp, argv and argc; returns the initial ESP. */
function buildStack(machine: Machine, argv: string[], env: string[], auxv: Array<[number, number]>): number {
  const encoder = new TextEncoder();
  let top = STACK_TOP - 16;
  const place = (data: Uint8Array): number => {
    top -= data.length;
    machine.memory.writeBytes(top, data);
    return top;
  };
  const strings = (list: string[]): number[] => list.map((s) => place(encoder.encode(s + '\0')));
  const execfn = place(encoder.encode((argv[0] ?? 'program') + '\0'));
  const envAddresses = strings(env);
  const argAddresses = strings(argv);
  const platform = place(encoder.encode('i686\0'));
  const random = place(Uint8Array.from({ length: 16 }, (_, k) => (k * 37 + 11) & 0xff));
  const words: number[] = [argv.length, ...argAddresses, 0, ...envAddresses, 0];
  for (const [key, value] of [...auxv, [15, platform], [25, random], [31, execfn], [0, 0]] as Array<[number, number]>) words.push(key, value);
  let esp = (top - words.length * 4) & ~15;
  const block = new Uint8Array(words.length * 4);
  const view = new DataView(block.buffer);
  words.forEach((w, k) => view.setUint32(4 * k, w >>> 0, true));
  machine.memory.writeBytes(esp, block);
  return esp >>> 0;
}
