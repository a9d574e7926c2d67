// Whole programs: each test program (gcc -m32 -O2 -static; sorting, hashing, strings, integer
// arithmetic, a little floating point, each printing checksums) must print the same natively,
// under qemu-i386 and in our emulator, and exit with status 0 everywhere.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNativeOracles } from './native-oracle-builds';
import { qemuAvailable, runInEmulator, runNatively, runUnderQemu } from './run-program-three-ways';

/** Programs the emulator cannot run yet (name -> reason); kept empty when all agree. */
const KNOWN_FAILURES: Record<string, string> = {};

const lookup = buildNativeOracles();
const qemu = qemuAvailable();

describe('whole programs: native, qemu-i386 and the emulator print the same', { skip: lookup.ok ? false : lookup.reason, concurrency: 2 }, () => {
  if (!lookup.ok) return;
  for (const [name, program] of lookup.builds.programs) {
    const todo = KNOWN_FAILURES[name];
    it(name, todo ? { todo } : {}, () => {
      const native = runNatively(program, []);
      assert.equal(native.error, null, `native run failed: ${native.error}`);
      assert.equal(native.status, 0);
      assert.ok(native.stdout.length > 0, 'the program printed nothing');
      if (qemu) {
        const q = runUnderQemu(program, []);
        assert.equal(q.stdout, native.stdout, 'qemu-i386 printed something else than the real CPU');
      }
      const emulated = runInEmulator(program, []);
      assert.equal(emulated.error, null, `the emulator stopped after ${emulated.instructions} instructions: ${emulated.error}`);
      assert.equal(emulated.stdout, native.stdout, 'the emulator printed something else than the real CPU');
      assert.equal(emulated.status, 0);
    });
  }
  it('qemu-i386 is installed (Debian qemu-user)', { skip: qemu ? false : 'qemu-i386 is not installed: apt-get install qemu-user' }, () => {
    assert.ok(qemu);
  });
});
