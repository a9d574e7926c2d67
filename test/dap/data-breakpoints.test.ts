// Data breakpoints on the emulated DR0-DR3 over the real protocol. Oracle: the fixture's own
// arithmetic (counter-in-memory.s: the incl writes 1, 2, 3, the mov reads it), read back through
// evaluate `@counter` at each stop; a #DB trap stops after the instruction, on the next line. With
// a linux-2.6.18 probe on the incl, whose first hit is TF-stepped, the data breakpoint and the
// step trap arrive together: the engine finishes its step (the stop is on the next line, not in
// the slot) and the run ends with the unprobed run's result.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { collectOutput, FIXTURES, launchConfigured, lineOf, nextEvent, stopAfter, topFrame, withAdapter } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'counter-in-memory.s');
const SOURCE = readFileSync(PROGRAM, 'utf8');

/** Launches with a watch on `counter` and breakpoints on `lines`; the run starts. */
async function launchWatching(client: DebugClient, launch: Record<string, unknown>, accessType: string, lines: number[]): Promise<void> {
  await launchConfigured(client, { program: PROGRAM, ...launch }, async () => {
    await client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: lines.map((line) => ({ line })) });
    const info = (await client.customRequest('dataBreakpointInfo', { name: 'counter' })) as DebugProtocol.DataBreakpointInfoResponse;
    assert.ok(info.body.dataId !== null, info.body.description);
    const set = (await client.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType }] })) as DebugProtocol.SetDataBreakpointsResponse;
    assert.equal(set.body.breakpoints[0]!.verified, true, set.body.breakpoints[0]!.message);
  });
}

/** Continues through every stop, recording its reason, line and counter, until the end. */
async function stopsUntilEnd(client: DebugClient, first: Promise<DebugProtocol.Event>): Promise<Array<{ reason: string; line: number; counter: string; frame: string }>> {
  const stops = [];
  let stop = (await first) as DebugProtocol.StoppedEvent;
  for (let k = 0; k < 20; k++) {
    const frame = await topFrame(client);
    stops.push({ reason: stop.body.reason, line: frame.line, frame: frame.name, counter: (await client.evaluateRequest({ expression: '@counter:u32' })).body.result });
    const next = nextEvent(client, ['stopped', 'terminated']);
    await client.continueRequest({ threadId: 1 });
    const e = await next;
    if (e.event === 'terminated') return stops;
    stop = e as DebugProtocol.StoppedEvent;
  }
  assert.fail('the run did not end');
}

test('a write watch stops after each store, on the next line, with the new value', async () => {
  await withAdapter(async ({ client }) => {
    const first = client.waitForEvent('stopped');
    await launchWatching(client, { profile: 'linux-6.1' }, 'write', []);
    const stops = await stopsUntilEnd(client, first);
    assert.deepEqual(stops.map((s) => [s.reason, s.line, s.counter]), [1, 2, 3].map((n) => ['data breakpoint', lineOf(SOURCE, 'bp-after-store'), String(n)]));
  });
});

test('a read/write watch also stops after the load', async () => {
  await withAdapter(async ({ client }) => {
    const first = client.waitForEvent('stopped');
    await launchWatching(client, { profile: 'rfc-2.6.15' }, 'readWrite', []);
    const stops = await stopsUntilEnd(client, first);
    assert.equal(stops.length, 4);
    assert.deepEqual(stops[3], { reason: 'data breakpoint', line: lineOf(SOURCE, 'bp-after-load'), frame: stops[3]!.frame, counter: '3' });
  });
});

test('a TF-stepped probe on the store: the engine finishes its step, the watch still stops, the result is unchanged', async () => {
  await withAdapter(async ({ client }) => {
    const output = collectOutput(client);
    const first = client.waitForEvent('stopped');
    await launchWatching(client, { profile: 'linux-2.6.18' }, 'write', [lineOf(SOURCE, 'bp-store')]);
    const stops = await stopsUntilEnd(client, first);
    assert.deepEqual(stops.map((s) => [s.reason, s.counter]), [
      ['breakpoint', '0'], ['data breakpoint', '1'], ['breakpoint', '1'], ['data breakpoint', '2'], ['breakpoint', '2'], ['data breakpoint', '3'],
    ]);
    // The first hit is single-stepped with TF: the stop comes after the fix-up, on the next line.
    assert.equal(stops[1]!.line, lineOf(SOURCE, 'bp-after-store'));
    // A later hit, if boosted, runs the copy in the slot, where the trap stops it.
    for (const s of [stops[3]!, stops[5]!]) assert.ok(s.line === lineOf(SOURCE, 'bp-after-store') || /^kprobe slot of again\+0x0/.test(s.frame), s.frame);
    assert.match(output(), /# hlt after \d+ instructions: eax=0x00000003 ecx=0x00000000 /);
    assert.match(output(), /# kprobe again\+0x0: nhit=3 nmissed=0 /);
  });
});

test('registers are not memory; a misaligned or fifth watch is refused', async () => {
  await withAdapter(async ({ client }) => {
    const entry = client.waitForEvent('stopped');
    await launchConfigured(client, { program: PROGRAM, stopOnEntry: true });
    await entry;
    const reg = (await client.customRequest('dataBreakpointInfo', { variablesReference: 1, name: 'eax' })) as DebugProtocol.DataBreakpointInfoResponse;
    assert.equal(reg.body.dataId, null);
    const set = (await client.customRequest('setDataBreakpoints', {
      breakpoints: ['0x00001001:4', '0x00001000:4', '0x00001004:4', '0x00001008:2', '0x0000100c:1', '0x00001010:4', 'junk'].map((dataId) => ({ dataId, accessType: 'write' })),
    })) as DebugProtocol.SetDataBreakpointsResponse;
    assert.deepEqual(set.body.breakpoints.map((b) => b.verified), [false, true, true, true, true, false, false]);
    await stopAfter(client, () => client.stepInRequest({ threadId: 1 }));
  });
});
