// A real JSON-RPC client for the language server's tests: starts `server-main.ts --stdio` in a
// child process (through tsx) and speaks LSP to it over stdin/stdout with vscode-jsonrpc.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity?: number; code?: string | number; source?: string; message: string }>;
}

export class LanguageServerClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, Array<(d: PublishedDiagnostics) => void>>();
  readonly latest = new Map<string, PublishedDiagnostics>();
  stderr = '';

  constructor(settings: Record<string, unknown> = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'server', 'src', 'server-main.ts'), '--stdio'], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.latest.set(p.uri, p);
      const list = this.waiting.get(p.uri) ?? [];
      this.waiting.delete(p.uri);
      for (const resolve of list) resolve(p);
    });
    this.connection.onRequest('workspace/configuration', () => [settings]);
    this.connection.listen();
  }

  async initialize(capabilities: Record<string, unknown> = { workspace: { configuration: false } }): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** The next diagnostics published for `uri`. */
  nextDiagnostics(uri: string, timeoutMs = 20000): Promise<PublishedDiagnostics> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      const list = this.waiting.get(uri) ?? [];
      list.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
      this.waiting.set(uri, list);
    });
  }

  open(uri: string, text: string, version = 1, timeoutMs = 20000): Promise<PublishedDiagnostics> {
    const next = this.nextDiagnostics(uri, timeoutMs);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'i386-asm', version, text } });
    return next;
  }

  /** Calls `listener` with the server process's exit code once it exits. */
  onExit(listener: (code: number | null) => void): void {
    if (this.child.exitCode !== null) listener(this.child.exitCode);
    else this.child.once('exit', (code) => listener(code));
  }

  /** Closes the connection and ends the process, without the protocol's shutdown. */
  dispose(): void {
    this.connection.dispose();
    this.child.kill();
  }

  async shutdown(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } finally {
      this.connection.dispose();
      this.child.kill();
    }
  }
}
