// Trap and fault fixtures, per the Intel SDM: TF single-step (including popf and iret setting TF
// and the mov ss / pop ss shadow), int3 reporting the next EIP, faults restarting at the faulting
// instruction, #PF with CR2 and its error code, self-modifying code, host breakpoints, snapshots.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CpuException } from '../../server/src/cpu';
import { decode } from '../../server/src/isa';
import { CODE, DATA, STACK_TOP, assemble, hasCommand, machineWith } from './cpu-test-support';

const skip = !hasCommand('as') || !hasCommand('ld') ? 'needs GNU as and ld' : false;
const TF = 0x100;

/** Addresses of the instructions of a straight-line snippet, from the decoder's lengths. */
function addresses(source: string): number[] {
  const bytes = assemble(source);
  const out: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += decode(bytes, offset, CODE + offset).length) out.push(CODE + offset);
  out.push(CODE + bytes.length);
  return out;
}

test('TF single-step traps after every instruction that began with TF set, reporting the next EIP', { skip }, () => {
  const source = 'nop\nmov $1, %eax\nadd %eax, %eax\nhlt';
  const at = addresses(source);
  const m = machineWith(source, { eflags: 0x202 | TF });
  const seen: number[] = [];
  for (let k = 0; k < 3; k++) {
    const r = m.step();
    assert.equal(r.kind, 'exception');
    if (r.kind !== 'exception') return;
    assert.equal(r.exception.kind, 'debug');
    assert.equal(r.exception.name, '#DB');
    if (r.exception.kind === 'debug') assert.equal(r.exception.cause, 'single-step');
    assert.equal((m.debug[6]! & 0x4000) !== 0, true, 'DR6.BS is set');
    seen.push(r.exception.eip);
    assert.equal(m.eip, r.exception.eip, 'a trap leaves EIP at the next instruction');
  }
  assert.deepEqual(seen, at.slice(1, 4));
  assert.equal(m.getRegisters().eax, 2);
});

test('popf that sets TF traps only after the following instruction', { skip }, () => {
  const source = 'pushl $0x302\npopf\nnop\nnop\nhlt';
  const at = addresses(source);
  const m = machineWith(source);
  assert.equal(m.step().kind, 'executed'); // push
  assert.equal(m.step().kind, 'executed'); // popf sets TF: no trap after popf itself
  assert.equal(m.eip, at[2]);
  const r = m.step(); // the nop after popf traps
  assert.equal(r.kind, 'exception');
  if (r.kind === 'exception') assert.equal(r.exception.eip, at[3]);
});

test('popf that clears TF still traps after itself (TF was set when it began)', { skip }, () => {
  const source = 'pushl $0x202\npopf\nnop\nhlt';
  const at = addresses(source);
  const m = machineWith(source, { eflags: 0x202 | TF });
  let r = m.step();
  assert.equal(r.kind, 'exception'); // after push
  r = m.step();
  assert.equal(r.kind, 'exception'); // after popf
  if (r.kind === 'exception') assert.equal(r.exception.eip, at[2]);
  assert.equal(m.step().kind, 'executed'); // nop: TF now clear
});

test('iret that sets TF traps only after the first instruction it returns to', { skip }, () => {
  const source = 'pushl $0x302\npushl %cs\npushl $1f\niret\n1: nop\nnop\nhlt';
  const at = addresses(source);
  const m = machineWith(source);
  m.segments[1] = 0x73;
  for (let k = 0; k < 4; k++) assert.equal(m.step().kind, 'executed', `instruction ${k}`);
  assert.equal(m.eip, at[4]);
  assert.equal(m.eflags & TF, TF);
  const r = m.step();
  assert.equal(r.kind, 'exception');
  if (r.kind === 'exception') assert.equal(r.exception.eip, at[5]);
});

