/*
 * Lockstep tracer: runs a 32-bit static program under ptrace, one instruction at a time, and tells
 * the Node harness (test/cpu-oracles/lockstep-*.ts) the registers after every instruction and the
 * bytes at the addresses it names. Built with plain 64-bit gcc; the child is an i386 program, whose
 * registers appear zero-extended in the low halves of the 64-bit user_regs_struct.
 *
 * Usage: lockstep-tracer [--stdout FILE] PROGRAM [ARGS...]   (the child inherits our environment)
 * The child runs with ADDR_NO_RANDOMIZE, and before its first instruction the tracer turns the
 * auxv entries AT_SYSINFO and AT_SYSINFO_EHDR into AT_IGNORE: glibc then makes system calls with
 * int $0x80 instead of entering the vDSO, which an emulator does not have.
 *
 * Protocol, little-endian binary. Commands on stdin, one letter each:
 *   'I'                      -> 'I' regs[10] u32 stackAddr u32 stackLen bytes  (initial state:
 *                               registers and the stack from esp to the end of its mapping)
 *   'S' u32 n then n step records, each: regs[10] expected, u32 flagMask, u16 regMask,
 *       u8 k, k x (u32 addr, u16 len, len expected bytes)
 *                            -> steps the child n times, comparing after each step the registers
 *                               whose regMask bit is set (bit k = regs[k], eflags under flagMask)
 *                               and the k ranges. Stops at the first difference. Reply:
 *                               'C' u32 count u8 outcome, then
 *                               outcome 0: all n agreed; 'R' record of the last step;
 *                               outcome 1: step `count` differs; 'R' record of that step;
 *                               outcome 2: the child ended instead of executing step `count`:
 *                                          u32 waitStatus, and stepping stops.
 *                               'R' record = regs[10], then per range u8 ok + len bytes (native).
 *                               Comparing here keeps the per-step work in C: the harness only
 *                               streams expectations and reads one reply per chunk.
 *   'M' u32 addr u32 len     -> 'M' u8 ok + len bytes
 *   'W' regs[10]             -> 'W': sets the child's registers (the harness hands the native
 *                               program the emulator's cpuid/rdtsc results this way)
 *   'Q'                      -> kills the child and exits.
 * regs[10] = eip eax ecx edx ebx esp ebp esi edi eflags (u32 each).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;
static int child_gone;
static unsigned char *outbuf;
static size_t outlen, outcap;

static void die(const char *what) {
  fprintf(stderr, "lockstep-tracer: %s: %s\n", what, strerror(errno));
  if (child > 0 && !child_gone) kill(child, SIGKILL);
  exit(2);
}

static void out(const void *p, size_t n) {
  if (outlen + n > outcap) {
    outcap = (outlen + n) * 2 + 65536;
    outbuf = realloc(outbuf, outcap);
    if (!outbuf) die("realloc");
  }
  memcpy(outbuf + outlen, p, n);
  outlen += n;
}

static void flush_out(void) {
  size_t done = 0;
  while (done < outlen) {
    ssize_t w = write(1, outbuf + done, outlen - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("write stdout");
    }
    done += (size_t)w;
  }
  outlen = 0;
}

static unsigned char inbuf[1 << 16];
static size_t inpos, inlen;

/* Buffered: a chunk of expectations arrives as many small fields, one read() per 64 KiB. */
static void read_exact(void *p, size_t n) {
  unsigned char *dst = p;
  while (n > 0) {
    if (inpos == inlen) {
      ssize_t r = read(0, inbuf, sizeof inbuf);
      if (r == 0) {
        if (child > 0 && !child_gone) kill(child, SIGKILL);
        exit(0);
      }
      if (r < 0) {
        if (errno == EINTR) continue;
        die("read stdin");
      }
      inpos = 0;
      inlen = (size_t)r;
    }
    size_t take = inlen - inpos < n ? inlen - inpos : n;
    memcpy(dst, inbuf + inpos, take);
    inpos += take;
    dst += take;
    n -= take;
  }
}

static void get_regs(uint32_t regs[10]) {
  struct user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, child, 0, &r) != 0) die("PTRACE_GETREGS");
  regs[0] = (uint32_t)r.rip;
  regs[1] = (uint32_t)r.rax;
  regs[2] = (uint32_t)r.rcx;
  regs[3] = (uint32_t)r.rdx;
  regs[4] = (uint32_t)r.rbx;
  regs[5] = (uint32_t)r.rsp;
  regs[6] = (uint32_t)r.rbp;
  regs[7] = (uint32_t)r.rsi;
  regs[8] = (uint32_t)r.rdi;
  regs[9] = (uint32_t)r.eflags;
  /* A 32-bit child's registers are zero-extended in the 64-bit view; anything else means the
   * layout assumption is wrong, and every comparison would be meaningless. */
  if ((r.rip | r.rax | r.rcx | r.rdx | r.rbx | r.rsp | r.rbp | r.rsi | r.rdi | r.eflags) >> 32) {
    fprintf(stderr, "lockstep-tracer: upper register halves are not zero: not a 32-bit child?\n");
    kill(child, SIGKILL);
    exit(3);
  }
}

