// The one place where the editor assembles a document. It also records which files the includes
// read (path and text; with the system preprocessor, the files its line markers name), so
// navigation can reach labels and macros defined there. An open document keeps a
// DocumentAssembler: an IncrementalAssembler (lines parsed and encoded once across versions) and
// the check that lets a `.S` file skip the built-in preprocessor when it would give the text back
// unchanged. The Image is always the one assemble() gives for the text.

import { readFileSync } from 'node:fs';
import { assemble, IncrementalAssembler, type AssembleOptions, type Image, type Statement } from '../asm';
import { PreprocessorIdentityCheck } from './preprocessor-identity-check';
import type { UnchangedLineEnds } from './unchanged-line-ends';

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
  /** The built-in preprocessor was skipped because it leaves this text unchanged. */
  skippedPreprocessor: boolean;
}

export function readFromDisk(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** What an open document keeps for assembling its next version. */
export class DocumentAssembler {
  private readonly assembler = new IncrementalAssembler();
  private readonly identity = new PreprocessorIdentityCheck();

  /** `lines` is `text` split at newlines, when the caller has it already, and `ends` their comparison with the last version. */
  assemble(text: string, options: DocumentAssemblyOptions, lines: readonly string[] = text.split('\n'), ends?: UnchangedLineEnds): DocumentAssembly {
    // `auto` means the built-in preprocessor for `.S` files (as assemble() decides).
    const builtin = options.preprocessor === 'builtin' || (options.preprocessor === 'auto' && options.fileName?.endsWith('.S') === true);
    const skip = builtin && this.identity.leavesUnchanged(lines, ends, text);
    return assembleWith((source, o) => this.assembler.assemble(source, o), text, skip ? { ...options, preprocessor: 'none' } : options, skip);
  }

  /** A line's statements parsed alone, when an assembly of a version parsed that text from the start-of-file state. */
  parsedLineAlone(lineText: string): { statements: readonly Statement[]; blockCommentAfter: boolean } | undefined {
    return this.assembler.parsedLineAlone(lineText);
  }

  /** The statements of the last assembly with each one's line, when it parsed `text` as it is (not preprocessed). */
  lastParseOf(text: string): { statements: readonly Statement[]; lineOf: readonly number[] } | undefined {
    return this.assembler.lastParseOf(text);
  }
}

/** A one-off assembly of a document (the reference an open document's assembly must equal). */
export function assembleDocument(text: string, options: DocumentAssemblyOptions): DocumentAssembly {
  return assembleWith(assemble, text, options, false);
}

function assembleWith(
  run: (source: string, options: AssembleOptions) => Image, text: string, options: DocumentAssemblyOptions, skippedPreprocessor: boolean,
): DocumentAssembly {
  const includedFiles = new Map<string, string>();
  const read = options.readFile ?? readFromDisk;
  const image = run(text, {
    ...(options.fileName !== undefined ? { fileName: options.fileName } : {}),
    includePaths: options.includePaths,
    ...(options.preprocessor !== 'auto' ? { preprocessor: options.preprocessor } : {}),
    readFile: (file) => {
      const found = read(file);
      if (found !== null && !includedFiles.has(file)) includedFiles.set(file, found);
      return found;
    },
    // The system preprocessor reads its files itself: their text is read here for navigation.
    includedFile: (file) => {
      if (includedFiles.has(file)) return;
      const found = read(file);
      if (found !== null) includedFiles.set(file, found);
    },
  });
  return { image, includedFiles, skippedPreprocessor };
}
