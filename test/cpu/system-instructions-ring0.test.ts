// Fixtures for the system instructions only ring 0 may run, so no user-mode oracle can check them:
// each test states the Intel SDM behaviour it checks (section named in the comment). lgdt/lidt,
// lldt/ltr and the descriptor checks against a GDT in guest memory, smsw/lmsw/clts, rdmsr/wrmsr,
// sysenter/sysexit, rdpmc, #GP at CPL 3, and snapshots of the new state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Machine } from '../../server/src/cpu';
import { encodeDescriptor } from '../../server/src/cpu/descriptor-tables';
import { DATA, hasCommand, machineWith, runToHalt } from './cpu-test-support';

const skip = !hasCommand('as') || !hasCommand('ld') ? 'needs GNU as and ld' : false;
const ZF = 0x40;

/** Runs to hlt expecting no exception; or, with `fault`, to the first exception, returned. */
function faultOf(m: Machine): { vector: number; errorCode: number; message: string } {
  const r = m.run(1000);
  if (r.stop.kind !== 'exception') throw new Error(`expected an exception, got ${JSON.stringify(r.stop)}`);
  const e = r.stop.exception;
  return { vector: e.vector, errorCode: 'errorCode' in e ? e.errorCode : -1, message: e.message };
}

/** A GDT at DATA+0x800: null, flat code DPL0, flat data DPL0, conforming code DPL3 execute-only,
 *  data DPL0 byte-granular limit 0x1234, an available 32-bit TSS, an LDT, a not-present data. */
