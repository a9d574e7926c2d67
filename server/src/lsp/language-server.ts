// The language server: vscode-languageserver over a connection, translating the protocol-free
// document analysis (editor/) into diagnostics, hovers, code lenses and document symbols. Each
// request is isolated: a failure answers that request with an error and the server lives on.

import {
  CodeAction, CodeActionKind, CodeLens, CompletionItem, CompletionItemKind, Connection, Location, DocumentSymbol, Hover, MarkupKind, ResponseError,
  SymbolKind, TextDocumentSyncKind, TextDocuments, ErrorCodes, LSPErrorCodes, type CancellationToken, type Range,
} from 'vscode-languageserver/node';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDocument, DocumentAnalysisCache, type DocumentAnalysis } from '../editor/document-analysis';
import { codeLensTitle, functionVerdictTable, hoverMarkdown, nearestBoostable } from '../editor/verdict-presentation';
import { wordHover } from '../editor/word-hover';
import { completionWords } from '../editor/completion-words';
import { readServerSettings, type ServerSettings } from './editor-settings-from-configuration';
import { fileNameOf } from './file-name-of-uri';
import { IncludeTracking } from './include-tracking';
import { DiagnosticsPublisher } from './diagnostics-publisher';
import { lineVerdictsInRangeJson, lineVerdictsJson } from './line-verdicts-json';
import type { WrittenEntries } from './json-entries-from-previous-version';

/** A client's line number (anything else in a request's range is ignored). */
const isLineNumber = (x: unknown): x is number => Number.isInteger(x);

/** Where the server is in the protocol's life cycle (initialize ... shutdown, exit). */
export interface ServerLifecycle {
  readonly state: 'not initialized' | 'running' | 'shut down';
}

