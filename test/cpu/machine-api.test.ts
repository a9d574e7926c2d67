// The Machine API beyond instruction semantics: the I/O port callback (in/out/ins/outs),
// deterministic cpuid and rdtsc, fs/gs segment bases, register access, and memory errors
// returned (never thrown) by the public memory helpers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, loadImage } from '../../server/src/cpu';
import { DATA, hasCommand, machineWith, runToHalt } from './cpu-test-support';

const skip = !hasCommand('as') || !hasCommand('ld') ? 'needs GNU as and ld' : false;

test('in/out/ins/outs go through the port callback with the right sizes', { skip }, () => {
  const log: string[] = [];
  const source = `mov $0x3f8, %dx\nmov $0x41, %al\nout %al, %dx\nout %eax, $0x80\nin %dx, %ax\nin $0x60, %al\n` +
    `mov $${DATA}, %edi\ncld\ninsb\nmov $${DATA}, %esi\nmov $2, %ecx\nrep outsw\nhlt`;
  const m = machineWith(source);
  m.ioPort = {
    read: (port, size) => { log.push(`in ${port.toString(16)}/${size}`); return 0x1234 + size; },
    write: (port, size, value) => { log.push(`out ${port.toString(16)}/${size}=${value.toString(16)}`); },
  };
  runToHalt(m);
  assert.deepEqual(log, [
    'out 3f8/1=41', 'out 80/4=41', 'in 3f8/2', 'in 60/1', 'in 3f8/1', 'out 3f8/2=35', 'out 3f8/2=0',
  ]);
  assert.equal(m.getRegisters().eax & 0xff, 0x35, 'in $0x60, %al took the low byte');
});

test('cpuid reports a fixed GenuineIntel identity and rdtsc counts instructions', { skip }, () => {
  const m = runToHalt(machineWith('xor %eax, %eax\ncpuid\nmov %ebx, %esi\nmov %edx, %edi\nmov %ecx, %ebp\nrdtsc\nhlt'));
  const r = m.getRegisters();
  const vendor = Buffer.alloc(12);
  [r.esi, r.edi, r.ebp].forEach((word, k) => vendor.writeUInt32LE(word, 4 * k));
  assert.equal(vendor.toString('latin1'), 'GenuineIntel');
  assert.equal(r.eax, 5, 'five instructions retired before rdtsc');
  assert.equal(r.edx, 0);
});

test('fs and gs segment bases offset memory operands', { skip }, () => {
  const m = machineWith('mov %fs:4, %eax\nmov %gs:8, %ebx\nmovl $7, %gs:12\nhlt');
  m.segmentBase.fs = DATA;
  m.segmentBase.gs = DATA + 0x100;
  m.memory.writeBytes(DATA + 4, Uint8Array.of(0x11, 0x22, 0x33, 0x44));
  m.memory.writeBytes(DATA + 0x108, Uint8Array.of(1, 0, 0, 0));
  runToHalt(m);
  assert.equal(m.getRegisters().eax, 0x44332211);
  assert.equal(m.getRegisters().ebx, 1);
  assert.deepEqual(m.memory.readBytes(DATA + 0x10c, 4), Uint8Array.of(7, 0, 0, 0));
});

test('public memory helpers return errors instead of throwing', () => {
  const m = new Machine();
  assert.deepEqual(m.memory.readBytes(0x1000, 4), { error: 'address 0x1000 is not mapped' });
  assert.deepEqual(m.memory.writeBytes(0x1000, Uint8Array.of(1)), { error: 'address 0x1000 is not mapped' });
  assert.equal(m.memory.map(0x1000, 0x1000, 'r').error, null);
  assert.equal(m.memory.writeBytes(0x1000, Uint8Array.of(1)).error, null, 'writeBytes ignores permissions (loader, debugger)');
  m.setRegisters({ eax: 0xffffffff, eip: 0x1000, eflags: 0 });
  assert.equal(m.getRegisters().eax, 0xffffffff);
  assert.equal(m.getRegisters().eflags, 2, 'bit 1 always reads 1');
  const r = m.step();
  assert.equal(r.kind, 'exception');
  if (r.kind === 'exception' && r.exception.kind === 'page-fault') assert.equal(r.exception.errorCode & 16, 16);
});

test('lfs and lgs load an offset and a selector whose descriptor base becomes the segment base', { skip }, () => {
  const m = machineWith(`lgs ${DATA}, %eax\nlfs ${DATA + 8}, %bx\nmov %gs:0, %ecx\nhlt`);
  m.descriptorBases.set(12, DATA + 0x40);
  m.memory.writeBytes(DATA, Uint8Array.of(0x78, 0x56, 0x34, 0x12, 0x63, 0x00, 0, 0, 0x22, 0x11, 0x2b, 0x00));
  m.memory.writeBytes(DATA + 0x40, Uint8Array.of(9, 0, 0, 0));
  runToHalt(m);
  assert.equal(m.getRegisters().eax, 0x12345678);
  assert.equal(m.getRegisters().ebx & 0xffff, 0x1122);
  assert.equal(m.segments[5], 0x63);
  assert.equal(m.segments[4], 0x2b);
  assert.equal(m.segmentBase.gs, DATA + 0x40);
  assert.equal(m.getRegisters().ecx, 9);
});

test('loadImage places the assembler image sections, resolves symbols and applies relocations', () => {
  const m = new Machine();
  // call func ; mov data, %eax ; hlt ; func: ret   (relocations as the assembler leaves them)
  const text = Uint8Array.of(0xe8, 0xfc, 0xff, 0xff, 0xff, 0xa1, 0, 0, 0, 0, 0xf4, 0xc3);
  const image = {
    sections: [
      { name: '.text', flags: 'ax', type: 'progbits' as const, bytes: text, size: text.length, alignment: 1 },
      { name: '.data', flags: 'aw', type: 'progbits' as const, bytes: Uint8Array.of(0x78, 0x56, 0x34, 0x12), size: 4, alignment: 4 },
    ],
    symbols: [
      { name: 'func', section: '.text', value: 11, binding: 'local' as const, type: 'function' as const, size: 1, defined: true, common: false },
      { name: 'data', section: '.data', value: 0, binding: 'global' as const, type: 'object' as const, size: 4, defined: true, common: false },
    ],
    relocations: [
      { section: '.text', offset: 1, type: 'R_386_PC32' as const, symbol: 'func', addend: -4 },
      { section: '.text', offset: 6, type: 'R_386_32' as const, symbol: 'data', addend: 0 },
    ],
    lines: [],
    diagnostics: [],
  };
  const loaded = loadImage(m, image, { base: 0x10000 });
  assert.deepEqual(loaded.errors, []);
  const textAt = loaded.sections.get('.text')!.address;
  assert.equal(textAt, 0x10000);
  assert.equal(loaded.symbols.get('data'), loaded.sections.get('.data')!.address);
  m.memory.map(0x80000, 0x1000, 'rw');
  m.setRegisters({ eip: textAt, esp: 0x81000 });
  assert.equal(m.run(10).stop.kind, 'halt');
  assert.equal(m.getRegisters().eax, 0x12345678);
  const missing = loadImage(new Machine(), { ...image, symbols: [] }, { base: 0x10000 });
  assert.equal(missing.errors.length, 2);
});
