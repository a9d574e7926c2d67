// The block compiler against the interpreter, at block granularity: each gcc -m32 -O2 -static test
// program runs in two machines side by side, one driven block by block through compiled blocks
// (every block compiled on its first visit), the other interpreting (compileBlocks: false) exactly
// as many instructions. Registers, EIP, EFLAGS and the instruction count must agree at every block
// boundary, memory every few thousand blocks and at the end, and the output must equal the
// native run's. A second test checks run(limit) stops at exactly `limit` with blocks enabled;
// fixtures check a store into the running block and a fault in the middle of one.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { loadStaticElf, type Machine } from '../../server/src/cpu';
import { compileBlockAt, NO_BLOCK } from '../../server/src/cpu/block-compiler';
import { CpuSignal } from '../../server/src/cpu/cpu-signals';
import { MemoryFault } from '../../server/src/cpu/paged-memory';
import { assemble, CODE, DATA, hasCommand, machineWith } from '../cpu/cpu-test-support';
import { buildNativeOracles } from './native-oracle-builds';
import { LOCKSTEP_ARGS } from './oracle-program-sizes';
import { runNatively } from './run-program-three-ways';

const lookup = buildNativeOracles();
const skip = lookup.ok ? false : lookup.reason;

function load(program: string, args: string[], compileBlocks: boolean, blockHotVisits = 0) {
  const chunks: Uint8Array[] = [];
  const loaded = loadStaticElf(new Uint8Array(fs.readFileSync(program)), [program, ...args], ['LC_ALL=C'], {
    stdout: (b) => chunks.push(b.slice()),
  });
  if ('error' in loaded) throw new Error(loaded.error);
  loaded.machine.compileBlocks = compileBlocks;
  loaded.machine.blockHotVisits = blockHotVisits;
  return { ...loaded, output: () => Buffer.concat(chunks).toString('utf8') };
}

function state(m: Machine): string {
  return JSON.stringify({ ...m.getRegisters(), count: m.instructionCount, cr2: m.control[2] });
}

function assertSameMemory(a: Machine, b: Machine, where: string): void {
  for (let n = 0; n < 1 << 20; n++) {
    const x = a.memory.pageNumbered(n), y = b.memory.pageNumbered(n);
    if (x === y) continue;
    assert.ok(x && y, `${where}: page 0x${n.toString(16)} is mapped in one machine only`);
    if (Buffer.compare(x.data, y.data) !== 0) assert.fail(`${where}: page 0x${n.toString(16)} differs`);
  }
}

describe('compiled blocks against the interpreter, block by block', { skip, concurrency: 1 }, () => {
  if (!lookup.ok) return;
  for (const [name, program] of lookup.builds.programs) {
    const args = LOCKSTEP_ARGS[name]?.quick ?? [];
    it(`${name} ${args.join(' ')}`, () => {
      const compiled = load(program, args, true);
      const reference = load(program, args, false);
      const a = compiled.machine, b = reference.machine;
      let blocks = 0;
      let boundaries = 0;
      while (compiled.linux.exitStatus === null) {
        const before = a.instructionCount;
        const block = compileBlockAt(a, a.eip);
        if (block !== NO_BLOCK) {
          try {
            // A budget of a few passes lets a block that loops to itself run its loop.
            block.run(a, a.instructionCount + 4 * block.count);
            blocks++;
          } catch (e) {
            // A fault or trap inside the block: the instructions before it completed.
            if (!(e instanceof MemoryFault) && !(e instanceof CpuSignal)) throw e;
          }
        }
        if (a.instructionCount === before) {
          const r = a.step();
          if (r.kind !== 'executed' && compiled.linux.exitStatus === null) assert.fail(`the compiled run stopped: ${JSON.stringify(r)}`);
        }
        const r = b.run(a.instructionCount - b.instructionCount);
        assert.equal(r.stop.kind === 'limit' || reference.linux.exitStatus !== null, true, `the interpreter stopped: ${JSON.stringify(r.stop)}`);
        if (state(a) !== state(b)) assert.fail(`after the block at 0x${block.address.toString(16)}:\ncompiled    ${state(a)}\ninterpreted ${state(b)}`);
        if (++boundaries % 5000 === 0) assertSameMemory(a, b, `after ${boundaries} blocks`);
      }
      assertSameMemory(a, b, 'at exit');
      assert.equal(compiled.linux.exitStatus, reference.linux.exitStatus);
      assert.ok(blocks > boundaries / 2, `most boundaries follow a compiled block (${blocks} of ${boundaries})`);
      const native = runNatively(program, args);
      assert.equal(compiled.output(), native.stdout, 'the output differs from the native run');
    });
  }
});

describe('run(limit) with compiled blocks stops at exactly the limit', { skip }, () => {
  if (!lookup.ok) return;
  for (const name of ['qsort-integers', 'string-handling', 'floating-point-series']) {
    it(name, () => {
      const program = lookup.builds.programs.get(name)!;
      const args = LOCKSTEP_ARGS[name]?.quick ?? [];
      const compiled = load(program, args, true, 2);
      const reference = load(program, args, false);
      let seed = 12345;
      while (compiled.linux.exitStatus === null) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const limit = 1 + (seed % 997);
        const ra = compiled.machine.run(limit);
        const rb = reference.machine.run(limit);
        assert.equal(ra.executed, rb.executed);
        assert.equal(ra.stop.kind, rb.stop.kind);
        if (ra.stop.kind === 'limit') assert.equal(ra.executed, limit);
        assert.equal(state(compiled.machine), state(reference.machine));
      }
      assertSameMemory(compiled.machine, reference.machine, 'at exit');
      assert.equal(compiled.output(), reference.output());
    });
  }
});

