/*
 * Snippet runner: runs short i386 instruction sequences on the real CPU from a given register
 * state and reports the state after them, for the emulator's random-state tests. Built with
 * gcc -m32 -static. Reads cases from stdin until EOF and answers each one, all little-endian:
 *   case:  u8 codeLen, code[codeLen], u32 regs[8] (eax ecx edx ebx esp ebp esi edi), u32 eflags,
 *          scratch[SCRATCH_SIZE] (initial bytes of the scratch area)
 *   reply: u8 signal (0 = ran to the end), u32 regs[8], u32 eflags, u32 eip, scratch[SCRATCH_SIZE]
 * The code runs at CODE_ADDRESS followed by a jump back here; on a fault (SIGFPE for #DE, SIGSEGV,
 * SIGILL, SIGTRAP, SIGBUS) the registers and eip are the ones the kernel saved at the fault.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_ADDRESS 0x30000000u
#define DATA_PAGE 0x30010000u
#define SCRATCH_ADDRESS (DATA_PAGE + 0x400u)
#define SCRATCH_SIZE 256u

struct cpu_state {
  uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, eflags;
};

struct cpu_state in_state __attribute__((used));
struct cpu_state out_state __attribute__((used));
uint32_t host_esp __attribute__((used));
uint32_t code_entry __attribute__((used)) = CODE_ADDRESS;
unsigned char landing_stack[4096] __attribute__((used, aligned(16)));

void run_snippet(void);
void snippet_landing(void);
uint32_t landing_pointer __attribute__((used));

/* Saves the host's registers, loads the case's (flags first: the movs after popfl leave them
 * alone), and jumps to the code; the landing saves the snippet's registers and returns. */
__asm__(
    ".text\n"
    ".globl run_snippet\n"
    "run_snippet:\n"
    "  pushal\n"
    "  pushfl\n"
    "  movl %esp, host_esp\n"
    "  pushl in_state+32\n"
    "  popfl\n"
    "  movl in_state+0, %eax\n"
    "  movl in_state+4, %ecx\n"
    "  movl in_state+8, %edx\n"
    "  movl in_state+12, %ebx\n"
    "  movl in_state+20, %ebp\n"
    "  movl in_state+24, %esi\n"
    "  movl in_state+28, %edi\n"
    "  movl in_state+16, %esp\n"
    "  jmp *code_entry\n"
    ".globl snippet_landing\n"
    "snippet_landing:\n"
    "  movl %esp, out_state+16\n"
    "  movl $landing_stack+4096, %esp\n"
    "  pushfl\n"
    "  popl out_state+32\n"
    "  movl %eax, out_state+0\n"
    "  movl %ecx, out_state+4\n"
    "  movl %edx, out_state+8\n"
    "  movl %ebx, out_state+12\n"
    "  movl %ebp, out_state+20\n"
    "  movl %esi, out_state+24\n"
    "  movl %edi, out_state+28\n"
    "  movl host_esp, %esp\n"
    "  popfl\n"
    "  popal\n"
    "  ret\n");

static sigjmp_buf fault_return;
static volatile int fault_signal;
static volatile uint32_t fault_eip;

static void on_fault(int sig, siginfo_t *info, void *context) {
  (void)info;
  ucontext_t *uc = context;
  greg_t *g = uc->uc_mcontext.gregs;
  out_state.eax = (uint32_t)g[REG_EAX];
  out_state.ecx = (uint32_t)g[REG_ECX];
  out_state.edx = (uint32_t)g[REG_EDX];
  out_state.ebx = (uint32_t)g[REG_EBX];
  out_state.esp = (uint32_t)g[REG_ESP];
  out_state.ebp = (uint32_t)g[REG_EBP];
  out_state.esi = (uint32_t)g[REG_ESI];
  out_state.edi = (uint32_t)g[REG_EDI];
  out_state.eflags = (uint32_t)g[REG_EFL];
  fault_eip = (uint32_t)g[REG_EIP];
  fault_signal = sig;
  siglongjmp(fault_return, 1);
}

static int read_exact(void *p, size_t n) {
  return fread(p, 1, n, stdin) == n;
}

int main(void) {
  unsigned char *code = mmap((void *)CODE_ADDRESS, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  unsigned char *data = mmap((void *)DATA_PAGE, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (code != (void *)CODE_ADDRESS || data != (void *)DATA_PAGE) {
    perror("snippet-runner: mmap");
    return 2;
  }
  landing_pointer = (uint32_t)(uintptr_t)snippet_landing;

  static unsigned char altstack[65536];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  int signals[] = {SIGFPE, SIGSEGV, SIGILL, SIGTRAP, SIGBUS};
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &sa, NULL);

  unsigned char length;
  while (read_exact(&length, 1)) {
    unsigned char bytes[256];
    uint32_t regs[9];
    if (!read_exact(bytes, length) || !read_exact(regs, sizeof regs) || !read_exact(data + 0x400, SCRATCH_SIZE)) break;
    memset(code, 0xcc, 4096);
    memcpy(code, bytes, length);
    /* jmp *landing_pointer */
    code[length] = 0xff;
    code[length + 1] = 0x25;
    uint32_t pointer_address = (uint32_t)(uintptr_t)&landing_pointer;
    memcpy(code + length + 2, &pointer_address, 4);
    memcpy(&in_state, regs, sizeof regs);
    fault_signal = 0;
    if (sigsetjmp(fault_return, 1) == 0) {
      run_snippet();
      fault_eip = CODE_ADDRESS + length;
    }
    unsigned char sig = (unsigned char)fault_signal;
    uint32_t eip = fault_eip;
    fwrite(&sig, 1, 1, stdout);
    fwrite(&out_state, 4, 9, stdout);
    fwrite(&eip, 4, 1, stdout);
    fwrite(data + 0x400, 1, SCRATCH_SIZE, stdout);
    memset(data, 0, 4096);
  }
  fflush(stdout);
  return 0;
}
