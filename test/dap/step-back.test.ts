// stepBack over the real protocol. Oracle: what the adapter showed on the way forward (registers
// and the stack's bytes through readMemory after each step), which stepping back must show again
// in reverse order; over a hit's recorded stages, the same stages and registers come back; the
// hit's first machine step (the int3 the engine handled) cannot be crossed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FIXTURES, launchWithBreakpoints, lineOf, shownRegisters, startAdapter, stopAfter, topFrame } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'loop-and-call.s');
const SOURCE = readFileSync(PROGRAM, 'utf8');
const STACK_TOP = 0x00200000 + 0x40000 - 16;

async function view(client: DebugClient): Promise<{ regs: Record<string, number>; stack: string }> {
  const regs = await shownRegisters(client);
  const memory = (await client.customRequest('readMemory', { memoryReference: `0x${(STACK_TOP - 16).toString(16)}`, count: 16 })) as DebugProtocol.ReadMemoryResponse;
  return { regs, stack: memory.body!.data! };
}

test('stepBack undoes plain instructions (registers and stack writes) in reverse order', async () => {
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const entry = client.waitForEvent('stopped');
    await launchWithBreakpoints(client, { program: PROGRAM, profile: 'linux-6.1', stopOnEntry: true }, []);
    await entry;
    // 13 steps go from _start through the loop, push $4 and the call into sq.
    const seen = [await view(client)];
    for (let k = 0; k < 13; k++) {
      await stopAfter(client, () => client.stepInRequest({ threadId: 1 }));
      seen.push(await view(client));
    }
    assert.match((await topFrame(client)).name, /^sq\+0x0$/);
    assert.notEqual(seen[13]!.stack, seen[0]!.stack, 'push and call wrote the stack');
    for (let k = 12; k >= 0; k--) {
      await stopAfter(client, () => client.stepBackRequest({ threadId: 1 }));
      assert.deepEqual(await view(client), seen[k], `after stepping back to step ${k}`);
    }
    await assert.rejects(client.stepBackRequest({ threadId: 1 }), /no earlier step/);
  } finally {
    await adapter.stop();
  }
});

test('stepBack over a hit\'s recorded stages shows them again; the int3 step is a barrier', async () => {
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const stopped = client.waitForEvent('stopped');
    await launchWithBreakpoints(client, { program: PROGRAM, profile: 'linux-2.6.18' }, [lineOf(SOURCE, 'bp-loop')]);
    await stopped;
    const forward: Array<{ description: string; regs: Record<string, number> }> = [];
    for (let k = 0; k < 6; k++) {
      const e = await stopAfter(client, () => client.stepInRequest({ threadId: 1 }));
      forward.push({ description: (e.body as { description: string }).description, regs: await shownRegisters(client) });
    }
    for (let k = 4; k >= 0; k--) {
      await stopAfter(client, () => client.stepBackRequest({ threadId: 1 }));
      assert.deepEqual(await shownRegisters(client), forward[k]!.regs);
      const rows = (await client.variablesRequest({ variablesReference: 3 })).body.variables;
      assert.equal(rows.length, k + 1);
      assert.equal(rows[k]!.value, forward[k]!.description);
    }
    await assert.rejects(client.stepBackRequest({ threadId: 1 }), /cannot step back past the hit of body\+0x0/);
    // Forward again: the same stages, the same registers.
    for (let k = 1; k < 6; k++) {
      const e = await stopAfter(client, () => client.stepInRequest({ threadId: 1 }));
      assert.equal((e.body as { description: string }).description, forward[k]!.description);
      assert.deepEqual(await shownRegisters(client), forward[k]!.regs);
    }
  } finally {
    await adapter.stop();
  }
});
