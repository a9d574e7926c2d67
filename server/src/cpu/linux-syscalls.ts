// A minimal Linux i386 `int $0x80` layer for static executables: exit, write, read (empty stdin),
// brk, anonymous mmap/munmap, set_thread_area for TLS, uname and the few calls static glibc makes
// at start-up. Unknown calls return -ENOSYS and are reported once each.

import type { CpuException, HandlerDecision } from './cpu-events';
import { encodeDescriptor, setGdtEntry } from './descriptor-tables';
import type { Machine } from './machine';
import { PAGE_SIZE } from './paged-memory';

export interface LinuxSyscallsOptions {
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
  /** Bytes standard input holds (default: none, so read returns 0). */
  stdin?: Uint8Array;
  /** Called once per unknown system call number. */
  onUnknownSyscall?: (number: number) => void;
}

const ENOENT = 2, EBADF = 9, ENOMEM = 12, EFAULT = 14, EINVAL = 22, ENOTTY = 25, ENOSYS = 38;

/** First TLS descriptor index an x86-64 kernel hands a 32-bit process (an i386 kernel: 6). */
const TLS_ENTRY_MIN = 12;
const MMAP_BASE = 0x40000000;

export class LinuxSyscalls {
  exitStatus: number | null = null;
  /** Current program break and where the heap began. */
  brk: number;
  readonly initialBrk: number;
  readonly unknown = new Set<number>();
  private mmapNext = MMAP_BASE;
  private stdinOffset = 0;

  constructor(private readonly machine: Machine, programEnd: number, private readonly options: LinuxSyscallsOptions = {}) {
    this.initialBrk = this.brk = alignUp(programEnd);
  }

  /** The exception handler: int $0x80 is served, anything else stops the run. */
  handle = (m: Machine, exception: CpuException): HandlerDecision => {
    if (exception.kind !== 'software-interrupt' || exception.vector !== 0x80) return 'stop';
    const result = this.syscall(m);
    if (this.exitStatus !== null) return 'stop';
    m.regs[0] = result;
    return 'resume';
  };

  private syscall(m: Machine): number {
    const r = m.regs;
    const n = r[0]!;
    const [a, b, c, d] = [r[3]!, r[1]!, r[2]!, r[6]!];
    switch (n) {
      case 1: case 252: // exit, exit_group
        this.exitStatus = a & 0xff;
        return 0;
      case 3: return this.read(a, b, c);
      case 4: return this.write(a, b, c);
      case 146: return this.writev(a, b, c);
      case 5: case 295: return -ENOENT; // open, openat: no file system
      case 6: return 0; // close
      case 45: return this.setBrk(a);
      case 54: return -ENOTTY; // ioctl: nothing is a terminal
      case 122: return this.uname(a);
      case 90: return this.oldMmap(a);
      case 192: return this.mmap(a, b, c, d);
      case 91: return this.munmap(a, b);
      case 125: return 0; // mprotect: protections are kept as loaded
      case 243: return this.setThreadArea(a);
      case 258: case 224: case 20: return 1000; // set_tid_address, gettid, getpid
      case 199: case 200: case 201: case 202: return 0; // getuid32 ... getegid32
      case 174: case 175: return 0; // rt_sigaction, rt_sigprocmask
      case 270: this.exitStatus = 134; return 0; // tgkill (abort): SIGABRT
      case 85: return -ENOENT; // readlink
      case 33: return -ENOENT; // access
      case 197: case 108: case 195: case 383: return -ENOSYS; // fstat64, fstat, stat64, statx
      case 355: return this.getrandom(a, b); // getrandom: deterministic bytes
      case 386: return -ENOSYS; // rseq
      case 311: return 0; // set_robust_list
      case 116: return this.sysinfo(a);
      case 191: return this.getrlimit(b); // ugetrlimit
      case 300: return -ENOSYS; // fstatat64: no file system
      default:
        if (!this.unknown.has(n)) {
          this.unknown.add(n);
          this.options.onUnknownSyscall?.(n);
        }
        return -ENOSYS;
    }
  }

  private copyOut(address: number, length: number): Uint8Array | null {
    const bytes = this.machine.memory.readBytes(address, length);
    return bytes instanceof Uint8Array ? bytes : null;
  }

  private write(fd: number, buffer: number, length: number): number {
    const bytes = this.copyOut(buffer, length);
    if (bytes === null) return -EFAULT;
    if (fd === 1) this.options.stdout?.(bytes);
    else if (fd === 2) this.options.stderr?.(bytes);
    else return -EBADF;
    return length;
  }

