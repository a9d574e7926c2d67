// Probes are transparent: the final registers the adapter reports at hlt (its output line) equal
// those of the same program run here without probes (assembled, loaded and run on a Machine with
// no engine), under each profile, with breakpoints on every instruction line of the loop and the
// call continued through.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble } from '../../server/src/asm';
import { Machine, loadImage } from '../../server/src/cpu';
import { PROFILE_IDS } from '../../server/src/kprobes';
import { FIXTURES, lineOf, runToEndContinuing, withAdapter } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'loop-and-call.s');
const SOURCE = readFileSync(PROGRAM, 'utf8');
// The adapter's stack (as `kboost run`): 0x40000 bytes at 0x200000, %esp 16 below its top.
const STACK_TOP = 0x00200000 + 0x40000 - 16;

function unprobedFinalRegisters(): Record<string, number> {
  const machine = new Machine();
  const loaded = loadImage(machine, assemble(SOURCE));
  machine.memory.map(0x00200000, 0x40000, 'rw');
  machine.setRegisters({ eip: loaded.symbols.get('_start')!, esp: STACK_TOP, eflags: 0x202 });
  assert.equal(machine.run(100_000).stop.kind, 'halt');
  return { ...machine.getRegisters() };
}

const MARKERS = ['bp-entry', 'bp-loop', 'bp-jnz', 'bp-call', 'bp-after-call', 'bp-sq'];

for (const profile of PROFILE_IDS) {
  for (const extra of profile === 'linux-6.1' ? [{}, { preemption: 'off' }, { optimizeDelay: 0 }] : [{}]) {
    test(`final registers under probes equal the unprobed run (${profile} ${JSON.stringify(extra)})`, async () => {
      await withAdapter(async ({ client }) => {
        const { stops, output } = await runToEndContinuing(client, { program: PROGRAM, profile, ...extra }, MARKERS.map((m) => lineOf(SOURCE, m)));
        // bp-entry once (the first instruction: stopped before it runs), the loop's two lines 3
        // times each, the call, the line after it, sq: 10 stops.
        assert.equal(stops, 10);
        const line = /# hlt after \d+ instructions: (.*)/.exec(output);
        assert.ok(line, output);
        const reported = Object.fromEntries(line[1]!.split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k!, Number(v)]));
        assert.deepEqual(reported, unprobedFinalRegisters());
        assert.match(output, /# kprobe body\+0x0: nhit=3 nmissed=0 /);
      });
    });
  }
}
