// Stages the built kboost extension into a fresh code-server (extensions dir, user settings, a
// workspace holding one fixture) and starts code-server on a free 127.0.0.1 port. The server runs in
// its own process group so stop() ends it together with its extension host and our language server.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const E2E_DIR = __dirname;
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Where install.sh puts code-server and playwright-core: outside test/, whose *.test.ts npm test runs. */
export const E2E_MODULES = path.join(REPO_ROOT, '.cache', 'vscode-e2e', 'node_modules');
export const CODE_SERVER_BIN = path.join(E2E_MODULES, '.bin', 'code-server');
/** The folder name code-server loads an unpacked extension from: publisher.name-version. */
export const EXTENSION_FOLDER = 'kboost.kboost-0.1.0';

export interface CodeServerOptions {
  /** Files (or folders, such as .vscode) copied into the workspace folder, by their name there. */
  workspaceFiles: Record<string, string>;
  /** Written to User/settings.json before the start. */
  userSettings: Record<string, unknown>;
  startTimeoutMs: number;
}

export interface CodeServerSession {
  url: string;
  workspace: string;
  userDataDir: string;
  /** What code-server printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** A port the kernel just handed out and released: free unless something races us for it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The packaged extension that `npm run package` writes; the test installs exactly this file. */
export const VSIX = path.join(REPO_ROOT, 'dist', 'kboost-0.1.0.vsix');

/** Installs the .vsix into a fresh extensions dir the way a user would: code-server --install-extension. */
function stageExtension(extensionsDir: string, userDataDir: string): void {
  const r = spawnSync(CODE_SERVER_BIN, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', VSIX], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`code-server --install-extension ${VSIX} failed: ${r.stdout} ${r.stderr}`);
}

async function waitForHealthz(url: string, deadline: number, exited: () => string | null): Promise<void> {
  for (;;) {
    const gone = exited();
    if (gone !== null) throw new Error(`code-server exited early (${gone})`);
    try {
      const res = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('code-server did not answer /healthz in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

function endGroup(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const pid = child.pid;
    const kill = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-pid, sig);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      // The extension host and language server may outlive the parent by a moment.
      kill('SIGKILL');
      resolve();
    });
    kill('SIGTERM');
  });
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServerSession> {
  if (!existsSync(CODE_SERVER_BIN)) throw new Error('code-server is not installed: run bash test/vscode-e2e/install.sh');
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run npm run package`);
  const root = mkdtempSync(path.join(os.tmpdir(), 'kboost-vscode-e2e-'));
  const extensionsDir = path.join(root, 'extensions');
  const userDataDir = path.join(root, 'user-data');
  const workspace = path.join(root, 'workspace');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  stageExtension(extensionsDir, userDataDir);
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(opts.userSettings, null, 2));
  mkdirSync(workspace, { recursive: true });
  for (const [name, from] of Object.entries(opts.workspaceFiles)) cpSync(from, path.join(workspace, name), { recursive: true });

  const port = await freePort();
  const args = [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace,
  ];
  let output = '';
  const child = spawn(CODE_SERVER_BIN, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: path.join(root, 'config') } });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = (): string | null => (child.exitCode !== null ? `exit ${child.exitCode}` : child.signalCode !== null ? child.signalCode : null);
  const url = `http://127.0.0.1:${port}/`;
  const session: CodeServerSession = {
    url,
    workspace,
    userDataDir,
    log: () => output,
    stop: async () => {
      await endGroup(child, 10_000);
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  try {
    await waitForHealthz(url, Date.now() + opts.startTimeoutMs, exited);
  } catch (e) {
    await session.stop();
    throw new Error(`${(e as Error).message}\n${output}`);
  }
  return session;
}