const noAs = hasCommand('as') && hasCommand('ld') ? false : 'needs GNU as and ld';

/** Runs a snippet to hlt in both modes (blocks compiled on first visit) and compares. */
function bothWays(source: string, prepare: (m: Machine) => void = () => undefined): [Machine, Machine] {
  const bytes = assemble(source);
  const machines = [true, false].map((compileBlocks) => {
    const m = machineWith(bytes);
    m.compileBlocks = compileBlocks;
    m.blockHotVisits = 0;
    prepare(m);
    return m;
  });
  return [machines[0]!, machines[1]!];
}

describe('compiled block fixtures', { skip: noAs }, () => {
  it('a store into the running block changes the instruction it patches before it runs', () => {
    const [a, b] = bothWays(`
      movb $2, target+1
      xor %ecx, %ecx
    target:
      mov $1, %eax
      add $5, %ecx
      hlt`, (m) => m.memory.map(CODE, 0x1000, 'rwx'));
    for (const m of [a, b]) assert.equal(m.run(100).stop.kind, 'halt');
    assert.equal(a.getRegisters().eax, 2, 'the patched immediate');
    assert.equal(state(a), state(b));
  });

  it('machines running the same bytes share a compiled block; bytes that compile to the same source do not', () => {
    // movsb and movsl both run the interpreter's handler: same addresses and source, other bytes.
    const snippet = (op: string) => `
      mov $${DATA}, %esi
      lea 8(%esi), %edi
      ${op}
      ${op}
      hlt`;
    const fill = (m: Machine) => m.memory.writeBytes(DATA, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const blocks = [];
    for (const op of ['movsb', 'movsl', 'movsb']) {
      const [a, b] = bothWays(snippet(op), fill);
      blocks.push(compileBlockAt(a, CODE));
      for (const m of [a, b]) assert.equal(m.run(100).stop.kind, 'halt');
      assert.equal(state(a), state(b), op);
      assert.deepEqual(a.memory.readBytes(DATA, 16), b.memory.readBytes(DATA, 16), op);
    }
    assert.notEqual(blocks[0], NO_BLOCK);
    assert.equal(blocks[0], blocks[2], 'the same bytes at the same address reuse the block');
    assert.notEqual(blocks[0], blocks[1]);
    assert.equal(blocks[0]!.source, blocks[1]!.source, 'the two blocks differ only in their bytes');
  });

  it('a #PF in the middle of a block completes the instructions before it and restarts the faulting one', () => {
    const source = `
      mov $7, %eax
      add $3, %eax
      cmp $10, %eax
      mov %eax, 0x10(%ebx)
      inc %eax
      hlt`;
    const [a, b] = bothWays(source, (m) => m.setRegisters({ ebx: 0x00700000, eflags: 0x202 }));
    const ra = a.run(100), rb = b.run(100);
    assert.equal(a.instructionCount, 3, 'the three instructions before the store completed');
    assert.deepEqual(ra, rb);
    if (ra.stop.kind !== 'exception' || ra.stop.exception.kind !== 'page-fault') return assert.fail('expected #PF');
    assert.equal(ra.stop.exception.cr2, 0x00700010);
    assert.equal(state(a), state(b));
    assert.equal(a.eip, CODE + 11, 'EIP on the faulting store');
    for (const m of [a, b]) m.setRegisters({ ebx: DATA });
    const again = [a.run(100), b.run(100)];
    assert.deepEqual(again[0], again[1]);
    assert.equal(state(a), state(b));
    assert.equal(a.getRegisters().eax, 11);
    assert.equal(a.memory.readBytes(DATA + 0x10, 1).toString(), '10');
  });

  it('every condition code on a pending add, sub, cmp, and or test agrees with the interpreter', () => {
    const values = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xfffffffe, 0x80000001];
    const conditions = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
    const lines: string[] = [];
    let slot = 0;
    for (const op of ['add', 'sub', 'cmp', 'and', 'test']) {
      for (const x of values) {
        for (const y of values) {
          for (const cc of conditions) {
            // setcc and a jcc straight after the flag-setting instruction read the pending operation.
            lines.push(`mov $${x}, %eax`, `${op} $${y}, %eax`, `set${cc} ${DATA + slot}`);
            lines.push(`mov $${x}, %eax`, `${op} $${y}, %eax`, `j${cc} 1f`, `incb ${DATA + slot + 1}`, '1:');
            slot = (slot + 2) % 0x1ffe;
          }
        }
      }
    }
    lines.push('hlt');
    const [a, b] = bothWays(lines.join('\n'));
    for (const m of [a, b]) assert.equal(m.run(1_000_000).stop.kind, 'halt');
    assert.equal(state(a), state(b));
    assertSameMemory(a, b, 'at hlt');
  });
});
