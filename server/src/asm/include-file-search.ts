// Finding the file an `#include` / `.include` names: the including file's directory first (for
// quoted names), then each include path in order. Reading goes through a caller-supplied
// function, so the language server can serve unsaved buffers and tests can use memory files.

import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface IncludeFiles {
  includePaths: readonly string[];
  readFile: (path: string) => string | null;
}

/** Reads a file from disk, or null when it cannot be read. */
export function readFileOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The path and text of an included file, or null. `fromFile` is the including file ('' when the
 * edited text has no name); `quoted` is false for `#include <...>`, which skips its directory.
 */
export function findIncludeFile(files: IncludeFiles, name: string, fromFile: string, quoted: boolean): { path: string; text: string } | null {
  const candidates: string[] = [];
  if (path.isAbsolute(name)) candidates.push(name);
  else {
    if (quoted) candidates.push(fromFile === '' ? name : path.join(path.dirname(fromFile), name));
    for (const dir of files.includePaths) candidates.push(path.join(dir, name));
  }
  for (const c of candidates) {
    const text = files.readFile(c);
    if (text !== null) return { path: c, text };
  }
  return null;
}
