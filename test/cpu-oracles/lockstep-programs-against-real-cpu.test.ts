// Lockstep against the real CPU: each test program (gcc -m32 -O2 -static) runs single-stepped
// under ptrace and in the emulator side by side; registers, EFLAGS (minus flags the table marks
// undefined) and written memory must agree after every instruction, and so must the output.
// By default the programs run at the issue's size (over 10 million instructions); the tracer
// compares in C, so the cost is the single steps themselves, spread over six tracees at a time
// (a step is mostly waiting on the hypervisor, so more tracees than cores still gain).
// KBOOST_LOCKSTEP=quick runs about 2 million.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildNativeOracles, envCount, tracerUnavailableReason } from './native-oracle-builds';
import { runLockstep, formatDivergence, type LockstepResult } from './lockstep-against-real-cpu';
import { LOCKSTEP_ARGS, lockstepSize } from './oracle-program-sizes';

/** Programs the emulator does not follow yet, with the reason (kept empty when all pass). */
const KNOWN_DIVERGENCES: Record<string, string> = {};

const lookup = buildNativeOracles();
const skip = lookup.ok ? tracerUnavailableReason(lookup.builds) ?? false : lookup.reason;
const size = lockstepSize();
const maxSteps = envCount('KBOOST_LOCKSTEP_MAX_STEPS', 5_000_000);
const results: LockstepResult[] = [];

describe(`lockstep with the real CPU (${size})`, { skip, concurrency: 6 }, () => {
  if (!lookup.ok || skip) return;
  const { builds } = lookup;
  for (const [name, program] of builds.programs) {
    const args = LOCKSTEP_ARGS[name]?.[size] ?? [];
    const todo = KNOWN_DIVERGENCES[name];
    it(`${name} ${args.join(' ')}`, todo ? { todo } : {}, async () => {
      const result = await runLockstep({ tracer: builds.tracer, program, args, maxSteps });
      results.push(result);
      if (result.divergence) {
        const text = formatDivergence(name, result.divergence);
        console.log(text);
        assert.fail(`${result.compared} instructions agreed, then:\n${text}`);
      }
      assert.ok(result.finished, `${name} did not finish within ${maxSteps} instructions (compared ${result.compared})`);
      assert.equal(result.emulatorStdout, result.nativeStdout, 'the program printed something else in the emulator');
    });
  }
  after(() => {
    const total = results.reduce((s, r) => s + r.compared, 0);
    const diverged = results.filter((r) => r.divergence).length;
    const seconds = results.reduce((s, r) => s + r.seconds, 0);
    console.log(`lockstep: ${results.length} programs, ${total} instructions compared, ${diverged} diverged (${seconds.toFixed(1)} s of tracing)`);
    for (const r of results) console.log(`  ${r.program}: ${r.compared} instructions${r.divergence ? ', diverged' : ''}, ${[...r.syscalls].map(([n, c]) => `${n}x${c}`).join(' ')}`);
  });
});

describe('lockstep total', { skip }, () => {
  it(`compares at least ${size === 'full' ? '10 million' : '1.5 million'} instructions`, { todo: Object.keys(KNOWN_DIVERGENCES).length ? 'programs still diverge' : false }, () => {
    const total = results.reduce((s, r) => s + r.compared, 0);
    assert.ok(total >= (size === 'full' ? 10_000_000 : 1_500_000), `only ${total} instructions were compared`);
  });
});
