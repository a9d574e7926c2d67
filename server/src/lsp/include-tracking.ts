// The language server's side of includes: includes read an open document's buffer before the disk;
// each analysis records what its includes read; a document is analysed again when a file it
// includes changes (edited in the editor, opened, closed, or changed on disk as the client reports
// through `workspace/didChangeWatchedFiles`); and go to definition / find references started in an
// included file also search the documents that include it. An open included file takes its
// verdicts from the first opened document whose analysis read it (its context), and is published
// again when that analysis changes or the document closes. A C header the client sends (language
// `c`, `cpp`...) is only read for includes and navigation: it is not assembly to analyse.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  FileChangeType, type ClientCapabilities, type Connection, type DefinitionParams, type Location, type TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseSource, type Statement } from '../asm';
import { readFromDisk } from '../editor/document-assembly';
import { IncludeDependents } from '../editor/include-dependents';
import { occurrencesWithIncluders, type NavigationDocument, type NavigationLocation } from '../editor/navigation-from-included-files';
import { identifierAt } from '../editor/symbol-occurrences';
import { fileNameOf } from './file-name-of-uri';
import { WatchedIncludeRegistration } from './watched-include-registration';

/** Languages of documents that are only read through includes (C headers), never analysed. */
const INCLUDE_ONLY_LANGUAGES = new Set(['c', 'cpp', 'objective-c', 'objective-cpp', 'cuda-cpp']);

/** What an analysis gives that matters here. */
interface AnalysedIncludes {
  includedFiles: ReadonlyMap<string, string>;
  readonly statements: readonly Statement[];
}

export class IncludeTracking {
  private readonly dependents = new IncludeDependents();
  private readonly watching: WatchedIncludeRegistration;
  /** Resolved file path -> URI of the open document holding its buffer. */
  private readonly buffers = new Map<string, string>();
  private watchUpdatePending = false;

  /**
   * `reanalyse` drops a document's analysis and publishes its diagnostics again; `contextChanged`
   * does so for an open file whose includer's analysis changed (it may have one now, or no more).
   */
  constructor(
    connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly reanalyse: (doc: TextDocument) => void,
    private readonly contextChanged: (doc: TextDocument) => void,
  ) {
    this.watching = new WatchedIncludeRegistration(connection);
    documents.onDidChangeContent((e) => {
      const file = fileNameOf(e.document.uri);
      if (file === undefined) return;
      this.buffers.set(resolvedPath(file), e.document.uri);
      this.dependentsChanged(file, e.document.uri);
    });
    documents.onDidClose((e) => {
      // The files it included fall back on another includer, or on their own analysis.
      this.includedChanged(e.document.uri, this.dependents.includedBy(e.document.uri));
      this.dependents.closed(e.document.uri);
      const file = fileNameOf(e.document.uri);
      if (file !== undefined && this.buffers.get(resolvedPath(file)) === e.document.uri) this.buffers.delete(resolvedPath(file));
      // Includes read the disk again.
      if (file !== undefined) this.dependentsChanged(file, e.document.uri);
      this.watchersChanged();
    });
    connection.onDidChangeWatchedFiles((params) => {
      // Notifications get no error response: a malformed one is ignored.
      for (const change of Array.isArray(params?.changes) ? params.changes : []) {
        const file = typeof change?.uri === 'string' ? fileNameOf(change.uri) : undefined;
        if (file === undefined) continue;
        if (change.type === FileChangeType.Deleted) {
          for (const gone of this.dependents.documentsAt(file)) if (this.documents.get(gone) === undefined) this.dependents.forget(gone);
        }
        // An open buffer is what includes read: its file on disk does not matter.
        if (!this.buffers.has(resolvedPath(file))) this.dependentsChanged(file);
      }
    });
  }

  clientCapabilities(capabilities: ClientCapabilities): void {
    this.watching.clientCapabilities(capabilities);
  }

  initialized(): void {
    this.watching.initialized(this.dependents.watchedFiles());
  }

  /** False for a document that is only read through includes (a C header). */
  isAssembly(doc: TextDocument): boolean {
    return !INCLUDE_ONLY_LANGUAGES.has(doc.languageId);
  }

  /** Reads an included file: an open document's buffer, else the disk. */
  readonly readFile = (file: string): string | null => {
    const uri = this.buffers.get(resolvedPath(file));
    const open = uri === undefined ? undefined : this.documents.get(uri);
    return open !== undefined ? open.getText() : readFromDisk(file);
  };

  /** Runs one analysis of `doc` with includes read through `readFile`, and records what they read. */
  analysing<T extends AnalysedIncludes>(doc: TextDocument, analyse: (readFile: (file: string) => string | null) => T): T {
    const looked: string[] = [];
    const before = this.dependents.includedBy(doc.uri);
    const result = analyse((file) => {
      looked.push(file);
      return this.readFile(file);
    });
    if (this.dependents.record(doc.uri, fileNameOf(doc.uri), result.includedFiles.keys(), looked)) this.watchersChanged();
    // Open files it read, or read before, show verdicts of this analysis (or no more).
    this.includedChanged(doc.uri, before);
    this.includedChanged(doc.uri, this.dependents.includedBy(doc.uri), before);
    return result;
  }

