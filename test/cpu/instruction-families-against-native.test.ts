// Unit tests per instruction family, differential against the real CPU: each snippet runs in a
// tiny static program from several seeded random register states, natively and on the emulator;
// registers, EFLAGS (undefined flags masked from the opcode table) and a data area must agree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { seededRandom, tempDir, undefinedFlagsOf, type SnippetCase, type SnippetState, runHarnessBothWays } from './native-snippet-harness';
import { hasCommand } from './cpu-test-support';

const skip = !hasCommand('as') || !hasCommand('ld') || process.arch !== 'x64' && process.arch !== 'ia32' ? 'needs GNU as, ld and an x86 host' : false;
const STATES_PER_SNIPPET = 24;
/** Registers that point at the data area in the snippets: %esi = data, %edi = data + 32. */
const POINTERS = '  mov $data, %esi\n  lea 32(%esi), %edi\n';

/** Snippets by family. `$P` prefixes the snippet with the pointer setup (for memory forms). */
const FAMILIES: Record<string, string[]> = {
  'data movement': [
    'mov %eax, %ebx\nmovb %cl, %dh\nmovw %dx, %si',
    '$P movl %eax, (%esi)\nmovw %bx, 6(%esi)\nmovb %cl, 9(%esi)\nmov 1(%esi), %edx',
    '$P movzbl (%esi), %eax\nmovsbl 1(%esi), %ebx\nmovzwl %cx, %ecx\nmovswl %dx, %edx',
    '$P lea 8(%esi,%eax,4), %ebx\nlea (%eax,%eax,2), %ecx\nlea -3(%edx), %edx',
    '$P xchg %eax, %ebx\nxchg %cl, %dh\nxchg %edx, 4(%esi)',
    'push %eax\npush %ebx\npushw %cx\npopw %dx\npop %ecx\npop %ebp',
    '$P pushl 4(%esi)\npopl 8(%esi)\npush $0x12345678\npush $-5\npop %eax\npop %ebx',
    'cwde\ncltd\nmov %ecx, %eax\ncbtw\ncwtd',
    '$P mov %ecx, %ebx\nand $15, %eax\nmov %esi, %ebx\nxlat',
    'bswap %eax\nbswap %edx',
    'movsbw %al, %bx\nmovzbw %ch, %dx\nxchg %ax, %ax\nnop\nnopw 0(%eax,%eax,1)',
    'push %ds\npop %es\nmov %ds, %eax\nmov %eax, %ebx',
  ],
  alu: [
    'add %ebx, %eax', 'adc %ecx, %edx', 'sub %ebx, %eax', 'sbb %ecx, %edx', 'cmp %ebx, %eax',
    'and %ebx, %eax', 'or %ecx, %edx', 'xor %ebx, %eax', 'test %ecx, %edx',
    'addb %bl, %al', 'adcb %ch, %dl', 'subw %bx, %ax', 'sbbw %cx, %dx', 'cmpb $0x80, %al',
    'add $-1, %eax', 'sub $0x7fffffff, %ebx', 'adc $1, %cl', 'sbb $0x8000, %dx',
    'inc %eax', 'dec %ebx', 'incb %cl', 'decw %dx', 'neg %eax', 'negb %cl', 'not %edx', 'notw %bx',
    '$P addl %eax, (%esi)\nsubw %bx, 4(%esi)\nxorb %cl, 7(%esi)\nincl 8(%esi)\nnegl 12(%esi)',
    '$P adcl 4(%esi), %eax\nsbbb 5(%esi), %cl\ntestl $0x80000001, 8(%esi)\ncmpw $-3, 2(%esi)\nandb $0x0f, 9(%esi)\norw $0x8000, 10(%esi)',
    'negw %ax\nnegl %ebx\nadc %eax, %eax\nsbb %edx, %edx\nadc $0, %bl\nsbb $0, %ch',
  ],
  'control flow': [
    'cmp %ebx, %eax\njl 1f\nmov $1, %ecx\n1: jg 2f\nmov $2, %edx\n2:',
    'test %eax, %eax\njs 1f\njp 2f\nmov $3, %ebx\n1: mov $4, %ebp\n2:',
    'and $7, %ecx\ninc %ecx\nxor %eax, %eax\n1: inc %eax\nloop 1b',
    'and $7, %ecx\nxor %eax, %eax\n1: inc %eax\ncmp $3, %eax\nloopne 1b',
    'call 1f\njmp 2f\n1: pop %ebx\npush %ebx\nret\n2:',
    'call 1f\njmp 2f\n1: ret $0\n2:',
    'and $3, %ecx\njecxz 1f\nmov $9, %eax\n1:',
    'mov $1f, %ebx\njmp *%ebx\nmov $5, %eax\n1:',
  ],
  'shifts and rotates': [
    'shl %cl, %eax', 'shr %cl, %ebx', 'sar %cl, %edx', 'rol %cl, %eax', 'ror %cl, %ebx',
    'rcl %cl, %edx', 'rcr %cl, %eax', 'shlb %cl, %al', 'shrw %cl, %dx', 'sarb %cl, %bh',
    'rolb %cl, %dl', 'rorw %cl, %ax', 'rclb %cl, %bl', 'rcrw %cl, %dx', 'rclw %cl, %ax', 'rcrb %cl, %ah',
    'shl $1, %eax', 'shr $1, %ebx', 'sar $1, %edx', 'rol $1, %eax', 'ror $1, %ebx', 'rcl $1, %edx', 'rcr $1, %eax',
    'shl $7, %eax', 'sar $31, %ebx', 'rol $13, %edx', 'rcr $5, %ecx',
    'shld %cl, %ebx, %eax', 'shrd %cl, %ebx, %eax', 'shld $9, %edx, %ebx', 'shrd $1, %edx, %ebx',
    // 16-bit double shifts by more than 16 leave an undefined result (SDM): counts are kept to 0-15.
    'and $15, %cl\nshldw %cl, %bx, %ax', 'and $15, %cl\nshrdw %cl, %dx, %bx', 'shrdw $3, %dx, %bx',
  ],
  'multiply and divide': [
    'mul %ebx', 'imul %ecx', 'mulb %bl', 'imulb %cl', 'mulw %bx', 'imulw %cx',
    'imul %ebx, %eax', 'imul $-7, %ecx, %edx', 'imul $0x12345, %ebx, %eax', 'imulw %bx, %ax',
    'xor %edx, %edx\nor $1, %ebx\ndiv %ebx', 'cltd\nand $0x7ffffff0, %ecx\nor $2, %ecx\nidiv %ecx',
    'and $0x7fff, %eax\nor $0x80, %bl\ndivb %bl', 'and $0x1fff, %eax\nand $0x3f, %cl\nor $0x40, %cl\nidivb %cl',
    'and $0x7fff, %edx\nor $0x8000, %bx\ndivw %bx', 'and $0x7ff, %edx\nand $0x3fff, %cx\nor $0x4001, %cx\nidivw %cx',
    'and $0x7fffffff, %edx\nor $0x80000000, %ebx\ndiv %ebx',
  ],
  'setcc and cmovcc': [
    'cmp %ebx, %eax\nseta %cl\nsetl %ch\nsetbe %dl\nsetge %dh',
    'test %ecx, %edx\nsets %al\nsetp %ah\nsetne %bl\nseto %bh',
    'cmp %ebx, %eax\ncmovb %ecx, %edx\ncmovg %ebp, %esi\ncmove %eax, %edi',
    'add %ebx, %eax\nseto %cl\nsetno %ch\nsetb %dl\nsetae %dh\nsete %bl\nsetne %bh',
    'sub %ebx, %eax\nsetbe %cl\nseta %ch\nsets %dl\nsetns %dh\nsetp %bl\nsetnp %bh',
    'sub %ecx, %edx\nsetl %al\nsetge %ah\nsetle %bl\nsetg %bh',
    '$P cmp %ebx, %eax\ncmovl 4(%esi), %edx\ncmovns 8(%esi), %ecx\nsetg 12(%esi)\ncmovpw 2(%esi), %bx',
  ],
  'bit instructions': [
    'bt %ecx, %eax', 'bts %ecx, %ebx', 'btr %ecx, %edx', 'btc %ecx, %eax', 'bt $13, %eax', 'btsw $3, %bx',
    '$P and $255, %ecx\nbtl %ecx, (%esi)\nbtsl %ecx, (%esi)\nbtrl $5, 4(%esi)\nbtcl %ecx, 8(%esi)',
    'bsf %eax, %ebx', 'bsr %ecx, %edx', 'bsfw %ax, %bx',
    'and $0xff00, %eax\nbsf %eax, %ecx\nbsr %eax, %edx',
  ],
  'string instructions': [
    '$P and $7, %ecx\ncld\nrep movsb', '$P and $3, %ecx\ncld\nrep movsl', '$P and $7, %ecx\ncld\nrep stosb',
    '$P and $7, %ecx\ncld\nrepe cmpsb', '$P and $7, %ecx\ncld\nrepne scasb', '$P cld\nlodsl\nlodsw\nlodsb',
    '$P add $8, %esi\nadd $8, %edi\nand $3, %ecx\nstd\nrep movsw\ncld', '$P cld\nmovsb\nmovsw\ncmpsl\nscasb\nstosw',
    '$P add $12, %edi\nand $3, %ecx\nstd\nrep stosl\ncld', '$P and $7, %ecx\ncld\nrepe scasw', '$P and $3, %ecx\ncld\nrepne cmpsl',
    '$P and $7, %ecx\ncld\nrep lodsb', '$P mov %eax, 4(%esi)\nmov $3, %ecx\ncld\nrepne scasl',
  ],
  'flags and stack frames': [
    'pushf\npop %eax', 'stc\ncmc\nsetc %al\nclc\nsetc %ah', 'std\npushf\ncld\npop %ebx',
    'lahf', 'mov %ecx, %eax\nsahf', 'cmc\nlahf\nstc\ncmc\nsbb %eax, %eax', // IF stays set: at ring 3 (native) popf cannot clear it, at ring 0 it can.
    'and $0xcd5, %edx\nor $0x200, %edx\npush %edx\npopf\npushf\npop %ebx',
    'pusha\npopa', 'pushaw\npopaw', '$P movbe (%esi), %eax\nmovbe %ebx, 4(%esi)\nmovbe 8(%esi), %cx', 'pusha\npop %ebx\npop %ebx\npop %ebx\npop %ebx\npop %ebx\npop %ebx\npop %ebx\npop %ebx',
    // Frame addresses are compared as distances: the native stack address is random.
    'push %ebp\nmov %esp, %ebp\nenter $16, $0\nmov %ebp, %eax\nsub %esp, %eax\nleave\npop %ebp',
    'push %ebp\nmov %esp, %ebp\nenter $8, $2\nmov %ebp, %ebx\nsub %esp, %ebx\nmov 8(%esp), %ecx\nsub %esp, %ecx\nleave\npop %ebp',
  ],
  'exchange and compare': [
    'xadd %ebx, %eax', 'xaddb %cl, %dl', '$P xaddl %eax, (%esi)',
    'cmpxchg %ebx, %ecx', 'mov %ecx, %eax\ncmpxchg %ebx, %ecx', '$P lock cmpxchgl %ebx, 4(%esi)', '$P mov 4(%esi), %eax\ncmpxchgl %ebx, 4(%esi)',
    '$P cmpxchg8b 8(%esi)', '$P mov 8(%esi), %eax\nmov 12(%esi), %edx\ncmpxchg8b 8(%esi)',
  ],
  bcd: [
    'daa', 'das', 'aaa', 'aas', 'aam', 'aad', 'aam $16', 'aad $7',
    'addb %bl, %al\ndaa', 'subb %bl, %al\ndas',
  ],
  'x87 basics': [
    '$P fildl (%esi)\nfildl 4(%esi)\nfaddp\nfistpl 8(%esi)',
    '$P fildl (%esi)\nfildl 4(%esi)\nfmul %st(1), %st\nfistpl 12(%esi)\nfstp %st(0)',
    '$P fildl (%esi)\nfld1\nfdivrp\nfstpl 16(%esi)',
    '$P fildl (%esi)\nfildl 4(%esi)\nfucomip %st(1), %st\nfstp %st(0)\nsetb %al\nsete %bl\nsetp %cl',
    '$P fildl (%esi)\nfchs\nfabs\nfsqrt\nfstps 20(%esi)',
    '$P fnstcw 24(%esi)\nfildl (%esi)\nfldpi\nfmulp\nfistpl 28(%esi)',
    '$P fildl (%esi)\nftst\nfnstsw %ax\nfstp %st(0)',
    '$P fldl (%esi)\nfabs\nfldl 8(%esi)\nfabs\nfcomi %st(1), %st\nfxch\nfstpl 16(%esi)\nfstpl 24(%esi)\nsetb %al\nsetz %ah',
    '$P fildl (%esi)\nfildl 4(%esi)\nfdivrp\nmovw $0x0c7f, 32(%esi)\nfldcw 32(%esi)\nfistl 36(%esi)\nmovw $0x077f, 32(%esi)\nfldcw 32(%esi)\nfistl 40(%esi)\nmovw $0x0b7f, 32(%esi)\nfldcw 32(%esi)\nfistpl 44(%esi)',
    '$P fildl (%esi)\nfildl 4(%esi)\nfcompp\nfnstsw %ax\nfildll 8(%esi)\nfistpll 16(%esi)\nfilds 24(%esi)\nfistps 28(%esi)',
    '$P fld1\nfldz\nfldpi\nfadd %st(2), %st\nfsubr %st(1), %st\nfmulp %st, %st(2)\nfdivr %st(1), %st\nfstps (%esi)\nfstpl 4(%esi)\nfstpt 12(%esi)\nfnstsw %ax',
    '$P flds (%esi)\nfsts 4(%esi)\nfstp %st(0)\nfldt 16(%esi)\nfstpt 32(%esi)\nfnstsw %ax',
    // Random doubles (NaNs, infinities and denormals among them) through every arithmetic form.
    '$P fldl (%esi)\nfldl 8(%esi)\nfadd %st(1), %st\nfstl 16(%esi)\nfmul %st(1), %st\nfstl 24(%esi)\nfdivl 8(%esi)\nfstpl 32(%esi)\nfsubrl (%esi)\nfstps 40(%esi)\nfnstsw %ax',
    '$P fldl (%esi)\nfmull 8(%esi)\nfdivl 16(%esi)\nfsubl 24(%esi)\nfstpl 32(%esi)\nfnstsw %ax\nmov %eax, %ebx\nfldl 40(%esi)\nfsqrt\nfstpt 48(%esi)\nfnstsw %ax',
    '$P fldl (%esi)\nfldl 8(%esi)\nfucomi %st(1), %st\nsetb %al\nsetz %ah\nsetp %bl\nmov %eax, %edx\nfcom %st(1)\nfnstsw %ax\nfstp %st(0)\nfstp %st(0)',
    '$P flds (%esi)\nflds 4(%esi)\nfdivrp\nfistl 8(%esi)\nfrndint\nfstps 12(%esi)\nfnstsw %ax',
    // Random 80-bit mantissas with moderate exponents: the extended range's own overflow and
    // underflow (beyond 2^16383) are not modelled.
    '$P orb $0x80, 7(%esi)\nmovw $0x3fff, 8(%esi)\norb $0x80, 23(%esi)\nmovw $0xc010, 24(%esi)\nfldt (%esi)\nfldt 16(%esi)\nfmulp\nfld %st(0)\nfaddp\nfstpt 32(%esi)\nfnstsw %ax',
    '$P fildll (%esi)\nfildll 8(%esi)\nfsubrp\nfistpll 16(%esi)\nfnstsw %ax',
    '$P fldl (%esi)\nfistpll 8(%esi)\nfldl 16(%esi)\nfisttpl 24(%esi)\nfnstsw %ax',
    '$P fldl2e\nfldl2t\nfldlg2\nfldln2\nfldpi\nfstpt (%esi)\nfstpt 10(%esi)\nfstpt 20(%esi)\nfstpt 30(%esi)\nfstpt 40(%esi)',
  ],
};

