// Privilege checks against the real CPU: in user mode (CPL 3, IOPL 0 under Linux) the ring-0 and
// IOPL-sensitive instructions fault; the native program's signal handler reports the kernel's
// trap number, error code, EIP and registers, which the emulator's exception must equal. popf and
// iret at CPL 3 leave IF and IOPL alone (natively too). At CPL 0, where the kprobe engine runs
// kernel code, the same instructions run; at CPL 3 with IOPL 3 or a TSS I/O bitmap, they run as
// the SDM says (no user-mode oracle there: fixtures citing it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Machine } from '../../server/src/cpu';
import { encodeDescriptor } from '../../server/src/cpu/descriptor-tables';
import { DATA, hasCommand, machineWith, runToHalt } from './cpu-test-support';
import { buildFaultProgram, runEmulatedFault, runNativeFault } from './native-fault-harness';
import { runHarnessBothWays, tempDir, type SnippetState } from './native-snippet-harness';

const skip = !hasCommand('as') || !hasCommand('ld') || process.arch !== 'x64' && process.arch !== 'ia32' ? 'needs GNU as, ld and an x86 host' : false;

/** Every instruction that must fault at CPL 3 with IOPL 0: IOPL-sensitive, I/O, and ring 0 only. */
const USER_FAULTS = [
  'cli', 'sti', 'hlt',
  'in $0x80, %al', 'in (%dx), %eax', 'out %al, $0x80', 'outw %ax, (%dx)', 'insb', 'outsl', 'rep insw',
  'mov %cr0, %eax', 'mov %cr2, %ebx', 'mov %eax, %cr3', 'mov %cr4, %ecx', 'mov %cr1, %eax', 'mov %eax, %cr5',
  'mov %db0, %eax', 'mov %db7, %edx', 'mov %eax, %db7', 'mov %db4, %eax', 'mov %db6, %eax',
  'clts', 'invd', 'wbinvd', 'invlpg data', 'lgdt data', 'lidt data', 'lmsw %ax', 'lldt %ax', 'ltr %ax', 'rdmsr', 'wrmsr',
];

