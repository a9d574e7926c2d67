// The VS Code extension: starts the kboost language server (dist/kboost-server.js --stdio) for
// i386 assembly files, shows and switches the kprobe profile from the status bar, and paints the
// verdict of the visible instruction lines in the gutter; wires the debugger (kprobe-debugging.ts).
// client/ is the only code of the project that imports 'vscode'.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerKprobeDebugging } from './kprobe-debugging';

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

/**
 * Lines painted beyond the visible ones on each side: scrolling within them needs no new request,
 * and a large file is never painted whole (the server answers for the asked lines only).
 */
const PAINT_MARGIN = 250;

/** What each editor shows now: the document version and the lines its marks cover. */
const painted = new WeakMap<vscode.TextEditor, { version: number; from: number; to: number }>();

/** The visible lines of an editor, with the margin. */
function paintWindow(editor: vscode.TextEditor): { from: number; to: number } {
  const visible = editor.visibleRanges.length > 0 ? editor.visibleRanges : [new vscode.Range(0, 0, 0, 0)];
  const from = Math.min(...visible.map((r) => r.start.line));
  const to = Math.max(...visible.map((r) => r.end.line));
  return { from: Math.max(0, from - PAINT_MARGIN), to: to + PAINT_MARGIN };
}

/** True when the editor's visible lines are already painted for its current text. */
function paintedAlready(editor: vscode.TextEditor): boolean {
  const p = painted.get(editor);
  if (p === undefined || p.version !== editor.document.version) return false;
  return editor.visibleRanges.every((r) => r.start.line >= p.from && r.end.line <= p.to);
}

async function paintVerdicts(editor: vscode.TextEditor, types: Map<string, vscode.TextEditorDecorationType>): Promise<void> {
  if (client === undefined || editor.document.languageId !== 'i386-asm') return;
  const version = editor.document.version;
  const { from, to } = paintWindow(editor);
  const result = await client.sendRequest<LineVerdicts>('kboost/lineVerdicts', {
    uri: editor.document.uri.toString(),
    range: { start: { line: from, character: 0 }, end: { line: to, character: 0 } },
  });
  const inline = vscode.workspace.getConfiguration('kboost').get<boolean>('inlineVerdicts', true);
  const byVerdict = new Map<string, vscode.DecorationOptions[]>();
  for (const l of result.lines) {
    const list = byVerdict.get(l.verdict) ?? [];
    const at = new vscode.Position(l.line, l.end);
    list.push({ range: new vscode.Range(at, at), renderOptions: inline ? { after: { contentText: l.verdict } } : undefined });
    byVerdict.set(l.verdict, list);
  }
  for (const [verdict, type] of types) editor.setDecorations(type, byVerdict.get(verdict) ?? []);
  painted.set(editor, { version, from, to });
}