function randomState(next: () => number): SnippetState {
  const pick = (): number => {
    // Mix edge values with random ones so flags see zero, sign and overflow cases.
    const edges = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x80, 0x7f, 0xff, 0x8000, 0xffff];
    return next() % 4 === 0 ? edges[next() % edges.length]! : next();
  };
  return {
    eax: pick(), ecx: pick(), edx: pick(), ebx: pick(), ebp: pick(), esi: pick(), edi: pick(),
    eflags: next() & 0x8d5,
    data: Array.from({ length: 64 }, () => next() & 0xff),
  };
}

const dir = tempDir();
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;

for (const [family, snippets] of Object.entries(FAMILIES)) {
  test(`${family}: the emulator agrees with the real CPU`, { skip }, () => {
    const next = seededRandom(0x1234567 + family.length * 7919);
    const cases: Array<SnippetCase & { label: string }> = [];
    for (const raw of snippets) {
      const snippet = raw.startsWith('$P ') ? POINTERS + raw.slice(3) : raw;
      for (let k = 0; k < STATES_PER_SNIPPET; k++) {
        const state = randomState(next);
        cases.push({ snippet, state, label: `${raw.replace(/\n/g, '; ')} from ${JSON.stringify({ ...state, data: undefined })}` });
      }
    }
    const ran = runHarnessBothWays(dir, `family${counter++}`, cases);
    if ('error' in ran) return assert.fail(ran.error);
    const { exe, native, emulated } = ran;
    assert.equal(native.length, cases.length, 'every case ran natively');
    const undefinedFlags = undefinedFlagsOf(exe, cases.length);
    cases.forEach((c, k) => {
      const n = native[k]!;
      const e = emulated[k];
      assert.ok(e, `emulated dump ${k} is missing: ${c.label}`);
      const mask = (flags: number): number => flags & ~undefinedFlags[k]! & 0x00000cd5;
      assert.deepEqual(e.registers.slice(0, 8).map(hex), n.registers.slice(0, 8).map(hex), `registers: ${c.label}`);
      assert.equal(hex(mask(e.registers[8]!)), hex(mask(n.registers[8]!)), `eflags: ${c.label}`);
      assert.deepEqual(e.data, n.data, `data: ${c.label}`);
    });
  });
}

function hex(v: number): string {
  return (v >>> 0).toString(16);
}
