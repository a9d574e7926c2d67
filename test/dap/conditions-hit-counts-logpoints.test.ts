// Conditions, hit conditions, logpoints and instruction breakpoints, all probes on the live engine.
// Oracle: the same program run here without probes, stopping with host breakpoints at the same
// addresses, gives the register and stack values each hit must see (the loop's ecx/eax, sq's
// argument on the stack).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble } from '../../server/src/asm';
import { Machine, loadImage } from '../../server/src/cpu';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FIXTURES, collectOutput, lineOf, shownRegisters, startAdapter, stopAfter, topFrame } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'loop-and-call.s');
const SOURCE = readFileSync(PROGRAM, 'utf8');

/** Registers and the stack word above the return address at every visit of `label`, unprobed. */
function visits(label: string): Array<{ ecx: number; eax: number; esp: number; arg: number }> {
  const machine = new Machine();
  const loaded = loadImage(machine, assemble(SOURCE));
  machine.memory.map(0x00200000, 0x40000, 'rw');
  machine.setRegisters({ eip: loaded.symbols.get('_start')!, esp: 0x00200000 + 0x40000 - 16, eflags: 0x202 });
  const at = loaded.symbols.get(label)!;
  machine.hostBreakpoints.add(at);
  const out = [];
  for (let k = 0; k < 100; k++) {
    const r = machine.run(100_000);
    if (r.stop.kind !== 'breakpoint') break;
    const word = machine.memory.readBytes(machine.regs[4]! + 4, 4) as Uint8Array;
    out.push({ ecx: machine.regs[1]!, eax: machine.regs[0]!, esp: machine.regs[4]!, arg: Buffer.from(word).readUInt32LE(0) });
  }
  return out;
}

test('logpoints print kprobe_events fetch args from the pre_handler and never stop', async () => {
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const output = collectOutput(client);
    const terminated = client.waitForEvent('terminated');
    let stops = 0;
    client.on('stopped', () => stops++);
    const initialized = client.waitForEvent('initialized');
    await client.launch({ program: PROGRAM, profile: 'linux-2.6.18' } as never);
    await initialized;
    const set = await client.setBreakpointsRequest({
      source: { path: PROGRAM },
      breakpoints: [{ line: lineOf(SOURCE, 'bp-loop'), logMessage: 'cx={%cx:u32} ax={%ax:u32}' }, { line: lineOf(SOURCE, 'bp-sq'), logMessage: 'arg={+4(%sp):u32} sp={$stack} ret={$stack0}' }],
    });
    assert.ok(set.body.breakpoints.every((b) => b.verified), JSON.stringify(set.body.breakpoints));
    await client.configurationDoneRequest();
    await terminated;
    assert.equal(stops, 0);
    const loop = [...output().matchAll(/p_body_0: \(body\+0x0\) cx=(\d+) ax=(\d+)/g)].map((m) => ({ ecx: Number(m[1]), eax: Number(m[2]) }));
    assert.deepEqual(loop, visits('body').map(({ ecx, eax }) => ({ ecx, eax })));
    const sq = [...output().matchAll(/p_sq_0: \(sq\+0x0\) arg=(\d+) sp=0x([0-9a-f]+) ret=0x([0-9a-f]+)/g)];
    const expected = visits('sq');
    assert.equal(sq.length, expected.length);
    assert.equal(Number(sq[0]![1]), expected[0]!.arg);
    assert.equal(parseInt(sq[0]![2]!, 16), expected[0]!.esp);
  } finally {
    await adapter.stop();
  }
});

test('a condition and a hit condition decide at the pre_handler\'s registers and the probe\'s nhit', async () => {
  const expected = visits('body');
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const stopped = client.waitForEvent('stopped');
    const initialized = client.waitForEvent('initialized');
    await client.launch({ program: PROGRAM, profile: 'linux-6.1' } as never);
    await initialized;
    const bad = await client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [{ line: lineOf(SOURCE, 'bp-loop'), condition: '%zz == 1' }] });
    assert.equal(bad.body.breakpoints[0]!.verified, false);
    assert.match(bad.body.breakpoints[0]!.message!, /condition: unknown register %zz/);
    await client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [{ line: lineOf(SOURCE, 'bp-loop'), condition: '%cx == 1' }] });
    await client.configurationDoneRequest();
    await stopped;
    const last = expected.findIndex((v) => v.ecx === 1);
    assert.deepEqual((({ ecx, eax }) => ({ ecx, eax }))(await shownRegisters(client) as never), (({ ecx, eax }) => ({ ecx, eax }))(expected[last]!));
    // The same fetch args in the Debug Console and hovers (evaluate), on the registers shown.
    const evaluate = async (expression: string) => (await client.evaluateRequest({ expression, context: 'repl' })).body.result;
    assert.equal(await evaluate('ecx'), `0x${expected[last]!.ecx.toString(16)}`);
    assert.equal(await evaluate('%ax:u32'), String(expected[last]!.eax));
    assert.equal(await evaluate('$stack'), `0x${expected[last]!.esp.toString(16)}`);
    assert.equal(await evaluate('+4(%sp)'), `0x${expected[last]!.arg.toString(16)}`);
    await assert.rejects(client.evaluateRequest({ expression: 'banana split' }), /not a fetch arg/);
  } finally {
    await adapter.stop();
  }
  const second = await startAdapter();
  try {
    const { client } = second;
    const stopped = client.waitForEvent('stopped');
    const initialized = client.waitForEvent('initialized');
    await client.launch({ program: PROGRAM, profile: 'rfc-2.6.15' } as never);
    await initialized;
    await client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [{ line: lineOf(SOURCE, 'bp-loop'), hitCondition: '2' }] });
    await client.configurationDoneRequest();
    await stopped;
    assert.equal((await shownRegisters(client)).ecx, expected[1]!.ecx);
    const probe = (await client.variablesRequest({ variablesReference: 2 })).body.variables;
    assert.equal(probe.find((v) => v.name === 'nhit')!.value, '1', 'stopped before the second hit counted');
  } finally {
    await second.stop();
  }
});

test('an instruction breakpoint is a probe at an address and stops on its source line', async () => {
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const initialized = client.waitForEvent('initialized');
    await client.launch({ program: PROGRAM, profile: 'linux-2.6.18', stopOnEntry: true } as never);
    await initialized;
    const entry = client.waitForEvent('stopped');
    await client.configurationDoneRequest();
    await entry;
    const machine = new Machine();
    const sq = loadImage(machine, assemble(SOURCE)).symbols.get('sq')!;
    const set = (await client.customRequest('setInstructionBreakpoints', {
      breakpoints: [{ instructionReference: `0x${sq.toString(16)}` }, { instructionReference: 'nowhere' }],
    })) as DebugProtocol.SetInstructionBreakpointsResponse;
    assert.equal(set.body.breakpoints[0]!.verified, true);
    assert.equal(set.body.breakpoints[1]!.verified, false);
    await stopAfter(client, () => client.continueRequest({ threadId: 1 }));
    const frame = await topFrame(client);
    assert.equal(Number(frame.instructionPointerReference), sq);
    assert.equal(frame.line, lineOf(SOURCE, 'bp-sq'));
  } finally {
    await adapter.stop();
  }
});