function currentProfile(): string {
  return vscode.workspace.getConfiguration('kboost').get<string>('profile', 'linux-6.1');
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // Before the language client starts: a debug session must not wait for the server's first analysis.
  registerKprobeDebugging(context);
  const serverModule = context.asAbsolutePath('dist/kboost-server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio, args: ['--stdio'] },
    debug: { module: serverModule, transport: TransportKind.stdio, args: ['--stdio'] },
  };
  // C headers go to the server too, so that `#include` reads their unsaved text and navigation can
  // start in them; for them only go to definition and find references are asked (the server
  // publishes no diagnostics for them). Changes on disk are watched by the server's registration.
  const isAssembly = (document: vscode.TextDocument): boolean => document.languageId === 'i386-asm';
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'i386-asm' }, { language: 'c', pattern: '**/*.h' }, { language: 'cpp', pattern: '**/*.h' }],
    middleware: {
      provideHover: (document, position, token, next) => (isAssembly(document) ? next(document, position, token) : null),
      provideCompletionItem: (document, position, context, token, next) => (isAssembly(document) ? next(document, position, context, token) : []),
      provideCodeLenses: (document, token, next) => (isAssembly(document) ? next(document, token) : []),
      provideDocumentSymbols: (document, token, next) => (isAssembly(document) ? next(document, token) : []),
      provideCodeActions: (document, range, context, token, next) => (isAssembly(document) ? next(document, range, context, token) : []),
    },
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
  context.subscriptions.push(
    // A probe is a breakpoint in the debugger's view: move the one on `from` (or set one) to `to`.
    vscode.commands.registerCommand('kboost.moveProbe', (uri: string, from: number, to: number) => {
      const target = vscode.Uri.parse(uri);
      const old = vscode.debug.breakpoints.filter(
        (b) => b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === target.toString() && b.location.range.start.line === from,
      );
      if (old.length > 0) vscode.debug.removeBreakpoints(old);
      vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(target, new vscode.Position(to, 0)))]);
      void vscode.window.showInformationMessage(`kboost: probe moved from line ${from + 1} to line ${to + 1}`);
    }),
    vscode.commands.registerCommand('kboost.showFunctionVerdicts', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || client === undefined) return;
      const table = await client.sendRequest<string | null>('kboost/functionVerdicts', {
        uri: editor.document.uri.toString(),
        line: editor.selection.active.line,
      });
      if (table === null) {
        void vscode.window.showInformationMessage('kboost: no function here (a function is a .type @function symbol or a global label)');
        return;
      }
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: table });
      await vscode.window.showTextDocument(doc, vscode.ViewColumn.Beside);
    }),
    vscode.commands.registerCommand('kboost.checkWorkspace', () => checkWorkspace(context)),
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
  // Scrolling past the painted lines paints the new ones (soon: the text has not changed).
  const scrollTimers = new WeakMap<vscode.TextEditor, NodeJS.Timeout>();
  const scrolled = (e: vscode.TextEditorVisibleRangesChangeEvent): void => {
    if (paintedAlready(e.textEditor)) return;
    clearTimeout(scrollTimers.get(e.textEditor));
    scrollTimers.set(e.textEditor, setTimeout(() => void paintVerdicts(e.textEditor, types).catch(() => undefined), 60));
  };
  context.subscriptions.push(
    vscode.window.onDidChangeVisibleTextEditors(repaint),
    vscode.window.onDidChangeTextEditorVisibleRanges(scrolled),
    vscode.workspace.onDidChangeTextDocument(repaint),
    vscode.languages.onDidChangeDiagnostics(repaint),
  );
  repaint();
}

const checkDiagnostics = vscode.languages.createDiagnosticCollection('kboost-check');
const checkOutput = vscode.window.createOutputChannel('kboost check');

/** Runs the bundled `kboost check` over the workspace's assembly files and shows what it found. */
async function checkWorkspace(context: vscode.ExtensionContext): Promise<void> {
  const files = await vscode.workspace.findFiles('**/*.{S,s,asm}', '**/node_modules/**', 2000);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('kboost: no .S, .s or .asm files in the workspace');
    return;
  }
  const { execFile } = await import('node:child_process');
  const cli = context.asAbsolutePath('dist/kboost.js');
  const args = [cli, 'check', '--format', 'json', '--profile', currentProfile(), ...files.map((f) => f.fsPath)];
  const stdout = await new Promise<string>((resolve) => {
    // VS Code's own Node runs the CLI (ELECTRON_RUN_AS_NODE), so no separate node is needed.
    execFile(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 1 << 28 }, (_e, out) => resolve(out));
  });
  let findings: Array<{ file: string; line: number; column: number; level: string; message: string }> = [];
  try {
    findings = (JSON.parse(stdout) as { findings: typeof findings }).findings;
  } catch {
    void vscode.window.showErrorMessage('kboost check gave no result; see the kboost check output');
  }
  checkDiagnostics.clear();
  checkOutput.clear();
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const f of findings.filter((x) => x.level !== 'note')) {
    const d = new vscode.Diagnostic(new vscode.Range(f.line - 1, f.column - 1, f.line - 1, f.column - 1), f.message,
      f.level === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
    d.source = 'kboost check';
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), d]);
    checkOutput.appendLine(`${f.file}:${f.line}:${f.column}: ${f.level}: ${f.message}`);
  }
  for (const [file, list] of byFile) checkDiagnostics.set(vscode.Uri.file(file), list);
  const notes = findings.filter((x) => x.level === 'note').length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  checkOutput.appendLine(`kboost check (${currentProfile()}): ${plural(files.length, 'file')}, ${plural(notes, 'instruction')}, ${plural(findings.length - notes, 'problem')}`);
  checkOutput.show(true);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
