// The one place where the editor assembles a document. It also records which files the includes
// read (path and text), so navigation can reach labels and macros defined there. An incremental
// assembler would be called here, with what it keeps between versions.

import { readFileSync } from 'node:fs';
import { assemble, type Image } from '../asm';

export interface DocumentAssemblyOptions {
  fileName?: string;
  includePaths: string[];
  preprocessor: 'auto' | 'builtin' | 'system' | 'none';
  /** Reads an included file (for example an unsaved buffer); defaults to the disk. */
  readFile?: (path: string) => string | null;
}

export interface DocumentAssembly {
  image: Image;
  /** Files that `#include` / `.include` read, by path, in the order first read. */
  includedFiles: Map<string, string>;
}

function readFromDisk(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function assembleDocument(text: string, options: DocumentAssemblyOptions): DocumentAssembly {
  const includedFiles = new Map<string, string>();
  const read = options.readFile ?? readFromDisk;
  const image = assemble(text, {
    ...(options.fileName !== undefined ? { fileName: options.fileName } : {}),
    includePaths: options.includePaths,
    ...(options.preprocessor !== 'auto' ? { preprocessor: options.preprocessor } : {}),
    readFile: (file) => {
      const found = read(file);
      if (found !== null && !includedFiles.has(file)) includedFiles.set(file, found);
      return found;
    },
  });
  return { image, includedFiles };
}
