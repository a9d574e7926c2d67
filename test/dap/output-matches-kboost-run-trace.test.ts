// The Debug Console tells a hit's story as `kboost run --trace` does: the adapter's output event
// lines (one per probe event, then the profile and per-probe summary at hlt) equal the lines the
// CLI prints for the same program and probe, run here in-process. Under each profile, and with a
// 6.1 optprobe due at once (detour hits).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { runCli } from '../cli/cli-test-support';
import { FIXTURES, collectOutput, launchWithBreakpoints, lineOf, startAdapter } from './debug-adapter-client';

const CASES: Array<{ program: string; marker: string; probe: string; profile: string; launch: Record<string, unknown>; cli: string[] }> = [
  { program: 'loop-and-call.s', marker: 'bp-loop', probe: 'body', profile: 'rfc-2.6.15', launch: {}, cli: [] },
  { program: 'loop-and-call.s', marker: 'bp-loop', probe: 'body', profile: 'linux-2.6.18', launch: {}, cli: [] },
  { program: 'loop-and-call.s', marker: 'bp-jnz', probe: 'body+3', profile: 'linux-6.1', launch: {}, cli: [] },
  { program: 'optprobe-calls.s', marker: 'bp-f', probe: 'f', profile: 'linux-6.1', launch: { optimizeDelay: 0 }, cli: ['--optimize-delay', '0'] },
];

for (const c of CASES) {
  test(`output events equal kboost run --trace (${c.program} ${c.probe}, ${c.profile} ${c.cli.join(' ')})`, async () => {
    const program = path.join(FIXTURES, c.program);
    const cli = await runCli(['run', '--probe', c.probe, '--profile', c.profile, ...c.cli, '--trace', program]);
    assert.equal(cli.code, 0, cli.stderr);
    // The CLI's stage lines are indented; its ftrace-like hit lines come from its own pre_handler.
    const expected = cli.stdout.split('\n').filter((l) => /^\s*# /.test(l)).map((l) => l.trim());
    const adapter = await startAdapter();
    try {
      const { client } = adapter;
      const output = collectOutput(client);
      client.on('stopped', () => void client.continueRequest({ threadId: 1 }));
      const terminated = client.waitForEvent('terminated');
      await launchWithBreakpoints(client, { program, profile: c.profile, ...c.launch }, [lineOf(readFileSync(program, 'utf8'), c.marker)]);
      await terminated;
      // The CLI starts tracing after it registers, so its trace has no `arm` line; the adapter's has.
      const lines = output().split('\n').filter((l) => l.startsWith('# ') && !l.startsWith('# hlt ') && !l.startsWith('# arm '));
      assert.deepEqual(lines, expected);
    } finally {
      await adapter.stop();
    }
  });
}