  private writev(fd: number, iov: number, count: number): number {
    let total = 0;
    for (let k = 0; k < count; k++) {
      const entry = this.copyOut((iov + 8 * k) >>> 0, 8);
      if (entry === null) return -EFAULT;
      const view = new DataView(entry.buffer);
      const written = this.write(fd, view.getUint32(0, true), view.getUint32(4, true));
      if (written < 0) return written;
      total += written;
    }
    return total;
  }

  private read(fd: number, buffer: number, length: number): number {
    if (fd !== 0) return -EBADF;
    const input = this.options.stdin ?? new Uint8Array(0);
    const chunk = input.subarray(this.stdinOffset, this.stdinOffset + length);
    if (this.machine.memory.writeBytes(buffer, chunk).error !== null) return -EFAULT;
    this.stdinOffset += chunk.length;
    return chunk.length;
  }

  private setBrk(address: number): number {
    if (address === 0 || address < this.initialBrk) return this.brk;
    const top = alignUp(address);
    const mapped = alignUp(this.brk);
    if (top > mapped) this.machine.memory.map(mapped, top - mapped, 'rw');
    this.brk = address;
    return this.brk;
  }

  private mmap(address: number, length: number, _prot: number, flags: number): number {
    void address;
    if ((flags & 0x20) === 0) return -ENOSYS; // only MAP_ANONYMOUS
    if (length === 0) return -EINVAL;
    const size = alignUp(length);
    if (this.mmapNext + size > 0xb0000000) return -ENOMEM;
    const at = this.mmapNext;
    this.mmapNext += size;
    this.machine.memory.map(at, size, 'rw');
    return at;
  }

  private oldMmap(block: number): number {
    const args = this.copyOut(block, 24);
    if (args === null) return -EFAULT;
    const v = new DataView(args.buffer);
    return this.mmap(v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true), v.getUint32(12, true));
  }

  private munmap(address: number, length: number): number {
    if (address & (PAGE_SIZE - 1)) return -EINVAL;
    this.machine.memory.unmap(address, alignUp(length));
    return 0;
  }

  private setThreadArea(descriptor: number): number {
    const bytes = this.copyOut(descriptor, 16);
    if (bytes === null) return -EFAULT;
    const view = new DataView(bytes.buffer);
    let entry = view.getUint32(0, true);
    const base = view.getUint32(4, true);
    if (entry === 0xffffffff) {
      entry = TLS_ENTRY_MIN;
      view.setUint32(0, entry, true);
      this.machine.memory.writeBytes(descriptor, bytes.subarray(0, 4));
    }
    this.machine.descriptorBases.set(entry, base);
    // The descriptor itself, as Linux's fill_ldt builds it from struct user_desc, so lar/lsl
    // and verr/verw see the TLS entry: user data or code, DPL 3, accessed.
    const limit = view.getUint32(8, true) & 0xfffff;
    const flags = view.getUint32(12, true);
    const bit = (n: number): number => (flags >>> n) & 1;
    const type = ((bit(3) ^ 1) << 1) | (((flags >>> 1) & 3) << 2) | 1;
    const access = ((bit(5) ^ 1) << 7) | (3 << 5) | (1 << 4) | type;
    setGdtEntry(this.machine, entry, encodeDescriptor(base, limit, access, (bit(4) << 3) | (bit(0) << 2) | bit(6)));
    return 0;
  }

  private uname(address: number): number {
    const fields = ['Linux', 'kboost', '6.1.0', '#1 SMP', 'i686', '(none)'];
    const out = new Uint8Array(65 * 6);
    fields.forEach((text, k) => out.set(new TextEncoder().encode(text), 65 * k));
    return this.machine.memory.writeBytes(address, out).error === null ? 0 : -EFAULT;
  }

  /** sysinfo: 256 MiB of RAM, all free, one process. */
  private sysinfo(address: number): number {
    const out = new Uint8Array(64);
    const view = new DataView(out.buffer);
    view.setUint32(4 * 4, 256 << 20, true); // totalram
    view.setUint32(5 * 4, 256 << 20, true); // freeram
    view.setUint16(10 * 4, 1, true); // procs
    view.setUint32(13 * 4, 1, true); // mem_unit
    return this.machine.memory.writeBytes(address, out).error === null ? 0 : -EFAULT;
  }

  /** Every limit reads as unlimited. */
  private getrlimit(address: number): number {
    const out = new Uint8Array(8).fill(0xff);
    return this.machine.memory.writeBytes(address, out).error === null ? 0 : -EFAULT;
  }

  private getrandom(address: number, length: number): number {
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k++) out[k] = (k * 97 + 13) & 0xff;
    return this.machine.memory.writeBytes(address, out).error === null ? length : -EFAULT;
  }
}

export function alignUp(value: number): number {
  return Math.ceil(value / PAGE_SIZE) * PAGE_SIZE;
}
