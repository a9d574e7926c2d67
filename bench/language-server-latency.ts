// Benchmark: the language server's latency over its real protocol (the esbuild bundle over stdio):
// time to the first diagnostics of a 50,000-line file, and after one-line edits (95th percentile).
// Beside the client's wall times it reports where they go: the server's own timing of each publish
// (`$/kboost/timing`, from the change's arrival to the message written), this client's JSON.parse
// of the message, the payload's size, and the protocol's floor: the parse of as many diagnostics in
// their smallest form. `npm run bench:lsp`; writes
// bench/results/language-server-latency.json. SERVER_NODE_ARGS passes node options to the server
// (for example `--cpu-prof --cpu-prof-dir=prof` to profile it).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type ContentTypeDecoder, type Message } from 'vscode-jsonrpc/node';

const LINES = Number(process.env.LINES ?? 50000);
const EDITS = Number(process.env.EDITS ?? 20);
/** LINE_VERDICTS=1 also requests kboost/lineVerdicts after each publish, as the VS Code client does. */
const LINE_VERDICTS = process.env.LINE_VERDICTS === '1';
/** FUNCTION_LINES=n starts a new global function every n lines (default: one function). */
const FUNCTION_LINES = Number(process.env.FUNCTION_LINES ?? 0);
const server = path.resolve(process.cwd(), 'dist', 'kboost-server.js');

function sourceOf(lines: number): string {
  const out = ['\t.text', '\t.globl f', '\t.type f, @function', 'f:'];
  for (let i = 0; i < lines; i++) {
    if (FUNCTION_LINES > 0 && i > 0 && i % FUNCTION_LINES === 0) out.push(`\t.globl f${i}`, `\t.type f${i}, @function`, `f${i}:`);
    out.push(i % 7 === 0 ? `1:\tmovl ${i}(%ebp), %eax` : i % 7 === 3 ? '\tjne 1b' : '\taddl $1, %eax');
  }
  return out.join('\n');
}

/**
 * The server process's CPU time in ms (user + system, from /proc on Linux; null elsewhere). On a
 * shared machine wall times swing with the load; the CPU the server spent does much less.
 */
function cpuMsOf(pid: number | undefined): number | null {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return null;
  const fields = readFileSync(file, 'utf8').replace(/^.*\) /, '').split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted after the command name: indexes 11 and 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

interface ServerTiming { version: number; waitMs: number; analysisMs: number; diagnosticsMs: number; writeMs: number; totalMs: number; paramsBytes: number }

/**
 * The protocol's floor for this file, whatever the server: the client's decode and JSON.parse of a
 * publish carrying the same number of diagnostics in the smallest form LSP allows (range, severity
 * and a one-word message), timed in this process like the real messages.
 */
function minimalPublishParseMs(count: number, runs: number): number[] {
  const diagnostics = Array.from({ length: count }, (_, line) => ({ range: { start: { line, character: 1 }, end: { line, character: 14 } }, severity: 4, message: 'boosted' }));
  const bytes = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///bench.S', version: 2, diagnostics } }));
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const started = performance.now();
    JSON.parse(bytes.toString('utf-8'));
    times.push(performance.now() - started);
  }
  return times;
}

/** The median and 95th percentile of some times. */
function spread(times: number[]): { median: number; p95: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1]!, p95: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]! };
}

