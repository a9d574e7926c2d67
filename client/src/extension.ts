// The VS Code extension: starts the kboost language server (dist/kboost-server.js --stdio) for
// i386 assembly files, and shows and switches the kprobe profile from the status bar. The only
// code of the project that imports 'vscode'.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

const PROFILES = [
  { id: 'rfc-2.6.15', detail: 'the seed: kprobe-booster RFC take 3 (Dec 2005), lazy boost after the first step' },
  { id: 'linux-2.6.18', detail: 'the booster as merged in mainline i386 (2006): prefixes and two-byte opcodes' },
  { id: 'linux-6.1', detail: 'modern x86 kprobes: int3 single-step, emulation, optprobes' },
];

let client: LanguageClient | undefined;

function currentProfile(): string {
  return vscode.workspace.getConfiguration('kboost').get<string>('profile', 'linux-6.1');
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('dist/kboost-server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio, args: ['--stdio'] },
    debug: { module: serverModule, transport: TransportKind.stdio, args: ['--stdio'] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'i386-asm' }],
    synchronize: { configurationSection: 'kboost' },
    initializationOptions: { kboost: vscode.workspace.getConfiguration('kboost') },
  };
  client = new LanguageClient('kboost', 'kboost', serverOptions, clientOptions);

  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = 'kboost.selectProfile';
  status.tooltip = 'kprobe profile used for the boostability diagnostics (click to change)';
  const showProfile = (): void => {
    status.text = `$(debug-breakpoint) kboost: ${currentProfile()}`;
    status.show();
  };
  showProfile();

  context.subscriptions.push(
    status,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('kboost.profile')) showProfile();
    }),
    vscode.commands.registerCommand('kboost.selectProfile', async () => {
      const pick = await vscode.window.showQuickPick(
        PROFILES.map((p) => ({ label: p.id, detail: p.detail, picked: p.id === currentProfile() })),
        { placeHolder: 'kprobe profile (kernel generation) for the diagnostics' },
      );
      if (pick) await vscode.workspace.getConfiguration('kboost').update('profile', pick.label, vscode.ConfigurationTarget.Global);
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
