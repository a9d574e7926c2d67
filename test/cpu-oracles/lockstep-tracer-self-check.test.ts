// Checks the lockstep tracer itself before trusting its traces: the first state it reports is the
// ELF entry point with the kernel's initial stack (argc, argv, envp, auxv), the vDSO entries of
// the auxv are hidden, a step moves EIP, and memory reads back (or reports that it cannot).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildNativeOracles, tracerUnavailableReason } from './native-oracle-builds';
import { ALL_REGISTERS, ExpectationChunk, LockstepTracer } from './lockstep-tracer-client';

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
      // One step expecting nothing: it agrees and reports the native registers after it.
      const loose = new ExpectationChunk();
      loose.beginStep(0, new Uint32Array(8), 0, 0, 0);
      tracer.sendChunk(loose);
      const first = await tracer.receiveChunk(loose);
      assert.ok(first.outcome === 'agreed', `one step agrees: ${first.outcome}`);
      assert.equal(first.count, 1);
      assert.notEqual(first.regs[0], entry, 'one step moves EIP');
      // Two steps expecting the first step's registers again: the tracer finds the difference at
      // the step whose registers change (every instruction moves EIP), and names it.
      const strict = new ExpectationChunk();
      for (let k = 0; k < 2; k++) strict.beginStep(first.regs[0]!, first.regs.subarray(1, 9), first.regs[9]!, 0, ALL_REGISTERS);
      tracer.sendChunk(strict);
      const second = await tracer.receiveChunk(strict);
      assert.ok(second.outcome === 'differs', `a wrong expectation is caught: ${second.outcome}`);
      assert.equal(second.count, 0, 'at the first step of the chunk');
      assert.notEqual(second.regs[0], first.regs[0]);
      const bytes = await tracer.readMemory(entry, 4);
      assert.ok(bytes !== null && bytes.length === 4, 'memory at the entry point reads back');
      assert.equal(await tracer.readMemory(0, 4), null, 'unmapped memory reads as not ok');
    } finally {
      tracer.close();
      fs.rmSync(out, { force: true });
    }
  });
});
