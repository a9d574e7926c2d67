// A bad launch configuration is an error response with a message naming the place (file:line for
// assembler errors), and the adapter lives on: unknown commands, requests before a launch, bad
// arguments and run-control while nothing runs all get error responses, and the adapter still
// answers afterwards. The expected places are those of the fixture texts written here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { FIXTURES, launchConfigured, programFile, shownRegisters, withAdapter } from './debug-adapter-client';

async function launchError(client: DebugClient, args: Record<string, unknown>): Promise<string> {
  try {
    await client.launchRequest(args as never);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  assert.fail(`launch ${JSON.stringify(args)} succeeded`);
}

const GOOD = path.join(FIXTURES, 'loop-and-call.s');

test('bad launch configurations: clear error responses, the adapter lives on', async () => {
  await withAdapter(async ({ client }) => {
    assert.match(await launchError(client, {}), /'program'.*required/);
    assert.match(await launchError(client, { program: '/nonexistent/dir/x.s' }), /cannot read \/nonexistent\/dir\/x\.s/);
    assert.match(await launchError(client, { program: GOOD, profile: 'linux-3.0' }), /unknown profile "linux-3\.0"/);
    assert.match(await launchError(client, { program: GOOD, entry: 'nowhere' }), /no entry label 'nowhere'/);
    assert.match(await launchError(client, { program: GOOD, registers: { xmm0: 1 } }), /unknown register 'xmm0'/);
    assert.match(await launchError(client, { program: GOOD, registers: { eax: 'five' } }), /register 'eax' needs a 32-bit number/);
    assert.match(await launchError(client, { program: GOOD, limit: -3 }), /'limit' must be a positive/);
    assert.match(await launchError(client, { program: GOOD, preemption: 'maybe' }), /'preemption' must be "on" or "off"/);
    // Line 3 holds an unknown mnemonic, line 5 an operand error: both named as file:line.
    const broken = programFile('broken.s', '.text\n_start:\n  frobnicate %eax\n  nop\n  mov %eax\n  hlt\n');
    const message = await launchError(client, { program: broken });
    assert.ok(message.includes(`${broken}:3:`), message);
    assert.ok(message.includes(`${broken}:5:`), message);
    const preprocessed = programFile('macro.S', '#define VALUE 7\n.text\n_start:\n  mov $VALUE, %eax\n#error stop here\n  hlt\n');
    assert.ok((await launchError(client, { program: preprocessed })).includes(`${preprocessed}:5:`));
    // Random bytes: an error on nearly every line, of which the first 20 are named, then a count.
    const junk = programFile('junk.s', Array.from({ length: 400 }, (_, k) => `\t${String.fromCharCode(0x80 + (k % 64))}${k}`).join('\n'));
    const junkMessage = await launchError(client, { program: junk });
    assert.ok(junkMessage.includes(`${junk}:1:`) && junkMessage.includes(`${junk}:20:`) && !junkMessage.includes(`${junk}:21:`), junkMessage);
    assert.match(junkMessage, /380 more errors/);
    // A 1 MB name the loader cannot resolve is quoted by its start and its length.
    const longName = 'x'.repeat(1_000_000);
    const unresolved = await launchError(client, { program: programFile('long.s', `.text\n_start:\n  call ${longName}\n  hlt\n`) });
    assert.match(unresolved, /undefined symbol 'x{60}\.\.\. \(1000000 characters\)'/);
    assert.ok(unresolved.length < 400, `${unresolved.length} characters`);
    // Still alive: a good launch works after all that, with its initial registers.
    const entry = client.waitForEvent('stopped');
    await launchConfigured(client, { program: GOOD, stopOnEntry: true, registers: { eax: 5, ecx: '0x10', EDX: '-1' } });
    await entry;
    const regs = await shownRegisters(client);
    assert.deepEqual([regs.eax, regs.ecx, regs.edx], [5, 0x10, 0xffffffff]);
  });
});

test('unknown and malformed requests get error responses; the adapter keeps answering', async () => {
  await withAdapter(async ({ client }) => {
    const rejects = async (p: Promise<unknown>) => assert.ok(await p.then(() => false, () => true), 'expected an error response');
    await rejects(client.customRequest('frobnicate', { x: 1 }));
    await rejects(client.stackTraceRequest({ threadId: 1 }));
    await rejects(client.continueRequest({ threadId: 1 }));
    await rejects(client.variablesRequest({ variablesReference: 1 }));
    await rejects(client.customRequest('stepIn', null));
    const entry = client.waitForEvent('stopped');
    await launchConfigured(client, { program: GOOD, stopOnEntry: true });
    assert.equal((await entry).body.reason, 'entry');
    await rejects(client.variablesRequest({ variablesReference: 987654 }));
    await rejects(client.setVariableRequest({ variablesReference: 1, name: 'eax', value: 'banana' }));
    await rejects(client.setVariableRequest({ variablesReference: 2, name: 'nhit', value: '3' }));
    await rejects(client.customRequest('setBreakpoints', { source: null, breakpoints: 'all' }));
    await rejects(client.customRequest('variables', null));
    const wrongFile = await client.setBreakpointsRequest({ source: { path: '/elsewhere/other.s' }, breakpoints: [{ line: 1 }] });
    assert.equal(wrongFile.body.breakpoints[0]!.verified, false);
    // Registers can be set while stopped (not inside a recorded stage): eax = 0x2a is read back.
    const set = await client.setVariableRequest({ variablesReference: 1, name: 'eax', value: '0x2a' });
    assert.equal(set.body.value, '0x0000002a');
    const threads = await client.threadsRequest();
    assert.equal(threads.body.threads.length, 1);
    const terminated = client.waitForEvent('terminated');
    await client.continueRequest({ threadId: 1 });
    await terminated;
    // After the end: run control is still answered.
    await client.threadsRequest();
  });
});
