// Go to definition and find references when the request starts in a file that other documents
// include (a `defs.h`, a `macros.inc`): the file alone rarely sees both a macro's definition and its
// uses, so the answer also searches each including document with everything its includes read.
// The file's own text (an unsaved buffer) stands in for what the includers read of it. Locations
// found twice (the file itself, seen from several includers) are given once.

import path from 'node:path';
import type { SourceRange, Statement } from '../asm';
import { symbolOccurrences, type SymbolLocation } from './symbol-occurrences';

/** A document as navigation reads it. */
export interface NavigationDocument {
  /** Its key (the URI). */
  key: string;
  fileName: string | undefined;
  text: string;
  /** Its raw text's statements (a getter may parse them on first use). */
  readonly statements: readonly Statement[];
  /** Files its includes read, by path. */
  includedFiles: ReadonlyMap<string, string>;
}

/** In a document (by key) or in a file that is no document here (by path). */
export interface NavigationLocation {
  target: string;
  isDocument: boolean;
  range: SourceRange;
}

export interface NavigationOccurrences {
  definitions: NavigationLocation[];
  references: NavigationLocation[];
}

function mentions(doc: NavigationDocument, name: string): boolean {
  if (doc.text.includes(name)) return true;
  for (const text of doc.includedFiles.values()) if (text.includes(name)) return true;
  return false;
}

/**
 * Definitions and references of `name` seen from `own` (the document the request came from) and
 * from `includers` (documents whose includes read `own`'s file).
 */
export function occurrencesWithIncluders(own: NavigationDocument, includers: readonly NavigationDocument[], name: string): NavigationOccurrences {
  const ownFile = own.fileName === undefined ? undefined : path.resolve(own.fileName);
  const documentAt = new Map<string, string>();
  for (const d of [own, ...includers]) if (d.fileName !== undefined) documentAt.set(path.resolve(d.fileName), d.key);
  const out: NavigationOccurrences = { definitions: [], references: [] };
  const seen = new Set<string>();
  const add = (list: NavigationLocation[], from: NavigationDocument, at: SymbolLocation, kind: string): void => {
    const document = at.file === null ? from.key : documentAt.get(path.resolve(at.file));
    const location = document !== undefined ? { target: document, isDocument: true, range: at.range } : { target: at.file!, isDocument: false, range: at.range };
    const key = `${kind}\0${location.isDocument}\0${location.target}\0${at.range.line}:${at.range.start}`;
    if (seen.has(key)) return;
    seen.add(key);
    list.push(location);
  };
  for (const d of [own, ...includers]) {
    if (d !== own && !mentions(d, name)) continue;
    let files = d.includedFiles;
    if (d !== own && ownFile !== undefined) {
      // The includer read `own` from disk or from an older buffer: search the current text.
      files = new Map([...files].map(([file, text]) => [file, path.resolve(file) === ownFile ? own.text : text]));
    }
    const found = symbolOccurrences(d.text, d.statements, name, files);
    for (const at of found.definitions) add(out.definitions, d, at, 'd');
    for (const at of found.references) add(out.references, d, at, 'r');
  }
  return out;
}
