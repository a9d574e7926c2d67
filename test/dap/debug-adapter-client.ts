// The debug adapter's tests talk to the real bundle over the real protocol: the server bundle is
// built with esbuild as `npm run build` builds dist/kboost-server.js (same entry and options, into
// a temporary folder of this process, so parallel test files never race on dist/), started as
// `node kboost-server.js --dap`, and driven by @vscode/debugadapter-testsupport's DebugClient.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');

let bundle: string | null = null;

/** The server bundle, built once per test process. */
export function serverBundle(): string {
  if (bundle !== null) return bundle;
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-dap-bundle-'));
  const outfile = path.join(dir, 'kboost-server.js');
  buildSync({
    entryPoints: [path.join(REPO_ROOT, 'server', 'src', 'server-main.ts')], outfile,
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning',
  });
  return (bundle = outfile);
}

/** A DebugClient on the pipes of a process started here (DebugClient.start cannot pass `--dap`). */
class PipedDebugClient extends DebugClient {
  attach(readable: import("node:stream").Readable, writable: import("node:stream").Writable): void {
    this.connect(readable, writable);
  }
}

export interface Adapter {
  client: DebugClient;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `node <bundle> --dap` (default: the bundle built for this process) with a DebugClient on its pipes. */
export async function startAdapter(bundlePath = serverBundle()): Promise<Adapter> {
  const child = spawn(process.execPath, [bundlePath, '--dap'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const client = new PipedDebugClient(process.execPath, bundlePath, 'kboost');
  client.defaultTimeout = 20_000;
  client.attach(child.stdout!, child.stdin!);
  await client.initializeRequest({ adapterID: 'kboost', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  return {
    client, child, stderr: () => stderr,
    async stop() {
      try {
        await Promise.race([client.disconnectRequest({}), new Promise((r) => setTimeout(r, 2000))]);
      } catch {
        // The adapter may already be gone; it is killed below either way.
      }
      child.kill();
    },
  };
}

/** Runs `body` with a fresh adapter, stopped afterwards whatever happens. */
export async function withAdapter(body: (adapter: Adapter) => Promise<void>): Promise<void> {
  const adapter = await startAdapter();
  try {
    await body(adapter);
  } finally {
    await adapter.stop();
  }
}

/** Writes `source` into a fresh temporary file with the given name; returns its path. */
export function programFile(name: string, source: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kboost-dap-'));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

/** The 1-based line of the first line of `source` containing `marker`. */
export function lineOf(source: string, marker: string): number {
  const k = source.split('\n').findIndex((l) => l.includes(marker));
  if (k < 0) throw new Error(`no line with ${marker}`);
  return k + 1;
}

/**
 * Launches, lets `configure` set breakpoints (or anything) once the adapter says initialized, then
 * sends configurationDone: the run starts (or stops on entry) only after that.
 */
export async function launchConfigured(client: DebugClient, launch: Record<string, unknown>, configure: () => Promise<unknown> = async () => undefined): Promise<void> {
  const initialized = client.waitForEvent('initialized');
  await client.launch(launch as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await configure();
  await client.configurationDoneRequest();
}

/** Launches `program` with breakpoints on `lines` (1-based); the breakpoints' answer. */
export async function launchWithBreakpoints(
  client: DebugClient, launch: Record<string, unknown>, lines: number[],
): Promise<DebugProtocol.SetBreakpointsResponse> {
  let response: DebugProtocol.SetBreakpointsResponse | null = null;
  await launchConfigured(client, launch, async () => {
    response = await client.setBreakpointsRequest({ source: { path: launch.program as string }, breakpoints: lines.map((line) => ({ line })) });
  });
  return response!;
}

/**
 * Steps in from a probe's breakpoint through its hit, until a plain step follows it: each stage
 * stop's description, after `atStage` has looked at that stop.
 */
export async function stepInThroughHit(client: DebugClient, atStage: (description: string) => Promise<void> = async () => undefined): Promise<string[]> {
  const words: string[] = [];
  for (let k = 0; k < 40; k++) {
    const stop = await stopAfter(client, () => client.stepInRequest({ threadId: 1 }));
    const description = (stop.body as { description: string }).description;
    if (description.startsWith('stepped ')) break;
    await atStage(description);
    words.push(description);
  }
  return words;
}

/** The Hit stages scope's rows, by kind (their `N. ` numbering dropped). */
export async function hitStageKinds(client: DebugClient): Promise<string[]> {
  return (await client.variablesRequest({ variablesReference: 3 })).body.variables.map((v) => v.name.replace(/^\d+\. /, ''));
}

/** Sends a request and waits for the stopped event it causes. */
export async function stopAfter(client: DebugClient, request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await request();
  return stopped;
}

/** Registers as the Registers scope shows them (numbers). */
export async function shownRegisters(client: DebugClient): Promise<Record<string, number>> {
  const vars = await client.variablesRequest({ variablesReference: 1 });
  const out: Record<string, number> = {};
  for (const v of vars.body.variables) out[v.name] = Number(v.value.split(' ')[0]);
  return out;
}

/** The top frame of thread 1. */
export async function topFrame(client: DebugClient): Promise<DebugProtocol.StackFrame> {
  const st = await client.stackTraceRequest({ threadId: 1 });
  return st.body.stackFrames[0]!;
}

/** Output events' text collected from now on. */
export function collectOutput(client: DebugClient): () => string {
  let text = '';
  client.on('output', (e: DebugProtocol.OutputEvent) => { text += e.body.output; });
  return () => text;
}

/**
 * Launches with breakpoints and continues at every stop until the program ends: the number of
 * stops, the output, and the setBreakpoints answer.
 */
export async function runToEndContinuing(
  client: DebugClient, launch: Record<string, unknown>, lines: number[],
): Promise<{ stops: number; output: string; set: DebugProtocol.SetBreakpointsResponse }> {
  const output = collectOutput(client);
  let stops = 0;
  client.on('stopped', () => {
    stops++;
    void client.continueRequest({ threadId: 1 });
  });
  const terminated = client.waitForEvent('terminated');
  const set = await launchWithBreakpoints(client, launch, lines);
  await terminated;
  return { stops, output: output(), set };
}

/** The next of several events (DebugClient.waitForEvent would leave a timer running for each loser). */
export function nextEvent(client: DebugClient, names: string[]): Promise<DebugProtocol.Event> {
  return new Promise((resolve) => {
    const handlers = names.map((name) => {
      const handler = (e: DebugProtocol.Event) => {
        names.forEach((n, k) => client.removeListener(n, handlers[k]!));
        resolve(e);
      };
      client.on(name, handler);
      return handler;
    });
  });
}