static void set_regs(const uint32_t regs[10]) {
  struct user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, child, 0, &r) != 0) die("PTRACE_GETREGS");
  r.rip = regs[0];
  r.rax = regs[1];
  r.rcx = regs[2];
  r.rdx = regs[3];
  r.rbx = regs[4];
  r.rsp = regs[5];
  r.rbp = regs[6];
  r.rsi = regs[7];
  r.rdi = regs[8];
  r.eflags = regs[9];
  if (ptrace(PTRACE_SETREGS, child, 0, &r) != 0) die("PTRACE_SETREGS");
}

/* Reads child memory; returns 1 on success. process_vm_readv is one syscall per range. */
static int read_child(uint32_t addr, void *buf, size_t len) {
  struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
  ssize_t n = process_vm_readv(child, &local, 1, &remote, 1, 0);
  if (n == (ssize_t)len) return 1;
  memset(buf, 0xff, len);
  return 0;
}

static void write_child_u32(uint32_t addr, uint32_t value) {
  /* PTRACE_POKEDATA writes a 64-bit word: read it first and replace the low half. */
  errno = 0;
  long word = ptrace(PTRACE_PEEKDATA, child, (void *)(uintptr_t)addr, 0);
  if (errno) die("PTRACE_PEEKDATA");
  word = (long)(((unsigned long)word & ~0xffffffffUL) | value);
  if (ptrace(PTRACE_POKEDATA, child, (void *)(uintptr_t)addr, (void *)word) != 0) die("PTRACE_POKEDATA");
}

/* Hides the vDSO from the child: AT_SYSINFO (32) and AT_SYSINFO_EHDR (33) become AT_IGNORE (1). */
static void hide_vdso(void) {
  uint32_t regs[10], word;
  get_regs(regs);
  uint32_t p = regs[5];
  if (!read_child(p, &word, 4)) die("read argc");
  p += 4 + 4 * (word + 1); /* argv and its NULL */
  for (;;) { /* envp up to NULL */
    if (!read_child(p, &word, 4)) die("read envp");
    p += 4;
    if (word == 0) break;
  }
  for (;;) {
    if (!read_child(p, &word, 4)) die("read auxv");
    if (word == 0) break;
    if (word == 32 || word == 33) write_child_u32(p, 1);
    p += 8;
  }
}

/* The end of the mapping that holds addr, from /proc/PID/maps. */
static uint32_t mapping_end(uint32_t addr) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)child);
  FILE *f = fopen(path, "r");
  if (!f) die("open maps");
  uint32_t end = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi) {
      end = (uint32_t)hi;
      break;
    }
  }
  fclose(f);
  return end;
}

/* One single step; returns 0 when the child is gone, with its wait status in *gone_status. */
static int single_step(uint32_t *gone_status) {
  int status;
  if (ptrace(PTRACE_SINGLESTEP, child, 0, 0) != 0) die("PTRACE_SINGLESTEP");
  if (waitpid(child, &status, 0) < 0) die("waitpid");
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    child_gone = 1;
    *gone_status = (uint32_t)status;
    return 0;
  }
  if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP) return 1;
  /* Any other signal is the program's own fault (SIGSEGV...): report it as the end. */
  *gone_status = (uint32_t)status;
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  child_gone = 1;
  return 0;
}

/* The expectations of one step, as read from the harness. */
struct expected_step {
  uint32_t regs[10], flag_mask;
  uint16_t reg_mask;
  unsigned char k;
  size_t ranges; /* offset of its ranges in the chunk's byte store */
};

static void out_record(const uint32_t regs[10], const unsigned char *native, size_t len) {
  out("R", 1);
  out(regs, 40);
  if (len) out(native, len);
}

