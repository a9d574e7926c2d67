// How the lockstep harness keeps the emulator and the real CPU on the same path across the few
// instructions whose results come from outside the CPU. Decided once, here:
// - cpuid and rdtsc: the emulator's identity wins. The tracer writes the emulator's result
//   registers into the native program, so static glibc picks the same plain-integer string
//   functions on both sides (the host CPU has SSE2/AVX2, which the emulator does not emulate).
// - int $0x80 with a deterministic result (write, exit, brk, set_thread_area, ...): both sides
//   run it and the results must agree like any other register.
// - int $0x80 whose result depends on the host (uname, getrandom, clock, rlimits, ids, rseq...):
//   the kernel's result wins; the harness copies EAX and the bytes the kernel wrote (the buffers
//   below) into the emulator. mmap's native address is mapped in the emulator as well.

export type SyncKind = 'syscall' | 'cpuid' | 'rdtsc';

/** System calls whose results both sides must compute identically. */
export const DETERMINISTIC_SYSCALLS = new Set<number>([
  1, 252, // exit, exit_group
  3, // read (stdin is empty on both sides)
  4, 146, // write, writev
  6, // close
  45, // brk (the tracer disables address randomization, so the break starts at the same page)
  125, // mprotect
  243, // set_thread_area
]);

/** mmap and old_mmap: adopt the native address and map it in the emulator too. */
export const MMAP_SYSCALLS = new Set<number>([90, 192]);

/**
 * Buffers a host-dependent system call fills in: [address, length] from the registers before the
 * call (ebx ecx edx esi edi) and its result, or null when it writes no memory we model.
 */
export function kernelWrittenBuffer(
  number: number, args: { ebx: number; ecx: number; edx: number; esi: number; edi: number }, result: number,
): [number, number] | null {
  const ok = result >= 0 && result < 0x80000000;
  if (!ok) return null;
  switch (number) {
    case 122: return [args.ebx, 390]; // uname: struct new_utsname
    case 109: return [args.ebx, 325]; // olduname
    case 197: return [args.ecx, 96]; // fstat64: struct stat64
    case 195: case 196: return [args.ecx, 96]; // stat64, lstat64
    case 300: return [args.edx, 96]; // fstatat64
    case 383: return [args.edi, 256]; // statx
    case 85: return result > 0 ? [args.ecx, result] : null; // readlink
    case 305: return result > 0 ? [args.edx, result] : null; // readlinkat
    case 355: return result > 0 ? [args.ebx, result] : null; // getrandom
    case 191: case 76: return [args.ecx, 8]; // ugetrlimit, getrlimit
    case 340: return args.esi !== 0 ? [args.esi, 16] : null; // prlimit64: old limit
    case 265: return [args.ecx, 8]; // clock_gettime
    case 403: return [args.ecx, 16]; // clock_gettime64
    case 78: return args.ebx !== 0 ? [args.ebx, 8] : null; // gettimeofday
    case 13: return args.ebx !== 0 ? [args.ebx, 4] : null; // time
    case 116: return [args.ebx, 64]; // sysinfo: struct sysinfo (glibc's qsort asks for the memory size)
    case 54: return null; // ioctl: stdout is a file on both sides, so -ENOTTY
    default: return null;
  }
}

/** Names for the report. */
export const SYSCALL_NAMES: Record<number, string> = {
  1: 'exit', 3: 'read', 4: 'write', 6: 'close', 13: 'time', 45: 'brk', 54: 'ioctl', 85: 'readlink', 90: 'old_mmap',
  91: 'munmap', 116: 'sysinfo', 122: 'uname', 125: 'mprotect', 146: 'writev', 174: 'rt_sigaction', 175: 'rt_sigprocmask',
  191: 'ugetrlimit', 192: 'mmap2', 197: 'fstat64', 224: 'gettid', 243: 'set_thread_area', 252: 'exit_group',
  258: 'set_tid_address', 265: 'clock_gettime', 270: 'tgkill', 311: 'set_robust_list', 340: 'prlimit64',
  355: 'getrandom', 383: 'statx', 386: 'rseq', 403: 'clock_gettime64',
};