test('mov ss and pop ss hold the single-step trap back for one instruction', { skip }, () => {
  for (const load of ['mov %ax, %ss', 'pop %ss']) {
    const source = `mov %ss, %ax\npush %eax\n${load}\nnop\nnop\nhlt`;
    const at = addresses(source);
    const m = machineWith(source);
    m.segments[2] = 0x7b;
    m.step();
    m.step();
    m.eflags |= TF;
    const shadowed = m.step(); // mov ss / pop ss: no trap
    assert.equal(shadowed.kind, 'executed', load);
    const r = m.step(); // the instruction in the shadow: the delayed trap
    assert.equal(r.kind, 'exception', load);
    if (r.kind === 'exception') assert.equal(r.exception.eip, at[4], load);
  }
});

test('int3 reports #BP with the EIP after it, and a handler can resume', { skip }, () => {
  const source = 'nop\nint3\nmov $7, %ebx\nhlt';
  const at = addresses(source);
  const m = machineWith(source);
  const seen: CpuException[] = [];
  let r = m.run(10);
  assert.equal(r.stop.kind, 'exception');
  if (r.stop.kind === 'exception') {
    assert.equal(r.stop.exception.name, '#BP');
    assert.equal(r.stop.exception.vector, 3);
    assert.equal(r.stop.exception.eip, at[2]);
    assert.equal(r.stop.exception.instructionAddress, at[1]);
  }
  assert.equal(m.eip, at[2]);
  m.setExceptionHandler((_machine, e) => {
    seen.push(e);
    return 'resume';
  });
  m.eip = CODE;
  r = m.run(10);
  assert.equal(r.stop.kind, 'halt');
  assert.equal(seen.length, 1);
  assert.equal(m.getRegisters().ebx, 7);
});

test('#DE is a fault: EIP stays on the div, and the handler can fix the divisor and retry', { skip }, () => {
  const source = 'mov $10, %eax\nxor %edx, %edx\nxor %ecx, %ecx\ndiv %ecx\nhlt';
  const at = addresses(source);
  const m = machineWith(source);
  const r = m.run(10);
  assert.equal(r.stop.kind, 'exception');
  if (r.stop.kind !== 'exception') return;
  assert.equal(r.stop.exception.name, '#DE');
  assert.equal(r.stop.exception.eip, at[3]);
  assert.equal(m.eip, at[3]);
  m.regs[1] = 3;
  assert.equal(m.run(10).stop.kind, 'halt');
  assert.equal(m.getRegisters().eax, 3);
  assert.equal(m.getRegisters().edx, 1);
});

test('#PF reports CR2 and the error code, restarts the instruction, and leaves registers unchanged', { skip }, () => {
  const unmapped = 0x00700000;
  const source = `mov $${unmapped + 0x10}, %ebx\nmovl $0x1234, (%ebx)\nmov (%ebx), %ecx\nhlt`;
  const m = machineWith(source);
  const r = m.run(10);
  assert.equal(r.stop.kind, 'exception');
  if (r.stop.kind !== 'exception' || r.stop.exception.kind !== 'page-fault') return assert.fail('expected #PF');
  assert.equal(r.stop.exception.cr2, unmapped + 0x10);
  assert.equal(m.control[2], unmapped + 0x10);
  assert.equal(r.stop.exception.errorCode & 2, 2, 'a write');
  assert.equal(r.stop.exception.errorCode & 1, 0, 'not present');
  assert.equal(m.eip, r.stop.exception.eip);
  m.memory.map(unmapped, 0x1000, 'r');
  const again = m.run(10);
  assert.equal(again.stop.kind, 'exception');
  if (again.stop.kind === 'exception' && again.stop.exception.kind === 'page-fault') {
    assert.equal(again.stop.exception.errorCode & 3, 3, 'a write to a present read-only page');
  }
  m.memory.map(unmapped, 0x1000, 'rw');
  assert.equal(m.run(10).stop.kind, 'halt');
  assert.equal(m.getRegisters().ecx, 0x1234);
});

