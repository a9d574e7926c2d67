// `npm start`: VS Code for the Web (code-server) on 127.0.0.1 with kboost loaded and samples/ as
// the workspace. Prints the URL and runs until interrupted (Ctrl-C), then cleans up.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startCodeServer } from '../test/vscode-e2e/code-server-session';

async function main(): Promise<void> {
  const samples = path.join(REPO_ROOT, 'samples');
  const workspaceFiles = Object.fromEntries(readdirSync(samples).map((f) => [f, path.join(samples, f)]));
  const session = await startCodeServer({
    workspaceFiles,
    userSettings: { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'kboost.profile': 'rfc-2.6.15' },
    startTimeoutMs: 60_000,
  });
  process.stdout.write(`kboost in VS Code for the Web: ${session.url}\n(the workspace is a copy of samples/; Ctrl-C stops it)\n`);
  const stop = (): void => {
    void session.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`npm start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
