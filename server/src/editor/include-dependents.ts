// Which documents include a file: the reverse of what each document's last analysis read. The
// server re-analyses a document when a file it read (or looked for and did not find) changes, and
// navigation that starts in an included file also searches the documents that include it. A
// document closed after an analysis stays known (its file and the files it read) for navigation.
// Paths are compared resolved, since include paths may be relative.

import path from 'node:path';

export interface IncludingDocument {
  /** The document's key (its URI). */
  document: string;
  /** Its file path, when it is a file. */
  fileName: string | undefined;
  open: boolean;
  /** Files its includes read, resolved, in the order first read. */
  included: readonly string[];
}

interface Entry extends IncludingDocument {
  /** Every path its includes read or looked for (a file created there changes the result). */
  watched: ReadonlySet<string>;
  /** The paths as recorded, to see cheaply that the next analysis read the same. */
  recorded: string;
}

export class IncludeDependents {
  private readonly byDocument = new Map<string, Entry>();
  /** Resolved path -> documents that read it or looked for it. */
  private readonly byFile = new Map<string, Set<string>>();

  /**
   * What a document's analysis read (`included`) and every path it looked for (`looked`). False
   * when that is what the document's last analysis recorded (the usual case after an edit).
   */
  record(document: string, fileName: string | undefined, included: Iterable<string>, looked: Iterable<string> = []): boolean {
    const includedList = [...included];
    const lookedList = [...looked];
    const recorded = `${includedList.join('\0')}\0\0${lookedList.join('\0')}`;
    const previous = this.byDocument.get(document);
    if (previous !== undefined && previous.open && previous.recorded === recorded) return false;
    this.forget(document);
    const resolved = [...new Set(includedList.map((f) => path.resolve(f)))];
    const watched = new Set([...resolved, ...lookedList.map((f) => path.resolve(f))]);
    this.byDocument.set(document, { document, fileName, open: true, included: resolved, watched, recorded });
    for (const file of watched) {
      let set = this.byFile.get(file);
      if (set === undefined) this.byFile.set(file, (set = new Set()));
      set.add(document);
    }
    return true;
  }

  /** A closed document stays known when it is a file whose includes read something. */
  closed(document: string): void {
    const entry = this.byDocument.get(document);
    if (entry === undefined) return;
    if (entry.fileName === undefined || entry.included.length === 0) this.forget(document);
    else entry.open = false;
  }

  forget(document: string): void {
    const entry = this.byDocument.get(document);
    if (entry === undefined) return;
    this.byDocument.delete(document);
    for (const file of entry.watched) {
      const set = this.byFile.get(file);
      set?.delete(document);
      if (set?.size === 0) this.byFile.delete(file);
    }
  }

  /** Open documents whose result depends on `file` (read or looked for), other than `except`. */
  openDependentsOf(file: string, except?: string): string[] {
    const out: string[] = [];
    for (const document of this.byFile.get(path.resolve(file)) ?? []) {
      if (document !== except && this.byDocument.get(document)?.open === true) out.push(document);
    }
    return out;
  }

  /** Documents (open or known) whose includes read `file`, other than `except`. */
  includersOf(file: string, except?: string): IncludingDocument[] {
    const resolved = path.resolve(file);
    const out: IncludingDocument[] = [];
    for (const document of this.byFile.get(resolved) ?? []) {
      const entry = this.byDocument.get(document)!;
      if (document !== except && entry.included.includes(resolved)) out.push(entry);
    }
    return out;
  }

  /** The files a known document's last analysis read, resolved. */
  includedBy(document: string): readonly string[] {
    return this.byDocument.get(document)?.included ?? [];
  }

  /** Known documents whose file is `file` (to forget them when it is deleted). */
  documentsAt(file: string): string[] {
    const resolved = path.resolve(file);
    return [...this.byDocument.values()].filter((e) => e.fileName !== undefined && path.resolve(e.fileName) === resolved).map((e) => e.document);
  }

  /** Paths that open documents depend on, sorted: what a file watcher should report. */
  watchedFiles(): string[] {
    return [...this.byFile].filter(([, documents]) => [...documents].some((d) => this.byDocument.get(d)?.open === true)).map(([file]) => file).sort();
  }
}
