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

const VERDICT_CLASSES = ['boosted', 'optimized', 'single-stepped', 'emulated', 'refused', 'depends', 'invalid'] as const;

interface LineVerdicts {
  profile: string;
  lines: Array<{ line: number; end: number; verdict: (typeof VERDICT_CLASSES)[number] }>;
}

/** One decoration type per verdict: a coloured gutter dot and, when enabled, faint inline text. */
function verdictDecorations(context: vscode.ExtensionContext): Map<string, vscode.TextEditorDecorationType> {
  const types = new Map<string, vscode.TextEditorDecorationType>();
  for (const verdict of VERDICT_CLASSES) {
    const type = vscode.window.createTextEditorDecorationType({
      gutterIconPath: context.asAbsolutePath(`client/media/verdict-${verdict}.svg`),
      gutterIconSize: '70%',
      after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground') },
    });
    types.set(verdict, type);
    context.subscriptions.push(type);
  }
  return types;
}

async function paintVerdicts(editor: vscode.TextEditor, types: Map<string, vscode.TextEditorDecorationType>): Promise<void> {
  if (client === undefined || editor.document.languageId !== 'i386-asm') return;
  const result = await client.sendRequest<LineVerdicts>('kboost/lineVerdicts', { uri: editor.document.uri.toString() });
  const inline = vscode.workspace.getConfiguration('kboost').get<boolean>('inlineVerdicts', true);
  const byVerdict = new Map<string, vscode.DecorationOptions[]>();
  for (const l of result.lines) {
    const list = byVerdict.get(l.verdict) ?? [];
    const at = new vscode.Position(l.line, l.end);
    list.push({ range: new vscode.Range(at, at), renderOptions: inline ? { after: { contentText: l.verdict } } : undefined });
    byVerdict.set(l.verdict, list);
  }
  for (const [verdict, type] of types) editor.setDecorations(type, byVerdict.get(verdict) ?? []);
}

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
      const quickPick = vscode.window.createQuickPick();
      quickPick.placeholder = 'kprobe profile (kernel generation) for the diagnostics';
      quickPick.items = PROFILES.map((p) => ({ label: p.id, detail: p.detail, description: p.id === currentProfile() ? '(current)' : undefined }));
      quickPick.activeItems = quickPick.items.filter((i) => i.label === currentProfile());
      const pick = await new Promise<vscode.QuickPickItem | undefined>((resolve) => {
        quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
        quickPick.onDidHide(() => resolve(undefined));
        quickPick.show();
      });
      quickPick.dispose();
      if (pick) await vscode.workspace.getConfiguration('kboost').update('profile', pick.label, vscode.ConfigurationTarget.Global);
    }),
  );
  await client.start();

  const types = verdictDecorations(context);
  let timer: NodeJS.Timeout | undefined;
  const repaint = (): void => {
    clearTimeout(timer);
    // After the server's own debounce, so the verdicts belong to the current text.
    timer = setTimeout(() => {
      for (const editor of vscode.window.visibleTextEditors) void paintVerdicts(editor, types).catch(() => undefined);
    }, 400);
  };
  context.subscriptions.push(
    vscode.window.onDidChangeVisibleTextEditors(repaint),
    vscode.workspace.onDidChangeTextDocument(repaint),
    vscode.languages.onDidChangeDiagnostics(repaint),
  );
  repaint();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