test('a push that faults leaves ESP unchanged', { skip }, () => {
  const m = machineWith('push %eax\nhlt', { esp: 0x00900000 });
  const r = m.step();
  assert.equal(r.kind, 'exception');
  assert.equal(m.getRegisters().esp, 0x00900000);
  assert.equal(m.eip, CODE);
});

test('executing a non-executable page raises #PF with the fetch bit', { skip }, () => {
  const m = machineWith('jmp *%eax', { eax: DATA });
  const r = m.run(10);
  if (r.stop.kind !== 'exception' || r.stop.exception.kind !== 'page-fault') return assert.fail('expected #PF');
  assert.equal(r.stop.exception.cr2, DATA);
  assert.equal(r.stop.exception.errorCode & 16, 16);
});

test('self-modifying code: a store over decoded code is seen on the next execution', { skip }, () => {
  // The loop runs `mov $1, %eax` once, patches its immediate to 2 and runs it again.
  const source = `
    xor %ecx, %ecx
  again:
  target:
    mov $1, %eax
    add %eax, %ecx
    cmpl $1, %ecx
    jne done
    movb $2, target+1
    jmp again
  done:
    hlt`;
  const m = machineWith(source);
  m.memory.map(CODE, 0x1000, 'rwx');
  assert.equal(m.run(100).stop.kind, 'halt');
  assert.equal(m.getRegisters().ecx, 3, '1 then 2');
});

test('writing int3 over cached code through memory.writeBytes takes effect (kprobe arming)', { skip }, () => {
  const m = machineWith('nop\nnop\nnop\nhlt');
  assert.equal(m.run(10).stop.kind, 'halt');
  m.memory.writeBytes(CODE + 1, Uint8Array.of(0xcc));
  m.eip = CODE;
  const r = m.run(10);
  assert.equal(r.stop.kind, 'exception');
  if (r.stop.kind === 'exception') assert.equal(r.stop.exception.eip, CODE + 2);
});

test('host breakpoints stop run() before the instruction, and run() can resume from one', { skip }, () => {
  const source = 'nop\nnop\nnop\nhlt';
  const m = machineWith(source);
  m.hostBreakpoints.add(CODE + 2);
  const r = m.run(100);
  assert.deepEqual(r.stop, { kind: 'breakpoint', eip: CODE + 2 });
  assert.equal(r.executed, 2);
  assert.equal(m.run(100).stop.kind, 'halt');
});

test('rep movs: one iteration per step(), whole in run(); lastWrites names the stores', { skip }, () => {
  const source = `mov $${DATA}, %esi\nmov $${DATA + 0x100}, %edi\nmov $3, %ecx\nrep movsl\nhlt`;
  const m = machineWith(source);
  m.memory.writeBytes(DATA, Uint8Array.from({ length: 12 }, (_, k) => k + 1));
  m.step(); m.step(); m.step();
  const repAt = m.eip;
  m.step();
  assert.equal(m.eip, repAt, 'EIP stays on rep movs until ECX is 0');
  assert.deepEqual(m.lastWrites(), [{ address: DATA + 0x100, size: 4 }]);
  m.step();
  m.step();
  assert.notEqual(m.eip, repAt);
  assert.equal(m.getRegisters().ecx, 0);
  const whole = machineWith(source);
  whole.memory.writeBytes(DATA, Uint8Array.from({ length: 12 }, (_, k) => k + 1));
  assert.equal(whole.run(100).stop.kind, 'halt');
  assert.deepEqual(whole.memory.readBytes(DATA + 0x100, 12), Uint8Array.from({ length: 12 }, (_, k) => k + 1));
});

