// Checks the lockstep tracer itself before trusting its traces: the first state it reports is the
// ELF entry point with the kernel's initial stack (argc, argv, envp, auxv), the vDSO entries of
// the auxv are hidden, a step moves EIP, and memory reads back (or reports that it cannot).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildNativeOracles, tracerUnavailableReason } from './native-oracle-builds';
import { LockstepTracer } from './lockstep-tracer-client';

const lookup = buildNativeOracles();
const skip = lookup.ok ? tracerUnavailableReason(lookup.builds) ?? false : lookup.reason;

describe('lockstep tracer', { skip }, () => {
  it('starts at the ELF entry with the initial stack, the vDSO hidden from the auxv', async () => {
    if (!lookup.ok) return;
    const program = lookup.builds.programs.get('crc32-table')!;
    const entry = fs.readFileSync(program).readUInt32LE(24);
    const out = path.join(os.tmpdir(), `kboost-tracer-check-${process.pid}`);
    const tracer = new LockstepTracer(lookup.builds.tracer, program, ['3'], { LC_ALL: 'C' }, out);
    try {
      const { regs, stackAddress, stack } = await tracer.initialState();
      assert.equal(regs[0], entry, 'first eip is the ELF entry point');
      assert.equal(regs[5], stackAddress);
      const word = (k: number) => Buffer.from(stack.buffer, stack.byteOffset).readUInt32LE(4 * k);
      assert.equal(word(0), 2, 'argc');
      let k = 1 + 2 + 1;
      while (word(k) !== 0) k++; // envp
      k++;
      const auxvTypes: number[] = [];
      for (; word(k) !== 0; k += 2) auxvTypes.push(word(k));
      assert.ok(auxvTypes.includes(25), 'AT_RANDOM is there');
      assert.ok(!auxvTypes.includes(32) && !auxvTypes.includes(33), `AT_SYSINFO(_EHDR) hidden: ${auxvTypes}`);
      const probes = [[]];
      tracer.sendSteps(probes);
      const chunk = await tracer.receiveSteps(probes);
      assert.equal(chunk.steps.length, 1);
      assert.notEqual(chunk.steps[0]!.regs[0], entry, 'one step moves EIP');
      const bytes = await tracer.readMemory(entry, 4);
      assert.ok(bytes !== null && bytes.length === 4, 'memory at the entry point reads back');
      assert.equal(await tracer.readMemory(0, 4), null, 'unmapped memory reads as not ok');
    } finally {
      tracer.close();
      fs.rmSync(out, { force: true });
    }
  });
});