export function startLanguageServer(connection: Connection): ServerLifecycle {
  const lifecycle: { state: ServerLifecycle['state'] } = { state: 'not initialized' };
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = readServerSettings({});
  let clientHasConfiguration = false;
  let clientRefreshesCodeLenses = false;
  const analyses = new Map<string, { version: number; analysis: DocumentAnalysis }>();
  /** Open included files seen in their includer's context: from which analysis of it. */
  const views = new Map<string, { version: number; from: DocumentAnalysis; analysis: DocumentAnalysis }>();
  /** Documents whose view is being made (their includer's analysis must not publish them again). */
  const makingViews = new Set<string>();
  /** What each document keeps from one version to the next (line summaries, function probes). */
  const caches = new Map<string, DocumentAnalysisCache>();
  /** Each document's last line verdicts answer: the next one copies what did not change. */
  const lastLineVerdicts = new Map<string, WrittenEntries>();
  /** Includes: open buffers first, re-analysis when an included file changes, navigation from includes. */
  const includes = new IncludeTracking(connection, documents, (doc) => {
    analyses.delete(doc.uri);
    publisher.changed(doc);
  }, (doc) => {
    if (makingViews.has(doc.uri)) return;
    views.delete(doc.uri);
    publisher.changed(doc);
  });

  /** Runs a handler; an exception becomes an error response for that request alone. */
  function isolated<P, R>(name: string, handler: (params: P) => R): (params: P, token?: CancellationToken) => R | ResponseError<void> {
    return (params: P, token?: CancellationToken) => {
      // Handlers run to the end once started (nothing here yields), so a cancellation counts for
      // a request that waited: behind an analysis, say. It is answered at once, with no work done.
      if (token?.isCancellationRequested) return new ResponseError<void>(LSPErrorCodes.RequestCancelled, `kboost: ${name} cancelled`);
      // The protocol's order: nothing before initialize, nothing after shutdown.
      if (lifecycle.state === 'not initialized') return new ResponseError<void>(ErrorCodes.ServerNotInitialized, `kboost: ${name} before initialize`);
      if (lifecycle.state === 'shut down') return new ResponseError<void>(ErrorCodes.InvalidRequest, `kboost: ${name} after shutdown`);
      try {
        return handler(params);
      } catch (e) {
        connection.console.error(`kboost: ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        return new ResponseError<void>(ErrorCodes.InternalError, `kboost: ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
  }

  /**
   * What the editor shows for a document: an included file in the context of its first opened
   * includer (includer's analysis, at the file's lines), else the document analysed alone.
   */
  function analysisOf(doc: TextDocument): DocumentAnalysis {
    const file = fileNameOf(doc.uri);
    if (file === undefined) return ownAnalysisOf(doc);
    makingViews.add(doc.uri);
    try {
      // An includer whose current analysis no longer reads the file gives way to the next one.
      const tried = new Set<string>();
      for (let includer = includes.contextOf(doc, tried); includer !== undefined; includer = includes.contextOf(doc, tried)) {
        tried.add(includer.uri);
        const from = ownAnalysisOf(includer);
        const cached = views.get(doc.uri);
        if (cached !== undefined && cached.version === doc.version && cached.from === from) return cached.analysis;
        const view = from.inIncludedFile(file, doc.getText());
        if (view === null) continue;
        views.set(doc.uri, { version: doc.version, from, analysis: view });
        return view;
      }
      views.delete(doc.uri);
      return ownAnalysisOf(doc);
    } finally {
      makingViews.delete(doc.uri);
    }
  }

  /** The document's own analysis (what it assembles to alone). */
  function ownAnalysisOf(doc: TextDocument): DocumentAnalysis {
    const cached = analyses.get(doc.uri);
    if (cached && cached.version === doc.version) return cached.analysis;
    // The last version's analysis is not needed any more (its cache carries what is reused): let
    // it be collected while the new one is built.
    analyses.delete(doc.uri);
    let cache = caches.get(doc.uri);
    if (cache === undefined) caches.set(doc.uri, (cache = new DocumentAnalysisCache()));
    const analysis = includes.analysing(doc, (readFile) => analyzeDocument(doc.getText(), settings.editor, fileNameOf(doc.uri), cache, readFile));
    analyses.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  }

  // Every function has been looked up under the selected profile once diagnostics are built: what
  // the version did not reuse is stale.
  const publisher = new DiagnosticsPublisher(connection, documents, analysisOf, () => settings, (uri) => caches.get(uri)?.functions.forgetUnused());

  async function refreshSettings(pushed?: unknown): Promise<void> {
    let value = pushed;
    if (value === undefined && clientHasConfiguration) {
      try {
        value = await connection.workspace.getConfiguration('kboost');
      } catch {
        value = {};
      }
    }
    settings = readServerSettings(value ?? {});
    analyses.clear();
    views.clear();
    for (const doc of documents.all()) if (includes.isAssembly(doc)) void publisher.publish(doc);
    // Code lenses name the profile: ask the client to fetch them again.
    if (clientRefreshesCodeLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  connection.onInitialize((params) => {
    lifecycle.state = 'running';
    clientHasConfiguration = params.capabilities.workspace?.configuration === true;
    clientRefreshesCodeLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    includes.clientCapabilities(params.capabilities);
    const init = (params.initializationOptions ?? {}) as Record<string, unknown>;
    if (init.kboost !== undefined) settings = readServerSettings(init.kboost);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        documentSymbolProvider: true,
        completionProvider: { triggerCharacters: ['%', '.'] },
        definitionProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        referencesProvider: true,
      },
      serverInfo: { name: 'kboost', version: '0.1.0' },
    };
  });
  connection.onInitialized(() => {
    includes.initialized();
    if (clientHasConfiguration) void refreshSettings();
  });
  connection.onDidChangeConfiguration((change) => {
    const pushed = (change.settings as Record<string, unknown> | null)?.kboost;
    void refreshSettings(pushed);
  });

  // Opening fires onDidChangeContent too: the first analysis runs at once.
  documents.onDidChangeContent((e) => {
    if (includes.isAssembly(e.document)) publisher.changed(e.document);
  });
  documents.onDidClose((e) => {
    analyses.delete(e.document.uri);
    views.delete(e.document.uri);
    caches.delete(e.document.uri);
    lastLineVerdicts.delete(e.document.uri);
    publisher.closed(e.document.uri);
  });

  connection.onHover(isolated('hover', (params): Hover | null => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const a = analysisOf(doc);
    const { line, character } = params.position;
    // The one annotation under the cursor, made alone (not every instruction's).
    const at = a.indexesOnLine(line).find((i) => character >= a.table.start[i]! && character <= a.table.end[i]!);
    const ann = at === undefined ? undefined : a.annotationAt(at);
    if (ann) return { contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(a, ann, settings.editor.profile) + contextNote(doc, a) } };
    const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    const word = wordHover(text, character);
    return word ? { contents: { kind: MarkupKind.Markdown, value: word } } : null;
  }));

  /** Where an included file's verdicts come from, or that they lack its includer's context. */
  function contextNote(doc: TextDocument, a: DocumentAnalysis): string {
    if (a.context !== undefined) return `\n\n_In the context of ${path.basename(a.context)}, which includes this file._`;
    return includes.isIncluded(doc) || /\.(?:inc|h)$/i.test(doc.uri) ? '\n\n_Analysed alone: open a file that includes it for its context._' : '';
  }

  connection.onCodeLens(isolated('codeLens', (params): CodeLens[] => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const a = analysisOf(doc);
    // In an included file's view, only the functions whose label or code is in the file.
    return a.functions.filter((fn) => fn.line >= 0).map((fn) => ({
      range: { start: { line: fn.line, character: 0 }, end: { line: fn.line, character: 0 } },
      command: { title: codeLensTitle(a, fn, settings.editor.profile), command: '' },
    }));
  }));

  connection.onDocumentSymbol(isolated('documentSymbol', (params): DocumentSymbol[] => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const a = analysisOf(doc);
    const functionNames = new Set(a.functions.map((f) => f.name));
    return a.labels.map((st) => {
      const range = { start: { line: st.range.line, character: st.range.start }, end: { line: st.range.line, character: st.range.end } };
      return { name: st.name, kind: functionNames.has(st.name) ? SymbolKind.Function : SymbolKind.Key, range, selectionRange: range };
    });
  }));

  const COMPLETION_KINDS = {
    mnemonic: CompletionItemKind.Keyword,
    register: CompletionItemKind.Variable,
    directive: CompletionItemKind.Module,
    label: CompletionItemKind.Reference,
  } as const;
  connection.onCompletion(isolated('completion', (params): CompletionItem[] => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const prefix = doc.getText({ start: { line: params.position.line, character: 0 }, end: params.position });
    const labels = analysisOf(doc).labels.map((l) => l.name);
    return completionWords(prefix, labels).map((w) => ({ label: w.label, kind: COMPLETION_KINDS[w.kind], detail: w.detail }));
  }));

  connection.onDefinition(isolated('definition', (params): Location[] => includes.occurrences(params, ownAnalysisOf)?.definitions ?? []));
  connection.onReferences(isolated('references', (params): Location[] => includes.occurrences(params, ownAnalysisOf)?.references ?? []));

  // kboost/lineVerdicts: the verdict class of each instruction line under the selected profile,
  // which the VS Code client paints as gutter icons and inline text; with a range, of those lines only.
  connection.onRequest('kboost/lineVerdicts', isolated('lineVerdicts', (params: { uri: string; range?: Range }): unknown => {
    const doc = documents.get(params?.uri);
    if (!doc) return { profile: settings.editor.profile, lines: [] };
    const from: unknown = params.range?.start?.line;
    const to: unknown = params.range?.end?.line;
    // Written as prepared JSON: one line per instruction, after every change.
    if (isLineNumber(from) && isLineNumber(to)) return lineVerdictsInRangeJson(analysisOf(doc), settings.editor.profile, from, to);
    const { json, entries } = lineVerdictsJson(analysisOf(doc), settings.editor.profile, lastLineVerdicts.get(doc.uri) ?? null);
    lastLineVerdicts.set(doc.uri, entries);
    return json;
  }));

  connection.onCodeAction(isolated('codeAction', (params): CodeAction[] => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const a = analysisOf(doc);
    const profile = settings.editor.profile;
    const line = params.range.start.line;
    const actions: CodeAction[] = [];
    for (const ann of a.indexesOnLine(line).map((i) => a.annotationAt(i))) {
      const target = nearestBoostable(a, ann, profile);
      if (target === null) continue;
      const targetText = doc.getText({ start: { line: target.range.line, character: target.range.start }, end: { line: target.range.line, character: target.range.end } });
      const title = `Move probe to the nearest boostable instruction (line ${target.range.line + 1}: ${targetText.trim()})`;
      const action: CodeAction = {
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: params.context.diagnostics.filter((d) => d.range.start.line === line && d.source === 'kboost'),
        // The client moves the probe (a breakpoint in the debugger's view) from line to line.
        command: { title, command: 'kboost.moveProbe', arguments: [doc.uri, line, target.range.line] },
      };
      if (ann.contract !== null) {
        // A contract comment names the probe site: it moves with the probe.
        const c = ann.contract.range;
        const lineEnd = doc.getText({ start: { line: target.range.line, character: 0 }, end: { line: target.range.line + 1, character: 0 } }).replace(/\r?\n$/, '').length;
        const comment = doc.getText({ start: { line: c.line, character: c.start }, end: { line: c.line, character: c.end } });
        action.edit = {
          changes: {
            [doc.uri]: [
              { range: { start: { line: c.line, character: c.start }, end: { line: c.line, character: c.end } }, newText: '' },
              { range: { start: { line: target.range.line, character: lineEnd }, end: { line: target.range.line, character: lineEnd } }, newText: `\t${comment}` },
            ],
          },
        };
      }
      actions.push(action);
    }
    return actions;
  }));

  // kboost/functionVerdicts: the verdict table of the function around a line, as Markdown.
  connection.onRequest('kboost/functionVerdicts', isolated('functionVerdicts', (params: { uri: string; line: number }) => {
    const doc = documents.get(params?.uri);
    if (!doc) return null;
    const a = analysisOf(doc);
    // The first instruction of a function at or after the line, else the last before it: from the table.
    const t = a.table;
    let at = -1;
    for (let i = 0; i < t.count && at < 0; i++) if (t.line[i]! >= params.line && t.fn[i]! >= 0) at = i;
    for (let i = t.count - 1; i >= 0 && at < 0; i--) if (t.line[i]! <= params.line && t.fn[i]! >= 0) at = i;
    const fn = (at >= 0 ? a.functions[t.fn[at]!] : undefined) ?? [...a.functions].reverse().find((f) => f.line >= 0 && f.line <= params.line);
    return fn ? functionVerdictTable(a, fn, settings.editor.profile) : null;
  }));

  connection.onShutdown(() => {
    lifecycle.state = 'shut down';
  });
  documents.listen(connection);
  connection.listen();
  return lifecycle;
}