test('snapshot and restore bring back registers and memory', { skip }, () => {
  const m = machineWith(`movl $5, ${DATA}\nmov $9, %eax\nhlt`);
  const s = m.snapshot();
  m.run(10);
  assert.equal(m.getRegisters().eax, 9);
  m.restore(s);
  assert.equal(m.getRegisters().eax, 0);
  assert.equal(m.eip, CODE);
  assert.deepEqual(m.memory.readBytes(DATA, 4), new Uint8Array(4));
  assert.equal(m.run(10).stop.kind, 'halt');
  assert.equal(m.getRegisters().eax, 9);
});

test('an instruction that is not emulated raises #UD naming it and its address', { skip }, () => {
  const m = machineWith('movaps %xmm0, %xmm1');
  const r = m.run(10);
  assert.equal(r.stop.kind, 'exception');
  if (r.stop.kind === 'exception') {
    assert.equal(r.stop.exception.name, '#UD');
    assert.equal(r.stop.exception.message, `not emulated: movaps at 0x${CODE.toString(16).padStart(8, '0')}`);
  }
});

test('ud2 and an invalid encoding raise #UD at the instruction', { skip }, () => {
  for (const bytes of [Uint8Array.of(0x0f, 0x0b), Uint8Array.of(0x8e, 0xc8)]) {
    const m = machineWith(bytes);
    const r = m.step();
    assert.equal(r.kind, 'exception');
    if (r.kind === 'exception') assert.equal(r.exception.name, '#UD');
    assert.equal(m.eip, CODE);
  }
  void STACK_TOP;
});

test('a DR0 data write breakpoint traps after the store with DR6.B0; reads do not trigger it', { skip }, () => {
  const source = `mov ${DATA + 8}, %eax\nmovl $1, ${DATA + 8}\nnop\nhlt`;
  const at = addresses(source);
  const m = machineWith(source);
  m.debug[0] = DATA + 8;
  m.debug[7] = 0x400 | 0x1 | (0b01 << 16) | (0b11 << 18); // L0, write, 4 bytes
  assert.equal(m.step().kind, 'executed', 'a read does not hit a write breakpoint');
  const r = m.step();
  assert.equal(r.kind, 'exception');
  if (r.kind !== 'exception' || r.exception.kind !== 'debug') return assert.fail('expected #DB');
  assert.equal(r.exception.cause, 'data-breakpoint');
  assert.equal(r.exception.eip, at[2]);
  assert.equal(m.debug[6]! & 0xf, 1);
  assert.deepEqual(m.memory.readBytes(DATA + 8, 4), Uint8Array.of(1, 0, 0, 0), 'the store completed');
});

test('a DR1 read/write breakpoint also fires on reads, in run() too', { skip }, () => {
  const m = machineWith(`nop\nmov ${DATA + 0x12}, %ax\nhlt`);
  m.debug[1] = DATA + 0x10;
  m.debug[7] = 0x400 | 0x4 | (0b11 << 20) | (0b11 << 22); // L1, read/write, 4 bytes
  const r = m.run(10);
  assert.equal(r.stop.kind, 'exception');
  if (r.stop.kind === 'exception') assert.equal(r.stop.exception.name, '#DB');
  assert.equal(m.debug[6]! & 0xf, 2);
});

test('an instruction breakpoint faults before the instruction and RF lets it run on resume', { skip }, () => {
  const source = 'nop\nmov $5, %eax\nhlt';
  const at = addresses(source);
  const m = machineWith(source);
  m.debug[2] = at[1]!;
  m.debug[7] = 0x400 | 0x10; // L2, execute
  const r = m.run(10);
  assert.equal(r.stop.kind, 'exception');
  if (r.stop.kind !== 'exception' || r.stop.exception.kind !== 'debug') return assert.fail('expected #DB');
  assert.equal(r.stop.exception.cause, 'instruction-breakpoint');
  assert.equal(r.stop.exception.eip, at[1]);
  assert.equal(m.eip, at[1]);
  assert.equal(m.run(10).stop.kind, 'halt');
  assert.equal(m.getRegisters().eax, 5);
});
