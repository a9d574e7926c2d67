// CPU faults as exception breakpoints: with the #DE filter on (the default) the run stops with
// reason "exception" and the fault's text on the faulting line (divide-by-zero.s, bp-div: a fault
// leaves EIP on the instruction); a probe on that line does not change where the fault is seen
// (6.1 steps the copy by int3: the fault handler puts EIP back on the probed address); with the
// filter off the run ends with the fault in the output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, collectOutput, launchWithBreakpoints, lineOf, startAdapter, stopAfter, topFrame } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'divide-by-zero.s');
const SOURCE = readFileSync(PROGRAM, 'utf8');

test('#DE stops on the faulting line, with and without a probe there', async () => {
  for (const lines of [[], [lineOf(SOURCE, 'bp-div')]]) {
    const adapter = await startAdapter();
    try {
      const { client } = adapter;
      const caps = await client.initializeRequest({ adapterID: 'kboost', pathFormat: 'path' });
      assert.ok(caps.body?.exceptionBreakpointFilters?.some((f) => f.filter === '#DE' && f.default === true));
      const first = client.waitForEvent('stopped');
      await launchWithBreakpoints(client, { program: PROGRAM, profile: 'linux-6.1' }, lines);
      let stop = await first;
      if (lines.length > 0) {
        assert.equal(stop.body.reason, 'breakpoint');
        stop = await stopAfter(client, () => client.continueRequest({ threadId: 1 }));
      }
      assert.equal(stop.body.reason, 'exception');
      assert.match((stop.body as { text?: string }).text ?? '', /^#DE: /);
      assert.equal((await topFrame(client)).line, lineOf(SOURCE, 'bp-div'));
    } finally {
      await adapter.stop();
    }
  }
});

test('with the #DE filter off the run ends, and the output says why', async () => {
  const adapter = await startAdapter();
  try {
    const { client } = adapter;
    const output = collectOutput(client);
    await client.setExceptionBreakpointsRequest({ filters: ['#UD', '#GP', '#PF'] });
    const terminated = client.waitForEvent('terminated');
    await launchWithBreakpoints(client, { program: PROGRAM }, []);
    await terminated;
    assert.match(output(), /# #DE: .*the run ends here/);
  } finally {
    await adapter.stop();
  }
});