const round = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const child = spawn(process.execPath, [...(process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), server, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, KBOOST_TIMING: '1' },
  });
  /** The parse of each version's diagnostics message, and the server's timing of it. */
  const parseOf = new Map<number, { bytes: number; ms: number }>();
  let diagnosticCount = 0;
  const timingOf = new Map<number, ServerTiming>();
  // vscode-jsonrpc's own decoding, timed: the client's share of each message (JSON.parse of the text).
  const timedJson: ContentTypeDecoder = {
    name: 'application/json',
    decode: (buffer, options) => {
      const started = performance.now();
      const value = JSON.parse(Buffer.from(buffer).toString(options.charset)) as Message & { method?: string; params?: { version?: number } };
      const ms = performance.now() - started;
      if (value.method === 'textDocument/publishDiagnostics') {
        parseOf.set(value.params?.version ?? 0, { bytes: buffer.byteLength, ms });
        diagnosticCount = (value.params as { diagnostics?: unknown[] }).diagnostics?.length ?? 0;
      }
      return Promise.resolve(value);
    },
  };
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!, { charset: 'utf-8', contentTypeDecoder: timedJson }), new StreamMessageWriter(child.stdin!));
  let waiter: ((version: number) => void) | null = null;
  conn.onNotification('textDocument/publishDiagnostics', (p: { version?: number }) => waiter?.(p.version ?? 0));
  conn.onNotification('$/kboost/timing', (t: ServerTiming) => void timingOf.set(t.version, t));
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await conn.sendNotification('initialized', {});
  const uri = 'file:///bench.S';
  const text = sourceOf(LINES);
  const until = (version: number): Promise<number> => {
    const started = performance.now();
    return new Promise((resolve) => {
      waiter = (v) => {
        if (v >= version) resolve(performance.now() - started);
      };
    });
  };
  let done = until(1);
  const cpuAtStart = cpuMsOf(child.pid);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'i386-asm', version: 1, text } });
  const first = await done;
  const cpuAfterOpen = cpuMsOf(child.pid);
  const edits: number[] = [];
  /** The client's wall time of each kboost/lineVerdicts request (LINE_VERDICTS=1). */
  const lineVerdicts: number[] = [];
  for (let v = 2; v < 2 + EDITS; v++) {
    done = until(v);
    const line = 10 + v;
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: v },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '\tincl %ecx\n' }],
    });
    edits.push(await done);
    if (LINE_VERDICTS) {
      const asked = performance.now();
      await conn.sendRequest('kboost/lineVerdicts', { uri });
      lineVerdicts.push(performance.now() - asked);
    }
  }
  const cpuAfterEdits = cpuMsOf(child.pid);
  // The timing notification follows its publish: let the last one arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const { median, p95 } = spread(edits);
  const cpu = cpuAtStart !== null && cpuAfterOpen !== null && cpuAfterEdits !== null
    ? { serverCpuFirstMs: Math.round(cpuAfterOpen - cpuAtStart), serverCpuPerEditMs: Math.round((cpuAfterEdits - cpuAfterOpen) / EDITS) }
    : {};
  const editVersions = Array.from({ length: EDITS }, (_, k) => k + 2);
  const serverOf = (pick: (t: ServerTiming) => number, versions: number[]) => spread(versions.map((v) => (timingOf.has(v) ? pick(timingOf.get(v)!) : NaN)));
  const phases = (versions: number[]) => ({
    serverTotalMs: serverOf((t) => t.totalMs, versions),
    serverWaitMs: serverOf((t) => t.waitMs, versions),
    serverAnalysisMs: serverOf((t) => t.analysisMs, versions),
    serverDiagnosticsMs: serverOf((t) => t.diagnosticsMs, versions),
    serverWriteMs: serverOf((t) => t.writeMs, versions),
    clientParseMs: spread(versions.map((v) => parseOf.get(v)?.ms ?? NaN)),
  });
  const rounded = (x: Record<string, { median: number; p95: number }>) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, { median: round(v.median), p95: round(v.p95) }]));
  const floor = spread(minimalPublishParseMs(diagnosticCount, EDITS));
  const result = {
    lines: LINES,
    ...(FUNCTION_LINES > 0 ? { functionLines: FUNCTION_LINES } : {}),
    firstDiagnosticsMs: Math.round(first),
    editP95Ms: Math.round(p95),
    editMedianMs: Math.round(median),
    ...cpu,
    payloadBytes: parseOf.get(2)?.bytes ?? null,
    diagnostics: diagnosticCount,
    minimalPublishParseMs: { median: round(floor.median), p95: round(floor.p95) },
    ...(LINE_VERDICTS ? { lineVerdictsMs: rounded({ request: spread(lineVerdicts) }).request } : {}),
    open: rounded(phases([1])),
    edits: rounded(phases(editVersions)),
    note: 'a single edit is analysed at once (no debounce); server CPU from /proc (10 ms ticks); server phases from $/kboost/timing (wall clock)',
  };
  const e = result.edits;
  const o = result.open;
  console.log([
    '| lines | first diagnostics | after a one-line edit (median / p95) | server CPU: open / per edit | payload |',
    '|---:|---:|---:|---:|---:|',
    `| ${LINES}${FUNCTION_LINES > 0 ? ` (functions of ${FUNCTION_LINES})` : ''} | ${result.firstDiagnosticsMs} ms | ${result.editMedianMs} / ${result.editP95Ms} ms | ${cpu.serverCpuFirstMs ?? '?'} / ${cpu.serverCpuPerEditMs ?? '?'} ms | ${((result.payloadBytes ?? 0) / 1e6).toFixed(1)} MB |`,
    '',
    '| medians (ms) | change to written | wait | analysis | probes and JSON | write | client JSON.parse |',
    '|---|---:|---:|---:|---:|---:|---:|',
    `| open | ${o.serverTotalMs!.median} | ${o.serverWaitMs!.median} | ${o.serverAnalysisMs!.median} | ${o.serverDiagnosticsMs!.median} | ${o.serverWriteMs!.median} | ${o.clientParseMs!.median} |`,
    `| edit | ${e.serverTotalMs!.median} | ${e.serverWaitMs!.median} | ${e.serverAnalysisMs!.median} | ${e.serverDiagnosticsMs!.median} | ${e.serverWriteMs!.median} | ${e.clientParseMs!.median} |`,
    `| edit p95 | ${e.serverTotalMs!.p95} | ${e.serverWaitMs!.p95} | ${e.serverAnalysisMs!.p95} | ${e.serverDiagnosticsMs!.p95} | ${e.serverWriteMs!.p95} | ${e.clientParseMs!.p95} |`,
    '',
    `the protocol's floor: JSON.parse of ${diagnosticCount} minimal diagnostics (range, severity, one word), median / p95: ${result.minimalPublishParseMs.median} / ${result.minimalPublishParseMs.p95} ms`,
    ...(LINE_VERDICTS ? ['', `kboost/lineVerdicts after each edit (client wall, median / p95): ${result.lineVerdictsMs!.median} / ${result.lineVerdictsMs!.p95} ms`] : []),
  ].join('\n'));
  mkdirSync(path.resolve(process.cwd(), 'bench', 'results'), { recursive: true });
  writeFileSync(path.resolve(process.cwd(), 'bench', 'results', 'language-server-latency.json'), JSON.stringify(result, null, 2) + '\n');
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  // Let the server exit by itself (so a --cpu-prof profile gets written) before killing it.
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 5000);
    child.once('exit', () => resolve(clearTimeout(timer)));
  });
  conn.dispose();
  child.kill();
}

void main();
