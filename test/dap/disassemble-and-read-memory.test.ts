// The disassembly view and the memory view over the real protocol. Oracle: GNU as + ld place the
// same source at the adapter's load address (0x08048000) and objdump -d lists it; the adapter's
// disassembly (our decoder over engine.readOriginal) must list the same addresses, bytes and text
// although a probe's int3 is armed in memory, which readMemory does show (0xcc). Skipped with the
// reason when binutils are missing (.ci/run installs them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FIXTURES, launchWithBreakpoints, lineOf, startAdapter, stopAfter, topFrame } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'optprobe-calls.s');
const SOURCE = readFileSync(PROGRAM, 'utf8');
const HAVE_BINUTILS = ['as', 'ld', 'objdump'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

/** objdump's rows of the linked program: address, bytes, text (branch targets' `<sym>` dropped). */
function objdumpRows(): Array<{ address: number; bytes: string; text: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-dap-objdump-'));
  execFileSync('as', ['--32', '-o', path.join(dir, 'p.o'), PROGRAM]);
  execFileSync('ld', ['-m', 'elf_i386', '-Ttext=0x08048000', '-e', '_start', '-o', path.join(dir, 'p'), path.join(dir, 'p.o')]);
  const listing = execFileSync('objdump', ['-d', '--no-show-raw-insn', path.join(dir, 'p')], { encoding: 'utf8' });
  const raw = execFileSync('objdump', ['-d', path.join(dir, 'p')], { encoding: 'utf8' });
  const bytesAt = new Map<number, string>();
  for (const m of raw.matchAll(/^ +([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t/gm)) bytesAt.set(parseInt(m[1]!, 16), m[2]!.trim());
  return [...listing.matchAll(/^ +([0-9a-f]+):\t(.*)$/gm)].map((m) => ({
    address: parseInt(m[1]!, 16), bytes: bytesAt.get(parseInt(m[1]!, 16))!, text: m[2]!.replace(/ <[^>]+>$/, '').trim(),
  }));
}

test('disassembly equals objdump of the same source, int3 hidden; readMemory shows the int3', { skip: HAVE_BINUTILS ? false : 'as, ld or objdump missing' }, async () => {
  const expected = objdumpRows();
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const stopped = client.waitForEvent('stopped');
    await launchWithBreakpoints(client, { program: PROGRAM, profile: 'linux-6.1', optprobes: 'off' }, [lineOf(SOURCE, 'bp-f')]);
    await stopped;
    const frame = await topFrame(client);
    const probe = Number(frame.instructionPointerReference);
    const back = expected.findIndex((r) => r.address === probe);
    assert.ok(back > 0);
    const dis = await client.disassembleRequest({ memoryReference: frame.instructionPointerReference!, instructionOffset: -back, instructionCount: expected.length });
    const got = dis.body!.instructions.map((i) => ({ address: Number(i.address), bytes: i.instructionBytes!, text: i.instruction.replace(/\b0x([0-9a-f]+)$/, '$1').trim() }));
    assert.deepEqual(got, expected);
    assert.equal(dis.body!.instructions[back]!.symbol, 'f');
    assert.equal(dis.body!.instructions[back]!.line, lineOf(SOURCE, 'bp-f'));
    const memory = (await client.customRequest('readMemory', { memoryReference: frame.instructionPointerReference!, count: 3 })) as DebugProtocol.ReadMemoryResponse;
    assert.deepEqual([...Buffer.from(memory.body!.data!, 'base64')], [0xcc, 0x89, 0xe5]);
    // In the slot: the copy of push %ebp followed by 6.1's int3.
    let inSlot = await topFrame(client);
    for (let k = 0; k < 6 && !inSlot.name.startsWith('kprobe slot'); k++) {
      await stopAfter(client, () => client.stepInRequest({ threadId: 1 }));
      inSlot = await topFrame(client);
    }
    assert.match(inSlot.name, /^kprobe slot of f\+0x0/);
    const slot = await client.disassembleRequest({ memoryReference: inSlot.instructionPointerReference!, instructionCount: 2 });
    assert.deepEqual(slot.body!.instructions.map((i) => i.instruction.trim()), ['push   %ebp', 'int3']);
    // Past mapped memory: readMemory answers with the unreadable count.
    const edge = (await client.customRequest('readMemory', { memoryReference: '0x7fffffff', count: 16 })) as DebugProtocol.ReadMemoryResponse;
    assert.equal(edge.body!.unreadableBytes, 16);
  } finally {
    await adapter.stop();
  }
});