  /**
   * The open assembly document whose analysis gives an open file its verdicts: of the open
   * documents whose last analysis read the file, the first opened (but those in `skip`).
   * Undefined when there is none.
   */
  contextOf(doc: TextDocument, skip: ReadonlySet<string>): TextDocument | undefined {
    const file = fileNameOf(doc.uri);
    if (file === undefined) return undefined;
    const includers = new Set(this.dependents.includersOf(file, doc.uri).filter((d) => d.open).map((d) => d.document));
    if (includers.size === 0) return undefined;
    // TextDocuments keeps its documents in the order they were opened.
    return this.documents.all().find((d) => includers.has(d.uri) && !skip.has(d.uri) && this.isAssembly(d));
  }

  /** True when some document's analysis in this session read the file (open or closed since). */
  isIncluded(doc: TextDocument): boolean {
    const file = fileNameOf(doc.uri);
    return file !== undefined && this.dependents.includersOf(file, doc.uri).length > 0;
  }

  /** Open assembly documents at `files` (but `except` and those also in `skip`) get their context again. */
  private includedChanged(except: string, files: readonly string[], skip: readonly string[] = []): void {
    for (const file of files) {
      if (skip.includes(file)) continue;
      const uri = this.buffers.get(file);
      const open = uri === undefined || uri === except ? undefined : this.documents.get(uri);
      if (open !== undefined && this.isAssembly(open)) this.contextChanged(open);
    }
  }

  /** The watched files are updated once the current work is done (not inside an analysis). */
  private watchersChanged(): void {
    if (this.watchUpdatePending) return;
    this.watchUpdatePending = true;
    setImmediate(() => {
      this.watchUpdatePending = false;
      this.watching.update(this.dependents.watchedFiles());
    });
  }

  /** Definitions and references of the name at a position, across includes and includers. */
  occurrences(params: DefinitionParams, analysisOf: (doc: TextDocument) => AnalysedIncludes): { definitions: Location[]; references: Location[] } | null {
    const doc = this.documents.get(params.textDocument.uri);
    if (doc === undefined) return null;
    const name = identifierAt(doc.getText(), params.position.line, params.position.character);
    if (name === null) return null;
    const own = this.navigationDocument(doc, analysisOf);
    const includers: NavigationDocument[] = [];
    const file = own.fileName;
    for (const includer of file === undefined ? [] : this.dependents.includersOf(file, doc.uri)) {
      const open = this.documents.get(includer.document);
      if (open !== undefined) includers.push(this.navigationDocument(open, analysisOf));
      else if (includer.fileName !== undefined) {
        // Known from an earlier analysis: its file and the files it read, as they are now.
        const text = this.readFile(includer.fileName);
        if (text === null) continue;
        const included = new Map<string, string>();
        for (const f of includer.included) {
          const t = this.readFile(f);
          if (t !== null) included.set(f, t);
        }
        includers.push(lazyNavigationDocument(includer.document, includer.fileName, text, included));
      }
    }
    const found = occurrencesWithIncluders(own, includers, name);
    const toLocation = (at: NavigationLocation): Location => ({
      uri: at.isDocument ? at.target : pathToFileURL(at.target).toString(),
      range: { start: { line: at.range.line, character: at.range.start }, end: { line: at.range.line, character: at.range.end } },
    });
    return { definitions: found.definitions.map(toLocation), references: found.references.map(toLocation) };
  }

  private navigationDocument(doc: TextDocument, analysisOf: (doc: TextDocument) => AnalysedIncludes): NavigationDocument {
    const fileName = fileNameOf(doc.uri);
    if (!this.isAssembly(doc)) return lazyNavigationDocument(doc.uri, fileName, doc.getText(), new Map());
    const a = analysisOf(doc);
    return { key: doc.uri, fileName, text: doc.getText(), get statements() { return a.statements; }, includedFiles: a.includedFiles };
  }

  /** Open documents that depend on `file` are analysed again (except the file's own document). */
  private dependentsChanged(file: string, except?: string): void {
    for (const uri of this.dependents.openDependentsOf(file, except)) {
      const doc = this.documents.get(uri);
      if (doc !== undefined) this.reanalyse(doc);
    }
  }
}

function resolvedPath(file: string): string {
  return path.resolve(file);
}

/** A document whose statements are parsed only when navigation needs them. */
function lazyNavigationDocument(key: string, fileName: string | undefined, text: string, includedFiles: ReadonlyMap<string, string>): NavigationDocument {
  let statements: Statement[] | null = null;
  return {
    key, fileName, text, includedFiles,
    get statements() {
      statements ??= parseSource(text).statements;
      return statements;
    },
  };
}
