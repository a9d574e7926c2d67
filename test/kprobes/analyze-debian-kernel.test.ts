// `kboost analyze` on Debian's real i386 6.1 kernel with its own kallsyms and kprobes blacklist
// (../shared/data): blacklisted and entry-text functions are refused, the preemptible 686 config
// boosts nothing, optprobes follow their conditions, exception-table sites are not boostable, and
// a probe off an instruction boundary is -EILSEQ.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findDebianKernel } from '../oracles/debian-kernel';
import { KALLSYMS, SHARED_DATA_DIR, runCli } from '../cli/cli-test-support';
import { decode } from '../../server/src/isa';
import { analyzeFunction, probeAt } from '../../server/src/kprobes';

const BLACKLIST = path.join(SHARED_DATA_DIR, 'kprobes_blacklist.txt');

interface JsonInstruction { address: number; registration: string; laterHits: string; canBoost: { ok: boolean; rule: string }; optimizable: { ok: boolean; why: string } | null }
interface JsonFunction { name: string; summary: Record<string, number>; instructions: JsonInstruction[] }

async function analyze(t: { skip(m: string): void }, extra: string[]): Promise<JsonFunction[] | null> {
  const kernel = findDebianKernel();
  if (!kernel.ok) return (t.skip(kernel.reason), null);
  if (!existsSync(KALLSYMS)) return (t.skip(`no ${KALLSYMS} (the shared data folder beside the repository)`), null);
  const r = await runCli(['analyze', kernel.files.vmlinux, '--system-map', KALLSYMS, '--blacklist', BLACKLIST, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { functions: JsonFunction[] }).functions;
}

test('blacklisted and entry-text functions are refused with -EINVAL', async (t) => {
  const fns = await analyze(t, ['--symbol', 'do_int3', '--symbol', 'entry_INT80_32']);
  if (fns === null) return;
  for (const fn of fns) {
    assert.ok(fn.instructions.length > 5, fn.name);
    assert.ok(fn.instructions.every((i) => i.registration === 'EINVAL'), `${fn.name} has a probeable instruction`);
  }
});

test("Debian's preemptible 686 config boosts nothing; some probes are optimizable", async (t) => {
  const fns = await analyze(t, ['--symbol', 'schedule', '--symbol', 'vfs_read']);
  if (fns === null) return;
  for (const fn of fns) {
    assert.equal(fn.summary.boosted, 0, fn.name);
    assert.ok(fn.summary.emulated! > 0 && fn.summary.singleStepped! > 0, fn.name);
    assert.ok(fn.summary.optimizable! > 0, `${fn.name}: no optimizable probe`);
    // An optimizable probe's own instruction is among the copied ones, so it passes can_boost.
    for (const i of fn.instructions.filter((x) => x.optimizable?.ok)) assert.ok(i.canBoost.ok, `${fn.name} 0x${i.address.toString(16)}`);
  }
  const off = await analyze(t, ['--symbol', 'schedule', '--preemption', 'off']);
  assert.ok(off![0]!.summary.boosted! > 0, 'a non-preemptible 6.1 kernel boosts');
});

test('exception-table sites are not boostable and their functions cannot be optimized', async (t) => {
  const kernel = findDebianKernel();
  if (!kernel.ok || !existsSync(KALLSYMS)) return t.skip('kernel or kallsyms missing');
  const fns = await analyze(t, ['--symbol', 'strncpy_from_user', '--preemption', 'off']);
  if (fns === null) return;
  const fn = fns[0]!;
  const sites = fn.instructions.filter((i) => /exception-table/.test(i.canBoost.rule));
  assert.ok(sites.length > 0, 'strncpy_from_user has user accesses with fix-ups');
  assert.ok(fn.instructions.every((i) => !i.optimizable?.ok));
  assert.ok(fn.instructions.some((i) => i.optimizable?.why.includes('exception-table')));
});

test('a probe off an instruction boundary is -EILSEQ', () => {
  const bytes = Uint8Array.from([0x55, 0x89, 0xe5, 0x8b, 0x45, 0x08, 0x5d, 0xc3]);
  const a = analyzeFunction({ name: 'f', address: 0x1000, bytes }, 'linux-6.1', { postHandler: false }, { preemption: false, optprobes: true });
  const inside = probeAt(a, 0x1002);
  assert.equal(inside.ok, false);
  assert.equal(!inside.ok && inside.errno, 'EILSEQ');
  assert.equal(probeAt(a, 0x1001).ok, true);
  assert.equal(decode(bytes, 1, 0x1001).mnemonic, 'mov');
});
