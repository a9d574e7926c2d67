// samples/.vscode/launch.json runs in the real debug adapter (over the protocol), and the sample's
// comments about each configuration are true: with breakpoints on probe-hit-walkthrough.S's lines A
// and B, each probe's summary at hlt equals `kboost run --probe` with the same options, and its hits
// are the ones the comments promise for that kernel generation (and its handlers: a configuration
// with a post_handler on A runs as `kboost run --post-handler`, and its A is never boosted).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { runCli } from '../cli/cli-test-support';
import { launchWithBreakpoints, runToEndContinuing, shownRegisters, startAdapter, stopAfter } from '../dap/debug-adapter-client';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');
const PROGRAM = path.join(SAMPLES, 'probe-hit-walkthrough.S');
const SOURCE = readFileSync(PROGRAM, 'utf8');
const lineOf = (re: RegExp): number => SOURCE.split('\n').findIndex((l) => re.test(l)) + 1;
const PROBES = [
  { name: 'A', line: lineOf(/^\tpushl\t%ebp/), symbol: 'probed+0x0' },
  { name: 'B', line: lineOf(/^\tshll\t\$2, %eax/), symbol: 'probed+0x3' },
];

interface Launch {
  name: string; program: string; profile?: string; preemption?: string; stopOnEntry?: boolean; registers?: Record<string, number | string>;
  handlers?: Record<string, { pre?: string; post?: string }>;
}
const launches = (parseJsonc(readFileSync(path.join(SAMPLES, '.vscode', 'launch.json'), 'utf8')) as { configurations: Launch[] }).configurations;
const resolved = (c: Launch): Launch => ({ ...c, program: c.program.replace('${workspaceFolder}', SAMPLES).replace('${file}', PROGRAM) });

/** What the sample's header says each configuration's three hits of A and of B do. */
function promisedHits(c: Launch): Record<string, string> {
  if (c.handlers?.probed?.post !== undefined) return { A: '3xsingle-stepped', B: '3xsingle-stepped' };
  if (c.profile !== 'linux-6.1') return { A: '1xsingle-stepped,2xboosted', B: '3xsingle-stepped' };
  return { A: c.preemption === 'off' ? '3xboosted' : '3xsingle-stepped', B: '3xsingle-stepped' };
}

/** The `# kprobe SYMBOL: ...` summary lines of a run's output, by symbol. */
function summaries(text: string): Map<string, string> {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('# kprobe '));
  return new Map(lines.map((l) => [l.split(' ')[2]!.replace(/:$/, ''), l]));
}

for (const config of launches.filter((c) => c.program.endsWith('/probe-hit-walkthrough.S'))) {
  test(`${config.name}: probes A and B as kboost run and the sample's comments say`, async () => {
    const c = resolved(config);
    const handlers = Object.entries(c.handlers ?? {}).flatMap(([place, h]) => Object.entries(h).flatMap(([kind, label]) => [`--${kind}-handler`, `${place}=${label}`]));
    const options = [c.profile ? ['--profile', c.profile] : [], c.preemption ? ['--preemption', c.preemption] : [], handlers].flat();
    const cli = await runCli(['run', ...PROBES.flatMap((p) => ['--probe', p.symbol]), ...options, c.program]);
    assert.equal(cli.code, 0, cli.stderr);
    const adapter = await startAdapter();
    try {
      const { client } = adapter;
      const { stops, output, set } = await runToEndContinuing(client, c as unknown as Record<string, unknown>, PROBES.map((p) => p.line));
      assert.deepEqual(set.body.breakpoints.map((b) => [b.verified, b.line]), PROBES.map((p) => [true, p.line]));
      assert.equal(stops, 6, 'three calls, two probes each');
      const got = summaries(output);
      const want = summaries(cli.stdout);
      for (const p of PROBES) {
        assert.equal(got.get(p.symbol), want.get(p.symbol), `probe ${p.name}`);
        assert.match(got.get(p.symbol) ?? '', new RegExp(` hits=${promisedHits(c)[p.name]} `), `probe ${p.name} under ${c.name}`);
      }
    } finally {
      await adapter.stop();
    }
  });
}

test('the stop-on-entry configuration stops before the first instruction with its registers', async () => {
  const config = launches.find((c) => c.stopOnEntry === true);
  assert.ok(config, 'a configuration with stopOnEntry');
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const stopped = await stopAfter(client, () => launchWithBreakpoints(client, resolved(config) as unknown as Record<string, unknown>, []));
    assert.equal(stopped.body.reason, 'entry');
    const regs = await shownRegisters(client);
    for (const [name, value] of Object.entries(config.registers ?? {})) assert.equal(regs[name], Number(value), name);
    const terminated = client.waitForEvent('terminated');
    await client.continueRequest({ threadId: 1 });
    await terminated;
  } finally {
    await adapter.stop();
  }
});