test('at CPL 3 the privileged and IOPL-sensitive instructions fault as on the real CPU (vector, error code, EIP, state)', { skip }, () => {
  const dir = tempDir();
  try {
    USER_FAULTS.forEach((instruction, k) => {
      const exe = buildFaultProgram(dir, `fault${k}`, instruction);
      if (typeof exe !== 'string') return assert.fail(`${instruction}: ${exe.error}`);
      const native = runNativeFault(exe);
      const emulated = runEmulatedFault(exe);
      if ('error' in native) return assert.fail(`${instruction}: ${native.error}`);
      if ('error' in emulated) return assert.fail(`${instruction}: ${emulated.error}`);
      // The kernel sends SIGSEGV for #GP and SIGILL for #UD.
      assert.equal(native.signal, native.vector === 6 ? 4 : 11, instruction);
      const { signal: _signal, ...nativeFault } = native;
      assert.deepEqual(emulated, nativeFault, instruction);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('popf and iret at CPL 3 with IOPL 0 change neither IF nor IOPL, as on the real CPU', { skip }, () => {
  const state: SnippetState = { eax: 1, ecx: 2, edx: 3, ebx: 4, ebp: 5, esi: 6, edi: 7, eflags: 0, data: [] };
  const snippets = [
    'pushl $0x00000002\npopf',
    'pushl $0x00003002\npopf',
    'pushl $0x00003ad7\npopf',
    'pushw $0x3002\npopfw',
    'pushl $0x00003002\npushl %cs\npushl $1f\niret\n1:',
  ];
  const dir = tempDir();
  try {
    const r = runHarnessBothWays(dir, 'popf', snippets.map((snippet) => ({ snippet, state })));
    if ('error' in r) return assert.fail(r.error);
    snippets.forEach((snippet, k) => {
      assert.equal(r.native[k]!.registers[8]! & 0x3200, 0x0200, `${snippet}: natively IF stays set and IOPL 0`);
      assert.deepEqual(r.emulated[k], r.native[k], snippet);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A machine whose I/O ports answer reads with 0x100 + port and log writes. */
function withPorts(source: string, registers: Record<string, number> = {}): { m: Machine; writes: number[][] } {
  const writes: number[][] = [];
  const m = machineWith(source, registers);
  m.ioPort = { read: (port, size) => (0x100 + port) & (size === 4 ? 0xffffffff : (1 << (8 * size)) - 1), write: (port, size, value) => void writes.push([port, size, value]) };
  return { m, writes };
}

test('at CPL 0 the same instructions run: cli/sti, in/out/ins/outs, mov CRn/DRn, hlt', { skip }, () => {
  const { m, writes } = withPorts([
    'cli', 'pushf', 'popl %ebx', 'sti', 'pushf', 'popl %ecx',
    'in $0x61, %al', 'mov $0x3f8, %edx', 'outb %al, (%dx)',
    `mov $${DATA}, %edi`, 'insw', `mov $${DATA}, %esi`, 'outsw',
    'mov %cr0, %eax', 'or $8, %eax', 'mov %eax, %cr0', 'mov %cr0, %ebp',
    'mov $0x1234, %eax', 'mov %eax, %db0', 'mov %db0, %edi', 'hlt',
  ].join('\n'));
  runToHalt(m);
  const r = m.getRegisters();
  assert.equal(r.ebx & 0x200, 0, 'cli clears IF');
  assert.equal(r.ecx & 0x200, 0x200, 'sti sets IF');
  assert.equal(m.getRegisters().esi, DATA + 2, 'outsw advanced ESI');
  assert.deepEqual(writes, [[0x3f8, 1, 0x61], [0x3f8, 2, 0x4f8]]);
  assert.equal(r.ebp & 8, 8, 'mov to CR0 set TS');
  assert.equal(r.edi, 0x1234, 'DR0 written and read back');
});

test('at CPL 3 with IOPL 3, cli/sti and I/O run; popf changes IF but not IOPL (SDM Vol. 2A CLI, Vol. 2B POPF)', { skip }, () => {
  const { m, writes } = withPorts(['cli', 'in $0x40, %al', 'out %al, $0x41', 'sti', 'pushl $0x00000002', 'popf', 'pushf', 'popl %ebx', 'hlt'].join('\n'), { eflags: 0x3202 });
  m.segments[1] = 0x23;
  const f = m.run(100).stop;
  // hlt stays ring 0 only whatever IOPL says.
  assert.equal(f.kind === 'exception' && f.exception.vector, 13);
  assert.deepEqual(writes, [[0x41, 1, 0x40]]);
  assert.equal(m.getRegisters().ebx & 0x3200, 0x3000, 'popf cleared IF (CPL <= IOPL) and kept IOPL 3 (CPL > 0)');
});

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

/** A GDT at DATA+0x800 whose TSS (selector 0x08, at DATA+0x100) has an I/O bitmap at offset 0x68. */
function withIoBitmap(source: string, limit: number): { m: Machine; writes: number[][] } {
  const r = withPorts(`lgdt ${DATA + 0x7f0}\nmov $8, %ax\nltr %ax\n${source}`);
  r.m.memory.writeBytes(DATA + 0x800, new Uint8Array(8));
  r.m.memory.writeBytes(DATA + 0x808, encodeDescriptor(DATA + 0x100, limit, 0x89, 0));
  r.m.memory.writeBytes(DATA + 0x7f0, Uint8Array.of(15, 0, ...le32(DATA + 0x800)));
  r.m.memory.writeBytes(DATA + 0x100 + 0x66, Uint8Array.of(0x68, 0));
  // Ports 0x00-0x7f allowed, 0x80-0x87 not, 0x88-0x8f allowed; the byte after the map is 0xff.
  r.m.memory.writeBytes(DATA + 0x100 + 0x68, Uint8Array.of(...new Array<number>(16).fill(0), 0xff, 0, 0xff));
  return r;
}

test('at CPL 3 with IOPL 0, I/O runs where the TSS I/O bitmap allows every byte of it, else #GP(0) (SDM Vol. 1 19.5)', { skip }, () => {
  const cases: Array<[string, boolean]> = [
    ['in $0x7f, %al', true], ['in $0x7e, %ax', true], ['in $0x7e, %eax', false], ['out %al, $0x80', false],
    ['in $0x88, %al', true], ['mov $0x8f, %dx\ninb (%dx), %al', true], ['mov $0x8f, %dx\ninw (%dx), %ax', false],
  ];
  for (const [source, allowed] of cases) {
    const { m } = withIoBitmap(`mov $0x23, %eax\n${source}\nnop\nhlt`, 0x68 + 17 + 1);
    // lgdt, mov, ltr and mov run at CPL 0; the rest at CPL 3.
    assert.equal(m.run(4).stop.kind, 'limit');
    m.segments[1] = 0x23;
    const stop = m.run(100).stop;
    assert.equal(stop.kind === 'exception' && stop.exception.vector, 13, source);
    // Allowed I/O reaches the hlt (#GP at CPL 3); refused I/O faults at itself.
    const faultedAtHlt = stop.kind === 'exception' && stop.exception.message.startsWith('hlt');
    assert.equal(faultedAtHlt, allowed, source);
  }
  // A bitmap byte beyond the TSS limit is a 1: port 0x88 with the limit ending inside the map.
  const { m } = withIoBitmap('mov $0x23, %eax\nin $0x88, %al\nhlt', 0x68 + 16);
  m.run(4);
  m.segments[1] = 0x23;
  const stop = m.run(100).stop;
  assert.equal(stop.kind === 'exception' && stop.exception.message.startsWith('in of port 0x88'), true);
});
