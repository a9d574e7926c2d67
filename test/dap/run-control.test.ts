// next, stepOut, pause and the instruction limit over the real protocol. The expected lines and
// register values are those the fixtures' comments state (loop-and-call.s: sq(4) = 16; the loop
// adds 3 first), checked against the source lines found by their markers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, launchWithBreakpoints, lineOf, shownRegisters, startAdapter, stopAfter, topFrame, type Adapter } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'loop-and-call.s');
const SOURCE = readFileSync(PROGRAM, 'utf8');
const SPIN = path.join(FIXTURES, 'spin-forever.s');

async function stoppedAt(adapter: Adapter, launch: Record<string, unknown>, markers: string[], source = SOURCE): Promise<void> {
  const stopped = adapter.client.waitForEvent('stopped');
  await launchWithBreakpoints(adapter.client, launch, markers.map((m) => lineOf(source, m)));
  await stopped;
}

test('next at a probe runs the whole hit as one step; next over a call; stepOut returns to the caller', async () => {
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    await stoppedAt(adapter, { program: PROGRAM, profile: 'linux-2.6.18' }, ['bp-loop']);
    await stopAfter(client, () => client.nextRequest({ threadId: 1 }));
    assert.equal((await topFrame(client)).line, lineOf(SOURCE, 'bp-loop') + 1);
    assert.equal((await shownRegisters(client)).eax, 3);
    const stages = (await client.variablesRequest({ variablesReference: 3 })).body.variables.map((v) => v.name.replace(/^\d+\. /, ''));
    assert.equal(stages[0], 'trap');
    assert.equal(stages[stages.length - 1], 'resume');
    // Move the breakpoint to the call, continue, and step over it: sq(4) = 16 in eax, on the next line.
    await client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [{ line: lineOf(SOURCE, 'bp-call') }] });
    await stopAfter(client, () => client.continueRequest({ threadId: 1 }));
    assert.equal((await topFrame(client)).line, lineOf(SOURCE, 'bp-call'));
    await stopAfter(client, () => client.nextRequest({ threadId: 1 }));
    assert.equal((await topFrame(client)).line, lineOf(SOURCE, 'bp-after-call'));
    assert.equal((await shownRegisters(client)).eax, 16);
  } finally {
    await adapter.stop();
  }
});

test('stepOut from inside sq returns after the call; inside a hit it ends the hit', async () => {
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    await stoppedAt(adapter, { program: PROGRAM, profile: 'linux-6.1' }, ['bp-sq']);
    await stopAfter(client, () => client.stepOutRequest({ threadId: 1 }));
    const frame = await topFrame(client);
    assert.equal(frame.line, lineOf(SOURCE, 'bp-after-call'));
    assert.equal((await shownRegisters(client)).eax, 16);
    await adapter.stop();

    const second = await startAdapter();
    try {
      await stoppedAt(second, { program: PROGRAM, profile: 'linux-6.1' }, ['bp-loop']);
      await stopAfter(second.client, () => second.client.stepInRequest({ threadId: 1 }));
      await stopAfter(second.client, () => second.client.stepInRequest({ threadId: 1 }));
      await stopAfter(second.client, () => second.client.stepOutRequest({ threadId: 1 }));
      assert.equal((await topFrame(second.client)).line, lineOf(SOURCE, 'bp-loop') + 1);
      assert.equal((await shownRegisters(second.client)).eax, 3);
    } finally {
      await second.stop();
    }
  } finally {
    await adapter.stop();
  }
});

test('pause stops a program that never halts; the instruction limit stops it with a clear message', async () => {
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const initialized = client.waitForEvent('initialized');
    await client.launchRequest({ program: SPIN } as never);
    await initialized;
    await client.configurationDoneRequest();
    const paused = client.waitForEvent('stopped');
    await client.pauseRequest({ threadId: 1 });
    assert.equal((await paused).body.reason, 'pause');
    const spinSource = readFileSync(SPIN, 'utf8');
    const line = (await topFrame(client)).line;
    assert.ok(line === lineOf(spinSource, 'bp-spin') || line === lineOf(spinSource, 'bp-spin') + 1, String(line));
  } finally {
    await adapter.stop();
  }
  const limited = await startAdapter();
  try {
    const { client } = limited;
    const stopped = client.waitForEvent('stopped');
    await launchWithBreakpoints(client, { program: SPIN, limit: 5000, profile: 'linux-2.6.18' }, [lineOf(readFileSync(SPIN, 'utf8'), 'bp-spin')]);
    assert.equal((await stopped).body.reason, 'breakpoint');
    await client.setBreakpointsRequest({ source: { path: SPIN }, breakpoints: [] });
    const limit = await stopAfter(client, () => client.continueRequest({ threadId: 1 }));
    assert.equal(limit.body.reason, 'exception');
    assert.match((limit.body as { text?: string }).text ?? '', /instruction limit \(5000\)/);
  } finally {
    await limited.stop();
  }
});