/* Steps through one chunk of expectations (the 'S' command). */
static void step_chunk(void) {
  static struct expected_step *steps;
  static size_t steps_cap;
  static unsigned char *store, *native;
  static size_t store_cap;
  uint32_t n;
  read_exact(&n, 4);
  if (n > steps_cap) {
    steps_cap = n;
    steps = realloc(steps, n * sizeof *steps);
    if (!steps) die("realloc");
  }
  size_t used = 0;
  for (uint32_t i = 0; i < n; i++) {
    struct expected_step *e = &steps[i];
    read_exact(e->regs, 40);
    read_exact(&e->flag_mask, 4);
    read_exact(&e->reg_mask, 2);
    read_exact(&e->k, 1);
    e->ranges = used;
    for (unsigned j = 0; j < e->k; j++) {
      unsigned char head[6];
      read_exact(head, 6);
      uint16_t len;
      memcpy(&len, head + 4, 2);
      if (used + 6 + len > store_cap) {
        store_cap = (used + 6 + len) * 2 + 65536;
        store = realloc(store, store_cap);
        native = realloc(native, store_cap);
        if (!store || !native) die("realloc");
      }
      memcpy(store + used, head, 6);
      read_exact(store + used + 6, len);
      used += 6 + (size_t)len;
    }
  }
  uint32_t count = 0, status = 0, regs[10];
  unsigned char outcome = 0;
  size_t native_len = 0;
  for (; count < n; count++) {
    const struct expected_step *e = &steps[count];
    if (child_gone || !single_step(&status)) {
      outcome = 2;
      break;
    }
    get_regs(regs);
    int differs = ((regs[9] ^ e->regs[9]) & e->flag_mask) != 0;
    for (int r = 0; r < 9; r++)
      if ((e->reg_mask >> r & 1) && regs[r] != e->regs[r]) differs = 1;
    /* The native bytes of each range: u8 ok + len bytes, as the 'R' record carries them. */
    size_t at = e->ranges;
    native_len = 0;
    for (unsigned j = 0; j < e->k; j++) {
      uint32_t addr;
      uint16_t len;
      memcpy(&addr, store + at, 4);
      memcpy(&len, store + at + 4, 2);
      unsigned char *ok = native + native_len;
      *ok = (unsigned char)read_child(addr, ok + 1, len);
      if (!*ok || memcmp(ok + 1, store + at + 6, len) != 0) differs = 1;
      native_len += 1 + (size_t)len;
      at += 6 + (size_t)len;
    }
    if (differs) {
      outcome = 1;
      break;
    }
  }
  out("C", 1);
  out(&count, 4);
  out(&outcome, 1);
  if (outcome == 2) out(&status, 4);
  else if (n > 0) out_record(regs, native, native_len);
}

int main(int argc, char **argv) {
  const char *child_stdout = "/dev/null";
  int a = 1;
  if (a + 1 < argc && strcmp(argv[a], "--stdout") == 0) {
    child_stdout = argv[a + 1];
    a += 2;
  }
  if (a >= argc) {
    fprintf(stderr, "usage: lockstep-tracer [--stdout FILE] PROGRAM [ARGS...]\n");
    return 2;
  }
  child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    int fd = open(child_stdout, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 1) < 0) _exit(126);
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0) _exit(126);
    /* Without it the brk heap moves between runs (seccomp in containers may refuse it). */
    if (personality(ADDR_NO_RANDOMIZE) == -1) _exit(125);
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) _exit(126);
    execv(argv[a], argv + a);
    _exit(127);
  }
  int status;
  if (waitpid(child, &status, 0) < 0) die("waitpid exec");
  if (!WIFSTOPPED(status)) {
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    const char *why = code == 125 ? "personality(ADDR_NO_RANDOMIZE) was refused"
                      : code == 126 ? "PTRACE_TRACEME or the stdio redirection failed"
                      : code == 127 ? "the program could not be executed"
                                    : "it did not stop at exec";
    fprintf(stderr, "lockstep-tracer: cannot trace the child: %s (status 0x%x)\n", why, status);
    return 2;
  }
  ptrace(PTRACE_SETOPTIONS, child, 0, (void *)(long)PTRACE_O_EXITKILL);
  hide_vdso();

  for (;;) {
    char cmd;
    read_exact(&cmd, 1);
    if (cmd == 'Q') break;
    if (cmd == 'I') {
      uint32_t regs[10];
      get_regs(regs);
      uint32_t end = mapping_end(regs[5]);
      uint32_t len = end > regs[5] ? end - regs[5] : 0;
      unsigned char *stack = malloc(len ? len : 1);
      read_child(regs[5], stack, len);
      out("I", 1);
      out(regs, 40);
      out(&regs[5], 4);
      out(&len, 4);
      out(stack, len);
      free(stack);
    } else if (cmd == 'W') {
      uint32_t regs[10];
      read_exact(regs, 40);
      if (!child_gone) set_regs(regs);
      out("W", 1);
    } else if (cmd == 'M') {
      uint32_t addr, len;
      read_exact(&addr, 4);
      read_exact(&len, 4);
      unsigned char *buf = malloc(len ? len : 1);
      unsigned char ok = child_gone ? 0 : (unsigned char)read_child(addr, buf, len);
      if (child_gone) memset(buf, 0xff, len);
      out("M", 1);
      out(&ok, 1);
      out(buf, len);
      free(buf);
    } else if (cmd == 'S') {
      step_chunk();
    } else {
      fprintf(stderr, "lockstep-tracer: unknown command 0x%02x\n", (unsigned char)cmd);
      break;
    }
    flush_out();
  }
  if (!child_gone) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  return 0;
}
