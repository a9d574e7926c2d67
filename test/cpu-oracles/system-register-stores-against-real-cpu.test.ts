// sgdt, sidt, sldt, str and smsw against the real CPU, in user mode where they are legal: every
// form (memory and register, 16- and 32-bit) from random states in the snippet runner and in the
// emulator. The values are the host kernel's (GDT and IDT addresses, LDTR, TR, CR0), so a first
// native run of each instruction reads them and the emulator's system registers take them; the
// random states then check what the instructions store where (widths, zero-extension, the bytes
// around). On a host with UMIP the kernel traps and emulates these instructions with fixed dummy
// values, so the CPU is not the oracle and the test is skipped with that reason
// (KBOOST_UMIP_KERNEL_ORACLE=1 runs it anyway, against the kernel's emulation).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { OPCODE_TABLE } from '../../server/src/isa';
import { buildNativeOracles, envCount } from './native-oracle-builds';
import { Rng, SCRATCH_ADDRESS, randomCaseOfEntry, seedOf, type SnippetCase, type SnippetForm } from './opcode-form-snippets';
import { EmulatorSnippetRunner, compareOutcomes, describeCase, runNative } from './snippet-runner-comparison';

const MNEMONICS = ['sgdtd', 'sgdtw', 'sidtd', 'sidtw', 'sldt', 'str', 'smsw'];

function umipReason(): string | false {
  if (process.env.KBOOST_UMIP_KERNEL_ORACLE === '1') return false;
  let flags = '';
  try {
    flags = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return false;
  }
  return /^flags\s*:.*\bumip\b/m.test(flags)
    ? 'the host CPU has UMIP: the kernel traps sgdt/sidt/sldt/str/smsw in user mode and emulates them with dummy values, so the real CPU cannot be the oracle'
    : false;
}

/** The forms of the five instructions: each row's memory and register forms, at both operand sizes. */
function storeForms(): SnippetForm[] {
  const forms: SnippetForm[] = [];
  for (const entry of OPCODE_TABLE.entries) {
    if (!MNEMONICS.includes(entry.mnemonic) || entry.map !== '0f') continue;
    const memory = entry.mod === 'mem';
    for (const o16 of entry.osize === 0 && !memory ? [false, true] : [entry.osize === 16]) {
      forms.push({ entry, memory, o16, rep: 0, name: `${entry.mnemonic} ${entry.row.enc}${memory ? ' mem' : ' reg'}${o16 ? ' o16' : ''}` });
    }
  }
  return forms;
}

const lookup = buildNativeOracles();
const skip = lookup.ok ? umipReason() : lookup.reason;
const states = envCount('KBOOST_SNIPPET_STATES', 1000);

describe('system-register stores against the real CPU', { skip }, () => {
  if (!lookup.ok || skip) return;
  const runner = lookup.builds.snippetRunner;
  const forms = storeForms();

  it(`every form agrees (${forms.length} forms x ${states} states)`, () => {
    assert.equal(forms.length, 13, forms.map((f) => f.name).join(', '));
    const emulator = new EmulatorSnippetRunner();
    adoptHostValues(runner, forms, emulator);
    const failures: string[] = [];
    for (const form of forms) {
      const rng = new Rng(seedOf(form.name, 1));
      const cases: SnippetCase[] = [];
      for (let k = 0; k < states; k++) {
        const c = randomCaseOfEntry(form, rng);
        if (c) cases.push(c);
      }
      const native = runNative(runner, cases);
      if ('error' in native) return assert.fail(native.error);
      const bad = cases.map((c, k) => [c, compareOutcomes(form, native[k]!, emulator.run(c))] as const).filter(([, p]) => p !== null);
      if (bad.length) failures.push(`${form.name}: ${bad.length} states differ; first: ${describeCase(bad[0]![0])}: ${bad[0]![1]}`);
    }
    assert.deepEqual(failures, []);
  });
});

/**
 * Reads the host's GDTR, IDTR, LDTR, TR and CR0 with one native run of the 32-bit memory or
 * register form of each instruction, and loads them into the emulator.
 */
function adoptHostValues(runner: string, forms: SnippetForm[], emulator: EmulatorSnippetRunner): void {
  const probe = (mnemonic: string, memory: boolean): { value: number; high: number } => {
    const form = forms.find((f) => f.entry.mnemonic === mnemonic && f.memory === memory && !f.o16)!;
    const c = randomCaseOfEntry(form, new Rng(7))!;
    const native = runNative(runner, [c]);
    if ('error' in native) throw new Error(native.error);
    const n = native[0]!;
    if (n.signal) throw new Error(`${mnemonic} faulted natively (signal ${n.signal})`);
    if (!memory) return { value: n.regs[(c.code[c.code.length - 1]! & 7)]!, high: 0 };
    // The address the instruction stored at: base register + disp8 (the generator's memory form).
    const modrm = c.code[c.code.length - 2]!;
    const at = (c.regs[modrm & 7]! + ((c.code[c.code.length - 1]! << 24) >> 24) - SCRATCH_ADDRESS) >>> 0;
    const b = n.scratch;
    return { value: b[at]! | (b[at + 1]! << 8), high: (b[at + 2]! | (b[at + 3]! << 8) | (b[at + 4]! << 16) | (b[at + 5]! << 24)) >>> 0 };
  };
  const gdt = probe('sgdtd', true);
  const idt = probe('sidtd', true);
  const m = emulator.machine;
  m.descriptorTables.gdtr = { base: gdt.high, limit: gdt.value };
  m.descriptorTables.idtr = { base: idt.high, limit: idt.value };
  m.descriptorTables.ldtr = probe('sldt', false).value & 0xffff;
  m.descriptorTables.tr = probe('str', false).value & 0xffff;
  m.control[0] = probe('smsw', false).value;
}
