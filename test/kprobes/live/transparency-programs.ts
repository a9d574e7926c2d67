// Small i386 programs for the transparency tests: loops and calls over push/pop/mov/jcc/call/ret,
// rep string instructions, pushf/popf/cli/sti, loop/jcxz, indirect calls and jumps, enter/leave.
// Each starts at _start and ends with hlt; none uses a construct a profile documents as a kernel
// bug (prefixed ret/pushf in 2.6.18, %ss loads), which the lifecycle tests cover instead.

export const TRANSPARENCY_PROGRAMS: ReadonlyArray<{ name: string; source: string }> = [
  {
    name: 'loop-and-call',
    source: `
.data
buf: .long 0,0,0,0,0,0,0,0
.text
.globl _start
_start:
  mov $5, %ecx
  xor %eax, %eax
1: push %ecx
  add %ecx, %eax
  pop %edx
  lea 3(%eax,%edx,2), %ebx
  mov %ebx, buf(,%ecx,4)
  dec %ecx
  jnz 1b
  call f
  cmp $100, %eax
  jae 2f
  inc %eax
2: mov $f, %ebp
  call *%ebp
  test %eax, %eax
  setz %bl
  movzbl %bl, %ebx
  hlt
f: push %ebp
  mov %esp, %ebp
  imul $7, %eax, %eax
  pop %ebp
  ret
`,
  },
  {
    name: 'strings-and-flags',
    source: `
.data
src: .long 1,2,3,4,5,6,7,8
dst: .long 0,0,0,0,0,0,0,0
bytes: .ascii "hello, kprobes!\\0"
.text
.globl _start
_start:
  cld
  lea src, %esi
  lea dst, %edi
  mov $8, %ecx
  rep movsl
  lea bytes, %edi
  mov $16, %ecx
  mov $0x21, %al
  repne scasb
  mov %ecx, %edx
  pushf
  pop %ebx
  cli
  pushf
  pop %esi
  sti
  pushl $0x8d7
  popf
  pushf
  pop %edi
  pushl %ebx
  popf
  std
  cld
  stc
  cmc
  clc
  lahf
  hlt
`,
  },
  {
    name: 'loops-jumps-frames',
    source: `
.data
table: .long 0, 0
out: .long 0,0,0,0
.text
.globl _start
_start:
  movl $t1, table
  movl $t2, table+4
  mov $3, %ecx
1: loop 1b
  mov $4, %ecx
2: add $2, %edx
  loop 2b
  xor %ecx, %ecx
  jecxz 3f
  inc %edx
3: jmp 4f
  inc %edx
4: mov $1, %eax
  mov table(,%eax,4), %ebx
  jmp *%ebx
t1: inc %edx
t2: push $5
  push $6
  call g
  add $8, %esp
  mov %eax, out
  push $7
  call h
  mov %eax, out+4
  xchg %eax, %edx
  bswap %eax
  shl $3, %edx
  sar $1, %edx
  not %ecx
  neg %ecx
  movsbl %al, %esi
  cmovz %esi, %edi
  pusha
  popa
  hlt
g: enter $8, $0
  mov 8(%ebp), %eax
  imul 12(%ebp), %eax
  mov %eax, -4(%ebp)
  leave
  ret
h: mov 4(%esp), %eax
  lea 1(%eax,%eax,2), %eax
  ret $4
`,
  },
  {
    name: 'prefixes-and-two-byte-opcodes',
    source: `
.data
words: .word 1, 2, 3, 4, 5, 6, 7, 8
w2: .word 0, 0, 0, 0, 0, 0, 0, 0
val: .long 0x1234
.text
.globl _start
_start:
  mov $3, %ebp
1: movw words+2, %ax
  addw $7, %ax
  movw %ax, w2
  movl %cs:val, %ebx
  movl %ds:val, %ecx
  movl %ss:val, %edx
  movl %fs:val, %esi
  bsf %ebx, %edi
  bsr %ebx, %edi
  bt $2, %ebx
  setc %cl
  btsl $5, val
  shld $4, %ebx, %eax
  shrd $3, %eax, %edx
  cmpxchg %ecx, val
  xadd %edx, val
  cmovge %ebx, %ecx
  movzwl words+4, %eax
  movswl w2, %ebx
  imul %ebx, %eax
  xor %edx, %edx
  mov $7, %ecx
  div %ecx
  cltd
  idiv %ecx
  cld
  lea words, %esi
  lea w2+8, %edi
  mov $3, %ecx
  rep movsw
  movw $9, %ax
  stosw
  lodsw
  lea words, %ebx
  and $7, %eax
  xlat
  dec %ebp
  jg 1b
  hlt
`,
  },
];