function writeGdt(m: Machine): void {
  const entries = [
    new Uint8Array(8),
    encodeDescriptor(0, 0xfffff, 0x9b, 0xc),
    encodeDescriptor(0, 0xfffff, 0x93, 0xc),
    encodeDescriptor(0, 0xfffff, 0xfc, 0xc), // 0x18: conforming code, execute-only (type C)
    encodeDescriptor(0x10000, 0x1234, 0x93, 0x4),
    encodeDescriptor(DATA + 0x100, 0x67, 0x89, 0),
    encodeDescriptor(DATA + 0x200, 0x2f, 0x82, 0),
    encodeDescriptor(0, 0xfffff, 0x13, 0xc), // 0x38: data, not present
  ];
  entries.forEach((d, k) => m.memory.writeBytes(DATA + 0x800 + 8 * k, d));
  // The pseudo-descriptor lgdt reads: limit, base.
  m.memory.writeBytes(DATA + 0x7f0, Uint8Array.of(entries.length * 8 - 1, 0, ...le32(DATA + 0x800)));
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

test('lgdt/lidt load the pseudo-descriptor; sgdt/sidt store it back (SDM Vol. 2A LGDT/LIDT, Vol. 2B SGDT, SIDT)', { skip }, () => {
  const m = machineWith(`lgdt ${DATA + 0x7f0}\nlidt ${DATA + 0x7f0}\nsgdt ${DATA + 0x10}\nsidt ${DATA + 0x20}\nhlt`);
  writeGdt(m);
  runToHalt(m);
  assert.deepEqual(m.descriptorTables.gdtr, { base: DATA + 0x800, limit: 63 });
  assert.deepEqual(m.descriptorTables.idtr, { base: DATA + 0x800, limit: 63 });
  assert.deepEqual([...(m.memory.readBytes(DATA + 0x10, 6) as Uint8Array)], [63, 0, ...le32(DATA + 0x800)]);
  assert.deepEqual([...(m.memory.readBytes(DATA + 0x20, 6) as Uint8Array)], [63, 0, ...le32(DATA + 0x800)]);
});

test('lgdtw with a 16-bit operand size loads only 24 bits of the base (SDM Vol. 2A LGDT/LIDT)', { skip }, () => {
  const m = machineWith(`lgdtw ${DATA + 0x30}\nhlt`);
  m.memory.writeBytes(DATA + 0x30, Uint8Array.of(0xff, 0x00, 0x78, 0x56, 0x34, 0x12));
  runToHalt(m);
  assert.deepEqual(m.descriptorTables.gdtr, { base: 0x345678, limit: 0xff });
});

test('lar, lsl, verr and verw read a GDT in guest memory (SDM Vol. 2A LAR, LSL; Vol. 2B VERR/VERW)', { skip }, () => {
  const source = [
    `lgdt ${DATA + 0x7f0}`,
    'mov $0x18, %eax', 'lar %eax, %ebx', 'pushf', // conforming code, DPL 3: readable? no (execute-only)
    'mov $0x20, %eax', 'lsl %eax, %ecx', 'pushf', // byte-granular limit
    'mov $0x08, %eax', 'lsl %eax, %edx', 'pushf', // page-granular: limit scaled
    'mov $0x28, %eax', 'lar %eax, %esi', 'pushf', // available TSS: a system type lar accepts
    'mov $0x40, %eax', 'lar %eax, %edi', 'pushf', // beyond the limit: ZF clear, EDI unchanged
    'mov $0x18, %eax', 'verr %ax', 'pushf', // execute-only code is not readable
    'mov $0x10, %eax', 'verw %ax', 'pushf', // writable data
    'mov $0x08, %eax', 'verw %ax', 'pushf', // code is never writable
    'hlt',
  ].join('\n');
  const m = machineWith(source, { edi: 0x5a5a5a5a });
  writeGdt(m);
  runToHalt(m);
  const r = m.getRegisters();
  assert.equal(r.ebx, 0x00cffc00, 'lar: the access rights of the conforming code descriptor');
  assert.equal(r.ecx, 0x1234);
  assert.equal(r.edx, 0xffffffff);
  assert.equal(r.esi, 0x00008900);
  assert.equal(r.edi, 0x5a5a5a5a);
  const flags: boolean[] = [];
  for (let k = 0; k < 8; k++) flags.unshift((m.readMem((r.esp + 4 * k) >>> 0, 4) & ZF) !== 0);
  assert.deepEqual(flags, [true, true, true, true, false, false, true, false]);
});

test('lar and verr respect DPL against CPL and RPL, except for conforming code (SDM Vol. 2A LAR)', { skip }, () => {
  const m = machineWith('mov $0x13, %eax\nlar %eax, %ebx\npushf\nmov $0x1b, %eax\nlar %eax, %ecx\npushf\nhlt');
  writeGdt(m);
  m.descriptorTables.gdtr = { base: DATA + 0x800, limit: 63 };
  m.descriptorTables.builtIn = null;
  runToHalt(m);
  // 0x13: DPL-0 data with RPL 3, refused; 0x1b: conforming code, accepted whatever the RPL.
  assert.equal(m.readMem(m.getRegisters().esp + 4, 4) & ZF, 0);
  assert.equal(m.readMem(m.getRegisters().esp, 4) & ZF, ZF);
  assert.equal(m.getRegisters().ecx, 0x00cffc00);
});

test('lldt loads LDTR from an LDT descriptor; lar then reads the LDT (SDM Vol. 2A LLDT)', { skip }, () => {
  const m = machineWith(`lgdt ${DATA + 0x7f0}\nmov $0x30, %eax\nlldt %ax\nsldt %ebx\nmov $0x0f, %eax\nlar %eax, %ecx\nhlt`);
  writeGdt(m);
  // LDT entry 1: a DPL-3 data descriptor.
  m.memory.writeBytes(DATA + 0x208, encodeDescriptor(0, 0xfffff, 0xf3, 0xc));
  runToHalt(m);
  assert.equal(m.getRegisters().ebx, 0x30);
  assert.deepEqual(m.descriptorTables.ldt, { base: DATA + 0x200, limit: 0x2f });
  assert.equal(m.getRegisters().ecx, 0x00cff300);
});

test('lldt of a non-LDT descriptor is #GP(selector); of a not-present one #NP(selector) (SDM Vol. 2A LLDT)', { skip }, () => {
  const gp = machineWith(`lgdt ${DATA + 0x7f0}\nmov $0x10, %eax\nlldt %ax\nhlt`);
  writeGdt(gp);
  assert.deepEqual({ ...faultOf(gp), message: '' }, { vector: 13, errorCode: 0x10, message: '' });
  const np = machineWith(`lgdt ${DATA + 0x7f0}\nmov $0x30, %eax\nlldt %ax\nhlt`);
  writeGdt(np);
  np.memory.writeBytes(DATA + 0x830 + 5, Uint8Array.of(0x02)); // clear P of the LDT descriptor
  assert.equal(faultOf(np).vector, 11);
});

test('ltr loads TR and marks the TSS busy; ltr of a busy TSS is #GP(selector) (SDM Vol. 2A LTR)', { skip }, () => {
  const m = machineWith(`lgdt ${DATA + 0x7f0}\nmov $0x28, %eax\nltr %ax\nstr %ebx\nltr %ax\nhlt`);
  writeGdt(m);
  const f = faultOf(m);
  assert.equal(m.getRegisters().ebx, 0x28);
  assert.equal(m.memory.readBytes(DATA + 0x828 + 5, 1) instanceof Uint8Array && (m.memory.readBytes(DATA + 0x828 + 5, 1) as Uint8Array)[0], 0x8b, 'type 9 became 11 (busy)');
  assert.deepEqual([f.vector, f.errorCode], [13, 0x28]);
});

test('the built-in GDT: flat code and data for ring 0 and for the ELF loader, TR 0x40 (descriptor-tables.ts)', { skip }, () => {
  const m = machineWith('mov $0x08, %eax\nlar %eax, %ebx\nmov $0x2b, %eax\nlar %eax, %ecx\nlsl %eax, %edx\nstr %esi\nsldt %edi\nhlt');
  runToHalt(m);
  const r = m.getRegisters();
  assert.deepEqual([r.ebx, r.ecx, r.edx, r.esi, r.edi], [0x00cf9b00, 0x00cff300, 0xffffffff, 0x40, 0]);
});

test('smsw/lmsw/clts: lmsw sets MP EM TS but cannot clear PE; clts clears TS (SDM Vol. 2A LMSW, CLTS; Vol. 2B SMSW)', { skip }, () => {
  const m = machineWith('mov $0x000e, %eax\nlmsw %ax\nsmsw %ebx\nclts\nsmsw %ecx\nsmsww %dx\nhlt', { edx: 0xffff0000 });
  runToHalt(m);
  const r = m.getRegisters();
  assert.equal(r.ebx, 0x8000001f, 'CR0: PG ET PE kept, MP EM TS set');
  assert.equal(r.ecx, 0x80000017, 'TS cleared');
  assert.equal(r.edx, 0xffff0017, 'a 16-bit register store leaves the upper half');
});

test('rdmsr/wrmsr: the SYSENTER MSRs and the TSC; an MSR the machine lacks is #GP(0) (SDM Vol. 2B RDMSR, WRMSR; Vol. 4 Table 2-2)', { skip }, () => {
  const m = machineWith([
    'mov $0x174, %ecx', 'mov $0x60, %eax', 'xor %edx, %edx', 'wrmsr', 'xor %eax, %eax', 'rdmsr', 'mov %eax, %ebx',
    'mov $0x10, %ecx', 'mov $1000000, %eax', 'mov $2, %edx', 'wrmsr', 'rdtsc', 'mov %eax, %esi', 'mov %edx, %edi',
    'mov $0x1b, %ecx', 'rdmsr', 'hlt',
  ].join('\n'));
  const f = faultOf(m);
  const r = m.getRegisters();
  assert.equal(r.ebx, 0x60);
  // The TSC counts instructions here: rdtsc, one instruction after the wrmsr, reads the value + 1.
  assert.deepEqual([r.esi, r.edi], [1000001, 2]);
  assert.deepEqual([f.vector, f.errorCode], [13, 0]);
});

test('sysenter enters ring 0 from the SYSENTER MSRs; sysexit returns to ring 3 at EDX/ECX (SDM Vol. 2B SYSENTER, SYSEXIT)', { skip }, () => {
  const m = machineWith([
    'mov $0x174, %ecx', 'mov $0x60, %eax', 'xor %edx, %edx', 'wrmsr',
    'mov $0x175, %ecx', `mov $${DATA + 0x1000}, %eax`, 'wrmsr',
    'mov $0x176, %ecx', 'mov $1f, %eax', 'wrmsr',
    'mov $2f, %edx', 'mov $0x12345678, %ecx', 'sti', 'sysenter', 'ud2',
    '1: mov %esp, %ebx', 'mov %cs, %esi', 'mov %ss, %edi', 'sysexit',
    '2: hlt',
  ].join('\n'));
  // Back at CPL 3, hlt is #GP(0) (SDM Vol. 2A HLT): the run stops there.
  assert.deepEqual([faultOf(m).vector, m.segments[1]], [13, 0x73]);
  const r = m.getRegisters();
  assert.equal(r.ebx, DATA + 0x1000, 'ESP from IA32_SYSENTER_ESP');
  assert.deepEqual([r.esi & 0xffff, r.edi & 0xffff], [0x60, 0x68], 'CS = SYSENTER_CS, SS = SYSENTER_CS + 8');
  assert.equal(r.eflags & 0x200, 0, 'sysenter clears IF');
  assert.deepEqual([m.segments[1], m.segments[2]], [0x73, 0x7b], 'sysexit: CS = +16 and SS = +24, RPL 3');
  assert.equal(r.esp, 0x12345678, 'ESP from ECX');
});

test('sysenter with IA32_SYSENTER_CS zero is #GP(0); sysexit at CPL 3 is #GP(0) (SDM Vol. 2B SYSENTER, SYSEXIT)', { skip }, () => {
  assert.equal(faultOf(machineWith('sysenter\nhlt')).vector, 13);
  const user = machineWith('mov $0x174, %ecx\nmov $0x60, %eax\nxor %edx, %edx\nwrmsr\nmov $0x73, %eax\nhlt');
  runToHalt(user);
  user.segments[1] = 0x73;
  user.memory.map(DATA + 0x1800, 0x100, 'rwx');
  user.memory.writeBytes(DATA + 0x1800, Uint8Array.of(0x0f, 0x35, 0xf4)); // sysexit; hlt
  user.eip = DATA + 0x1800;
  assert.equal(faultOf(user).vector, 13);
});

test('rdpmc: allowed at CPL 0, at CPL 3 only with CR4.PCE; a counter that does not exist is #GP(0) (SDM Vol. 2B RDPMC)', { skip }, () => {
  const ring0 = machineWith('xor %ecx, %ecx\nmov $-1, %eax\nrdpmc\nhlt');
  runToHalt(ring0);
  assert.equal(ring0.getRegisters().eax, 0);
  assert.equal(faultOf(machineWith('mov $2, %ecx\nrdpmc\nhlt')).vector, 13);
  const user = machineWith('xor %ecx, %ecx\nrdpmc\nhlt');
  user.segments[1] = 0x23;
  assert.equal(faultOf(user).vector, 13);
  const allowed = machineWith('xor %ecx, %ecx\nmov $-1, %eax\nrdpmc\nhlt');
  allowed.segments[1] = 0x23;
  allowed.control[4] = 1 << 8;
  // With CR4.PCE set, rdpmc at CPL 3 reads the counter instead of faulting; the hlt after it is #GP(0).
  const f = faultOf(allowed);
  assert.equal(f.vector, 13);
  assert.match(f.message, /^hlt/);
  assert.equal(allowed.getRegisters().eax, 0);
});

test('instructions the table marks privileged raise #GP(0) at CPL 3 (SDM Vol. 3A 5.9)', { skip }, () => {
  for (const source of [`lgdt ${DATA}`, `lidt ${DATA}`, 'lldt %ax', 'ltr %ax', 'lmsw %ax', 'clts', `invlpg ${DATA}`, 'wbinvd', 'invd', 'rdmsr', 'wrmsr']) {
    const m = machineWith(`${source}\nhlt`);
    m.segments[1] = 0x23;
    const f = faultOf(m);
    assert.deepEqual([f.vector, f.errorCode], [13, 0], source);
  }
});

test('snapshots keep the descriptor tables and the MSRs', { skip }, () => {
  const m = machineWith(`lgdt ${DATA + 0x7f0}\nmov $0x174, %ecx\nmov $0x60, %eax\nxor %edx, %edx\nwrmsr\nhlt`);
  writeGdt(m);
  const before = m.snapshot();
  runToHalt(m);
  assert.equal(m.msrs.low32(0x174), 0x60);
  m.restore(before);
  assert.equal(m.msrs.low32(0x174), 0);
  assert.notEqual(m.descriptorTables.builtIn, null, 'the built-in GDT is back');
});
