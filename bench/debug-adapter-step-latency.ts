// `npm run bench:dap`: the debug adapter's step round trip as VS Code makes it: a stepIn request,
// the stopped event, then stackTrace, scopes and the variables of the three scopes. The bundled
// adapter (dist/kboost-server.js --dap) runs long-loop.s under a linux-2.6.18 probe on its loop,
// so the steps mix a hit's stages with plain instructions. Prints and writes the median and 95th
// percentile of the wall time per round trip, and the adapter's CPU time per step (from /proc),
// to bench/results/debug-adapter-step-latency.json. STEPS (default 400) and PROFILE may be set.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, launchWithBreakpoints, lineOf, startAdapter, stopAfter } from '../test/dap/debug-adapter-client';

const STEPS = Number(process.env.STEPS ?? 400);
const PROFILE = process.env.PROFILE ?? 'linux-2.6.18';
const BUNDLE = path.resolve(process.cwd(), 'dist', 'kboost-server.js');
const PROGRAM = path.join(FIXTURES, 'long-loop.s');

/** The adapter's CPU time in ms (user + system, from /proc on Linux; null elsewhere). */
function cpuMsOf(pid: number | undefined): number | null {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return null;
  const fields = readFileSync(file, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function spread(times: number[]): { median: number; p95: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1]!, p95: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!, max: sorted[sorted.length - 1]! };
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const adapter = await startAdapter(BUNDLE);
  const { client, child } = adapter;
  try {
    const first = client.waitForEvent('stopped');
    await launchWithBreakpoints(client, { program: PROGRAM, profile: PROFILE }, [lineOf(readFileSync(PROGRAM, 'utf8'), 'bp-body')]);
    await first;
    const times: number[] = [];
    let stageSteps = 0;
    const cpuBefore = cpuMsOf(child.pid);
    for (let k = 0; k < STEPS; k++) {
      const start = process.hrtime.bigint();
      const stop = await stopAfter(client, () => client.stepInRequest({ threadId: 1 }));
      const frames = await client.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 });
      const scopes = await client.scopesRequest({ frameId: frames.body.stackFrames[0]!.id });
      await Promise.all(scopes.body.scopes.map((s) => client.variablesRequest({ variablesReference: s.variablesReference })));
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (!(stop.body as { description?: string }).description?.startsWith('stepped ')) stageSteps++;
    }
    const cpuAfter = cpuMsOf(child.pid);
    const wall = spread(times);
    const result = {
      date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', loadAverage: os.loadavg()[0],
      profile: PROFILE, steps: STEPS, stageSteps,
      roundTripMs: { median: +wall.median.toFixed(3), p95: +wall.p95.toFixed(3), max: +wall.max.toFixed(3) },
      adapterCpuMsPerStep: cpuBefore !== null && cpuAfter !== null ? +((cpuAfter - cpuBefore) / STEPS).toFixed(3) : null,
      goalP95Ms: 10,
    };
    console.log(`debug adapter step round trip (stepIn -> stopped -> stackTrace + scopes + 3x variables), ${STEPS} steps (${stageSteps} hit stages), ${PROFILE}:`);
    console.log(`  wall: median ${result.roundTripMs.median} ms, p95 ${result.roundTripMs.p95} ms, max ${result.roundTripMs.max} ms (goal: p95 within 10 ms)`);
    console.log(`  adapter CPU: ${result.adapterCpuMsPerStep} ms per step; load average ${result.loadAverage.toFixed(2)}`);
    mkdirSync(path.join('bench', 'results'), { recursive: true });
    writeFileSync(path.join('bench', 'results', 'debug-adapter-step-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await adapter.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
