// The adapter survives any request: seeded random commands (the protocol's and made-up ones) with
// random arguments (null, numbers, strings, arrays, objects with wrong types), before and after a
// launch and while a program runs. Each gets a response (success or error), none crashes the
// process, and afterwards the adapter still answers threads and runs the program to its hlt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { seededUnitRandom } from '../seeded-unit-random';
import { FIXTURES, launchConfigured, withAdapter } from './debug-adapter-client';

const COMMANDS = [
  'setBreakpoints', 'setInstructionBreakpoints', 'setExceptionBreakpoints', 'setDataBreakpoints', 'dataBreakpointInfo', 'threads', 'stackTrace',
  'scopes', 'variables', 'setVariable', 'continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'pause', 'evaluate',
  'disassemble', 'readMemory', 'source', 'modules', 'restart', 'goto', 'completions', 'frobnicate', '', 'launch',
];

function junk(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 1 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return Math.floor(random() * 2 ** 33) - 2 ** 32;
    case 2: return ['', '0x08048000', '%ax', 'eax', '+4(%sp)', '{}', '0xffffffff:4', 'counter', '\u0000\uffff'][Math.floor(random() * 9)];
    case 3: return random() < 0.5;
    case 4: return random() * 1e9;
    case 5: return undefined;
    case 6: return Array.from({ length: Math.floor(random() * 4) }, () => junk(random, depth + 1));
    default: {
      const keys = ['line', 'lines', 'breakpoints', 'source', 'path', 'threadId', 'frameId', 'variablesReference', 'name', 'value', 'expression', 'memoryReference', 'count', 'offset', 'instructionCount', 'instructionOffset', 'filters', 'dataId', 'accessType', 'program', 'profile', 'registers'];
      const o: Record<string, unknown> = {};
      for (let k = Math.floor(random() * 5); k > 0; k--) o[keys[Math.floor(random() * keys.length)]!] = junk(random, depth + 1);
      return o;
    }
  }
}

/** Sends `n` junk requests; how many were answered. An error answer must be the adapter's own words, not a caught exception. */
async function fire(client: DebugClient, random: () => number, n: number): Promise<number> {
  let answered = 0;
  for (let k = 0; k < n; k++) {
    const command = COMMANDS[Math.floor(random() * COMMANDS.length)]!;
    // launch only with junk: a real second launch is refused anyway.
    await client.customRequest(command, junk(random)).then(() => answered++, (e: Error) => {
      answered++;
      assert.doesNotMatch(e.message, /Error: |\n\s+at /, `${command}: an exception, not an answer`);
    });
  }
  return answered;
}

test('seeded junk requests: every one is answered, the adapter lives on', async () => {
  await withAdapter(async ({ client, child }) => {
    const random = seededUnitRandom(20261126);
    assert.equal(await fire(client, random, 300), 300);
    const program = path.join(FIXTURES, 'loop-and-call.s');
    const entry = client.waitForEvent('stopped');
    await launchConfigured(client, { program, stopOnEntry: true });
    await entry;
    assert.equal(await fire(client, random, 600), 600);
    assert.equal(child.exitCode, null, 'the adapter is still running');
    assert.equal((await client.threadsRequest()).body.threads.length, 1);
  });
});
