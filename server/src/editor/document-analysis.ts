// What the editor shows for one assembly document, computed without any protocol: the source is
// assembled, every instruction's bytes are decoded, and each function is analysed under every
// profile. lsp/ turns the result into diagnostics, hovers, code lenses and symbols.

import { parseSource, type Image, type LineCode, type SourceRange, type Statement } from '../asm';
import { decode } from '../isa';
import {
  DEFAULT_KERNEL_CONFIG, PROFILE_IDS, analyzeFunction, reanalyzeFunction, type InstructionProbe, type KernelConfig, type ProfileId,
  type ReusableFunctionAnalysis,
} from '../kprobes';
import { assembleDocument, DocumentAssembler } from './document-assembly';
import { FunctionProbeCache } from './function-probe-cache';
import { SourceLineSummaries, summarizeWholeText, type LineSummary } from './source-line-summaries';
import { unchangedLineEnds } from './unchanged-line-ends';
import { splitReusing, type SplitSource } from '../asm/source-lines-reusing-previous';
import { functionVerdictKeys, NO_VERDICT_KEY, verdictKeyOf } from './verdict-keys';
import { includedFileCode } from './included-file-code';

export interface EditorSettings {
  profile: ProfileId;
  postHandler: boolean;
  /** Include paths of `#include` and `.include`, besides the file's own folder. */
  includePaths: string[];
  /** The preprocessor for `.S` files: the built-in one, the system's cpp, none, or by file name. */
  preprocessor: 'auto' | 'builtin' | 'system' | 'none';
  /** Per-profile kernel configuration; defaults from DEFAULT_KERNEL_CONFIG. */
  kernel: Record<ProfileId, KernelConfig>;
}

export const DEFAULT_EDITOR_SETTINGS: EditorSettings = {
  profile: 'linux-6.1',
  postHandler: false,
  includePaths: [],
  preprocessor: 'auto',
  kernel: DEFAULT_KERNEL_CONFIG,
};

export interface InstructionAnnotation {
  /** The instruction's source range (0-based line, columns). */
  range: SourceRange;
  section: string;
  address: number;
  bytes: Uint8Array;
  /** Function the instruction belongs to, or null. */
  functionName: string | null;
  /**
   * `# kboost: <verdict>` written on the line, if any, with its range. `# kboost(<profile>): ...`
   * pins the contract to one profile; without it the selected profile is checked.
   */
  contract: { expected: string; profile: ProfileId | null; range: SourceRange } | null;
}

export interface FunctionInfo {
  name: string;
  /**
   * Line of the function's label. In an included file's view: of its label there, else of its
   * first instruction there, else -1 (the function is not in that file).
   */
  line: number;
  section: string;
  address: number;
  size: number;
}

/** A contract comment's parse: the expected verdict, the pinned profile, and its columns. */
type Contract = NonNullable<InstructionAnnotation['contract']>;

/**
 * The document's instructions in columns (index i is the i-th instruction, in image order): what
 * diagnostics and line verdicts read for every instruction, without an object per instruction.
 */
export interface InstructionTable {
  readonly count: number;
  /** The instruction's source range: line and columns. */
  readonly line: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly address: Float64Array;
  /** Index of the instruction's code in `image.lines`. */
  readonly code: Int32Array;
  /** Index of the instruction's function in `functions`, or -1. */
  readonly fn: Int32Array;
  /** Contract comments, by instruction index. */
  readonly contracts: ReadonlyMap<number, Contract>;
}

export interface DocumentAnalysis {
  image: Image;
  /** The raw text's statements, parsed on first use (symbols, completion, navigation). */
  readonly statements: Statement[];
  /** One object per instruction, made on first use (code actions, tests); hot paths use `table`. */
  readonly annotations: InstructionAnnotation[];
  /** The annotation of the table's instruction `index` alone (a hover needs one, not 50,000). */
  annotationAt(index: number): InstructionAnnotation;
  /** The table indexes of the instructions on a source line, in table order. */
  indexesOnLine(line: number): number[];
  /** The number of lines of the analysed text. */
  lineCount: number;
  table: InstructionTable;
  functions: FunctionInfo[];
  /** Label definitions of the raw text in source order (numeric local labels excluded). */
  readonly labels: ReadonlyArray<{ name: string; range: SourceRange }>;
  settings: EditorSettings;
  /** Files the includes read, by path (for navigation across includes). */
  includedFiles: Map<string, string>;
  /**
   * The probe of an annotated instruction under a profile. Functions are analysed on first use
   * and cached, so diagnostics pay for the selected profile only and a hover for the others.
   */
  probe(annotation: InstructionAnnotation, profile: ProfileId): InstructionProbe;
  /** The probe of the table's instruction `index` under a profile. */
  probeAt(index: number, profile: ProfileId): InstructionProbe;
  /**
   * The verdict and optprobe result of the table's instruction `index` (what diagnostics read),
   * as a probe whose address and decoded instruction may be those of an earlier version where
   * the function only moved: they are not to be read.
   */
  verdictAt(index: number, profile: ProfileId): InstructionProbe;
  /**
   * Every instruction's verdict key (verdict-keys.ts) under a profile, NO_VERDICT_KEY where it has
   * no verdict: what verdictAt answers, read from each function's keys (kept while it is unchanged).
   */
  verdictKeys(profile: ProfileId): Int32Array;
  /** The annotations of a function, in address order. */
  annotationsOf(fn: FunctionInfo): InstructionAnnotation[];
  /** The table indexes of a function's instructions, in address order. */
  indexesOf(fn: FunctionInfo): readonly number[];
  /**
   * A file this document's includes read, seen in this document's context: its instructions at the
   * file's own lines and columns with the verdicts they get here, and the assembler's errors in its
   * text. Null when this assembly read nothing of the file. `fileText` is the file's text as read.
   */
  inIncludedFile(fileName: string, fileText: string): DocumentAnalysis | null;
  /** In such a view, the document whose assembly gave the verdicts (its file name). */
  readonly context?: string;
}

/**
 * What one document keeps between its versions so that re-analysis after an edit works on what
 * changed: line summaries of the raw text and per-function probe results.
 */
export class DocumentAnalysisCache {
  readonly lines = new SourceLineSummaries();
  readonly functions = new FunctionProbeCache();
  readonly assembler = new DocumentAssembler();
  /** The last version's lines, compared once per version for the caches above. */
  previousLines: readonly string[] = [];
  /**
   * The last version's split: the next one splits only the lines an edit touched and keeps the
   * other line strings, so comparing the versions' lines is mostly identity checks.
   */
  split: SplitSource | null = null;
  /** The summaries read lines the assembler has parsed from its cache rather than parse them again. */
  readonly parsedLineAlone = (lineText: string) => this.assembler.parsedLineAlone(lineText);
}

function wholeLine(line: number, text: string): SourceRange {
  const code = text.replace(/(#|\/\/|\/\*).*$/, '');
  const start = code.length - code.trimStart().length;
  return { line, start, end: Math.max(start, code.trimEnd().length) };
}

const CONTRACT = /#\s*kboost(?:\(([a-z0-9.-]+)\))?:\s*([a-z][a-z-]*)/;

/** Functions: `.type f, @function` symbols and global labels of code sections, up to the next one. */
function findFunctions(image: Image, labelLines: ReadonlyMap<string, number>): FunctionInfo[] {
  const code = new Set(image.sections.filter((s) => s.flags.includes('x') || s.name === '.text').map((s) => s.name));
  const starts = image.symbols
    .filter((s) => s.defined && s.section !== null && code.has(s.section) && (s.type === 'function' || s.binding !== 'local'))
    .sort((a, b) => (a.section! < b.section! ? -1 : a.section! > b.section! ? 1 : a.value - b.value))
    // An alias (`.set alias, f`) starts the same code as its label, which comes first: one function.
    .filter((s, i, all) => i === 0 || all[i - 1]!.section !== s.section || all[i - 1]!.value !== s.value);
  const sizes = new Map(image.sections.map((s) => [s.name, s.bytes.length]));
  return starts.map((s, i) => {
    const next = starts[i + 1];
    const end = s.size > 0 ? s.value + s.size : next && next.section === s.section ? next.value : sizes.get(s.section!)!;
    return { name: s.name, line: labelLines.get(s.name) ?? 0, section: s.section!, address: s.value, size: Math.max(0, end - s.value) };
  });
}

/**
 * `fileName` (a path, when the document is a file) lets `.S` files be preprocessed and includes
 * resolve. `cache` (one per document) carries work over from the previous version.
 */
export function analyzeDocument(
  text: string, settings: EditorSettings = DEFAULT_EDITOR_SETTINGS, fileName?: string, cache?: DocumentAnalysisCache,
  readFile?: (path: string) => string | null,
): DocumentAnalysis {
  if (cache !== undefined) cache.split = splitReusing(text, cache.split);
  const lines = cache?.split?.lines ?? text.split('\n');
  const assemblyOptions = {
    ...(fileName !== undefined ? { fileName } : {}),
    includePaths: settings.includePaths,
    preprocessor: settings.preprocessor,
    ...(readFile !== undefined ? { readFile } : {}),
  };
  // The split already knows which lines the edit left alone: no second comparison of the lines.
  const split = cache?.split;
  const ends = cache === undefined ? undefined
    : split?.previousLines === cache.previousLines ? { previous: cache.previousLines, head: split.head, tail: split.tail }
      : unchangedLineEnds(cache.previousLines, lines);
  if (cache !== undefined) cache.previousLines = lines;
  // Without a cache (a one-off analysis) the plain assemble(): the reference the cache must match.
  const { image, includedFiles } = cache !== undefined ? cache.assembler.assemble(text, assemblyOptions, lines, ends) : assembleDocument(text, assemblyOptions);
  // Without a cache (a one-off analysis) the text is parsed whole: the reference the cache must match.
  const summary = cache !== undefined ? cache.lines.summarize(text, lines, ends, cache.parsedLineAlone, () => cache.assembler.lastParseOf(text)) : summarizeWholeText(text, lines.length);
  const functionProbes = cache?.functions ?? new FunctionProbeCache();
  functionProbes.nextVersion();
  const functions = findFunctions(image, summary.labelLines);
  const table = instructionTable(image.lines, lines, summary.lines, functions, linesMentioning(text, lines, 'kboost'));
  const sectionBytes = new Map(image.sections.map((s) => [s.name, s.bytes]));
  // This version's function analyses, resolved through the cache once per function and profile:
  // exactly (at this address) for probes, anywhere (perhaps an earlier place) for verdicts.
  const resolved = new Map<ProfileId, { exact: Array<ResolvedFunction | undefined>; anywhere: Array<ResolvedFunction | undefined>; settingsKey: string }>();
  const resolve = (f: number, profile: ProfileId, exact: boolean): ResolvedFunction => {
    let byProfile = resolved.get(profile);
    if (byProfile === undefined) resolved.set(profile, (byProfile = { exact: [], anywhere: [], settingsKey: settingsKeyOf(profile, settings) }));
    const exactly = byProfile.exact[f];
    if (exactly !== undefined) return exactly;
    const byFunction = exact ? byProfile.exact : byProfile.anywhere;
    return (byFunction[f] ??= resolveFunction(sectionBytes, functionProbes, functions[f]!, profile, settings, byProfile.settingsKey, exact));
  };
  const inIncludedFile = (file: string, fileText: string): DocumentAnalysis | null => {
    const code = includedFileCode(image, includedFiles, file, fileText);
    if (code === null) return null;
    const fileLines = fileText.split('\n');
    const fileSummary = summarizeWholeText(fileText, fileLines.length);
    const viewTable = instructionTable(code.lines, fileLines, fileSummary.lines, functions, linesMentioning(fileText, fileLines, 'kboost'));
    // The same functions (the table's indexes), each at its label in the file, else its first
    // instruction there, else -1: not in this file.
    const firstLine = new Map<number, number>();
    for (let i = viewTable.count - 1; i >= 0; i--) if (viewTable.fn[i]! >= 0) firstLine.set(viewTable.fn[i]!, viewTable.line[i]!);
    const viewFunctions = functions.map((f, k) => ({ ...f, line: fileSummary.labelLines.get(f.name) ?? firstLine.get(k) ?? -1 }));
    const viewImage: Image = { sections: image.sections, symbols: image.symbols, relocations: image.relocations, lines: code.lines, diagnostics: code.diagnostics };
    return analysisOverTable({
      image: viewImage, table: viewTable, functions: viewFunctions, settings, resolve, lineCount: fileLines.length, includedFiles: new Map(),
      statements: () => parseSource(fileText).statements, labels: () => fileSummary.labels(), inIncludedFile: () => null,
      ...(fileName !== undefined ? { context: fileName } : {}),
    });
  };
  return analysisOverTable({
    image, table, functions, settings, resolve, lineCount: lines.length, includedFiles,
    statements: () => parseSource(text).statements, labels: () => summary.labels(), inIncludedFile,
  });
}

/** What an analysis is made of: a table of instructions over a line map, and its functions' analyses. */
interface AnalysisParts {
  /** `image.lines` is the line map `table.code` indexes. */
  image: Image;
  table: InstructionTable;
  /** What `table.fn` indexes (and `resolve` takes). */
  functions: FunctionInfo[];
  settings: EditorSettings;
  /** A function's analysis under a profile, shared by every table over the same assembly. */
  resolve: (f: number, profile: ProfileId, exact: boolean) => ResolvedFunction;
  lineCount: number;
  includedFiles: Map<string, string>;
  statements: () => Statement[];
  labels: () => ReadonlyArray<{ name: string; range: SourceRange }>;
  inIncludedFile: DocumentAnalysis['inIncludedFile'];
  context?: string;
}

function analysisOverTable(parts: AnalysisParts): DocumentAnalysis {
  const { image, table, functions, settings, resolve } = parts;
  // The function of the last lookup: walks over the table ask for the same one again and again.
  let lastFunction = -1;
  let lastProfile: ProfileId | null = null;
  let lastExact = false;
  let lastResolved: ResolvedFunction | null = null;
  const lookup = (i: number, profile: ProfileId, exact: boolean): InstructionProbe => {
    const f = table.fn[i]!;
    if (f >= 0) {
      if (f !== lastFunction || profile !== lastProfile || exact !== lastExact) {
        lastResolved = resolve(f, profile, exact);
        lastFunction = f;
        lastProfile = profile;
        lastExact = exact;
      }
      const hit = probeInFunction(lastResolved!, table.address[i]! - functions[f]!.address, exact);
      if (hit !== undefined) return hit;
    }
    // Outside any function (or off the function's decode path): the instruction alone.
    return probeAlone(image.lines[table.code[i]!]!, profile, settings);
  };
  const probeAt = (i: number, profile: ProfileId): InstructionProbe => lookup(i, profile, true);
  let statements: Statement[] | null = null;
  let labels: ReadonlyArray<{ name: string; range: SourceRange }> | null = null;
  let annotations: InstructionAnnotation[] | null = null;
  let annotationsMade: Array<InstructionAnnotation | undefined> | null = null;
  let indexOf: Map<InstructionAnnotation, number> | null = null;
  let byFunction: Map<FunctionInfo, InstructionAnnotation[]> | null = null;
  let indexesByFunction: Map<FunctionInfo, number[]> | null = null;
  const indexesOf = (fn: FunctionInfo): readonly number[] => {
    if (indexesByFunction === null) {
      // By function object: code lenses ask for every function (no search of the list each time).
      const byIndex = functions.map((): number[] => []);
      for (let i = 0; i < table.count; i++) if (table.fn[i]! >= 0) byIndex[table.fn[i]!]!.push(i);
      indexesByFunction = new Map(functions.map((f, k) => [f, byIndex[k]!]));
    }
    return indexesByFunction.get(fn) ?? [];
  };
  const annotationAt = (i: number): InstructionAnnotation => {
    indexOf ??= new Map();
    annotationsMade ??= new Array<InstructionAnnotation | undefined>(table.count);
    const made = annotationsMade[i];
    if (made !== undefined) return made;
    const code = image.lines[table.code[i]!]!;
    const f = table.fn[i]!;
    const a: InstructionAnnotation = {
      range: { line: table.line[i]!, start: table.start[i]!, end: table.end[i]! },
      section: code.section,
      address: code.address,
      bytes: code.bytes,
      functionName: f >= 0 ? functions[f]!.name : null,
      contract: table.contracts.get(i) ?? null,
    };
    annotationsMade[i] = a;
    indexOf.set(a, i);
    return a;
  };
  const materialize = (): InstructionAnnotation[] => {
    if (annotations !== null) return annotations;
    const all = new Array<InstructionAnnotation>(table.count);
    for (let i = 0; i < table.count; i++) all[i] = annotationAt(i);
    return (annotations = all);
  };
  const keysByProfile = new Map<ProfileId, Int32Array>();
  const verdictKeys = (profile: ProfileId): Int32Array => {
    let keys = keysByProfile.get(profile);
    if (keys !== undefined) return keys;
    keys = new Int32Array(table.count);
    // One function at a time, in address order: its keys by index, found by a merge of offsets.
    let f = -1;
    let offsets: Int32Array | null = null;
    let fnKeys: Int32Array | null = null;
    let base = 0;
    let k = 0;
    for (let i = 0; i < table.count; i++) {
      const fi = table.fn[i]!;
      if (fi !== f) {
        f = fi;
        if (f >= 0) {
          const { analysis } = resolve(f, profile, false);
          offsets = analysis.offsets;
          fnKeys = functionVerdictKeys(analysis);
          base = functions[f]!.address;
          k = 0;
        }
      }
      let key = NO_VERDICT_KEY;
      let found = false;
      if (f >= 0) {
        const offset = table.address[i]! - base;
        // Offsets ascend: from where the last one was found, or from the start when the table went back.
        if (k > 0 && offsets![k - 1]! >= offset) k = lowerBound(offsets!, offset);
        const n = fnKeys!.length;
        while (k < n && offsets![k]! < offset) k++;
        if (k < n && offsets![k] === offset) {
          key = fnKeys![k]!;
          found = true;
          k++;
        }
      }
      // Outside any function, or off its decode path: the instruction alone, as verdictAt does.
      keys[i] = found ? key : verdictKeyOf(lookup(i, profile, false));
    }
    keysByProfile.set(profile, keys);
    return keys;
  };
  return {
    image,
    get statements() {
      statements ??= parts.statements();
      return statements;
    },
    get annotations() {
      return materialize();
    },
    annotationAt,
    indexesOnLine(line) {
      const found: number[] = [];
      for (let i = 0; i < table.count; i++) if (table.line[i] === line) found.push(i);
      return found;
    },
    lineCount: parts.lineCount,
    table,
    functions,
    get labels() {
      labels ??= parts.labels();
      return labels;
    },
    settings,
    includedFiles: parts.includedFiles,
    probe(a, profile) {
      const i = indexOf?.get(a);
      if (i !== undefined) return probeAt(i, profile);
      // Not one of this analysis's annotations: by its function's name.
      const f = a.functionName === null ? -1 : functions.findIndex((x) => x.name === a.functionName && x.section === a.section);
      const hit = f >= 0 ? probeInFunction(resolve(f, profile, true), a.address - functions[f]!.address) : undefined;
      return hit ?? probeAlone(a, profile, settings);
    },
    probeAt,
    verdictAt: (i, profile) => lookup(i, profile, false),
    verdictKeys,
    annotationsOf(fn) {
      // One function's annotations (a code action's search), not every instruction's.
      byFunction ??= new Map();
      let found = byFunction.get(fn);
      if (found === undefined) {
        found = functions.includes(fn) ? indexesOf(fn).map(annotationAt) : materialize().filter((a) => a.functionName === fn.name && a.section === fn.section);
        byFunction.set(fn, found);
      }
      return found;
    },
    indexesOf,
    inIncludedFile: parts.inIncludedFile,
    ...(parts.context !== undefined ? { context: parts.context } : {}),
  };
}

/**
 * The lines of `text` (split as `lines`) that contain `word`: one native search of the whole text
 * rather than one per line, where the word is rare (contract comments).
 */
function linesMentioning(text: string, lines: readonly string[], word: string): Set<number> {
  const found = new Set<number>();
  let line = 0;
  let lineStart = 0;
  for (let at = text.indexOf(word); at >= 0 && line < lines.length; at = text.indexOf(word, lineStart)) {
    while (line < lines.length && lineStart + lines[line]!.length < at) lineStart += lines[line++]!.length + 1;
    found.add(line);
    // On from the next line.
    lineStart += (lines[line]?.length ?? 0) + 1;
    line++;
  }
  return found;
}

/** One pass over a line map (`codes`): every instruction's range, address, function and contract. */
function instructionTable(
  codes: readonly LineCode[], lines: readonly string[], summaries: readonly LineSummary[], functions: FunctionInfo[], contractLines: ReadonlySet<number>,
): InstructionTable {
  const n = codes.length;
  const line = new Int32Array(n);
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const address = new Float64Array(n);
  const code = new Int32Array(n);
  const fnOf = new Int32Array(n);
  const contracts = new Map<number, Contract>();
  let seenOnLine: Map<number, number> | null = null;
  const ordered = functions.map((f, i) => ({ f, i })).sort((x, y) => (x.f.section < y.f.section ? -1 : x.f.section > y.f.section ? 1 : x.f.address - y.f.address));
  let fnIndex = 0;
  let count = 0;
  for (let ci = 0; ci < n; ci++) {
    const c = codes[ci]!;
    if (c.bytes.length === 0) continue;
    const s = summaries[c.line];
    if (s !== undefined && s.data) continue;
    // A line expanded by the preprocessor or a macro has no instruction statement of its own in
    // the raw text: its code is marked on the whole line (up to a comment).
    const columns = s?.instructions;
    const lineText = lines[c.line] ?? '';
    if (columns === undefined || columns.length === 0) {
      const range = wholeLine(c.line, lineText);
      start[count] = range.start;
      end[count] = range.end;
    } else {
      let index = 0;
      if (columns.length > 1) {
        seenOnLine ??= new Map();
        index = seenOnLine.get(c.line) ?? 0;
        seenOnLine.set(c.line, index + 1);
      }
      const col = columns[Math.min(index, columns.length - 1)]!;
      start[count] = col.start;
      end[count] = col.end;
    }
    line[count] = c.line;
    address[count] = c.address;
    code[count] = ci;
    // Consecutive instructions mostly fall in the same function: check it before searching.
    const current = ordered[fnIndex];
    const inCurrent = current !== undefined && current.f.section === c.section && c.address >= current.f.address && c.address < current.f.address + current.f.size;
    const found = inCurrent ? fnIndex : functionAt(ordered, c.section, c.address, fnIndex);
    if (found >= 0) fnIndex = found;
    fnOf[count] = found >= 0 ? ordered[found]!.i : -1;
    const m = contractLines.size > 0 && contractLines.has(c.line) ? CONTRACT.exec(lineText) : null;
    if (m) contracts.set(count, { expected: m[2]!, profile: PROFILE_IDS.includes(m[1] as ProfileId) ? (m[1] as ProfileId) : null, range: { line: c.line, start: m.index, end: m.index + m[0].length } });
    count++;
  }
  return { count, line, start, end, address, code, fn: fnOf, contracts };
}

/** Index in `ordered` of the function containing an address, or -1; `hint` starts where the previous one was. */
function functionAt(ordered: ReadonlyArray<{ f: FunctionInfo }>, section: string, address: number, hint: number): number {
  const inside = (f: FunctionInfo): boolean => f.section === section && address >= f.address && address < f.address + f.size;
  if (hint < ordered.length && inside(ordered[hint]!.f)) return hint;
  for (let i = hint; i < ordered.length; i++) if (inside(ordered[i]!.f)) return i;
  for (let i = 0; i < hint && i < ordered.length; i++) if (inside(ordered[i]!.f)) return i;
  return -1;
}

/** The first index of ascending `values` whose value is not below `x`. */
function lowerBound(values: Int32Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A function's analysis under one profile, and where the last lookup in it ended. */
interface ResolvedFunction {
  analysis: ReusableFunctionAnalysis;
  next: number;
}

/** Everything a function's analysis reads besides its bytes, address and name, as a key. */
function settingsKeyOf(profile: ProfileId, settings: EditorSettings): string {
  const config = settings.kernel[profile];
  return `${profile}\0${settings.postHandler}\0${config.preemption}\0${config.optprobes}`;
}

function resolveFunction(
  sections: Map<string, Uint8Array>, cache: FunctionProbeCache, fn: FunctionInfo, profile: ProfileId, settings: EditorSettings, settingsKey: string,
  exact: boolean,
): ResolvedFunction {
  const options = { postHandler: settings.postHandler };
  const config = settings.kernel[profile];
  const key = cache.keyOf(settingsKey, fn.section, fn.name);
  const bytes = { section: sections.get(fn.section)!, start: fn.address, size: fn.size };
  const analyse = (previous: ReusableFunctionAnalysis | null, code: Uint8Array): ReusableFunctionAnalysis =>
    reanalyzeFunction({ name: fn.name, address: fn.address, bytes: code }, profile, options, config, previous);
  const analysis = exact ? cache.probes(key, fn.address, bytes, analyse) : cache.probesAnywhere(key, fn.address, bytes, analyse);
  return { analysis, next: 0 };
}

/**
 * The probe at `offset` in a function, or undefined off its decode path; not `exact`: a probe with
 * its verdict and optprobe result only. Lookups in address order cost O(1).
 */
function probeInFunction(r: ResolvedFunction, offset: number, exact = true): InstructionProbe | undefined {
  const offsets = r.analysis.offsets;
  let k = r.next;
  if (!(k < offsets.length && offsets[k] === offset)) {
    let lo = 0;
    let hi = offsets.length - 1;
    k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = offsets[mid]!;
      if (v === offset) {
        k = mid;
        break;
      }
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    if (k < 0) return undefined;
  }
  r.next = k + 1;
  return exact ? r.analysis.probe(k) : r.analysis.verdictProbe(k);
}

function probeAlone(a: { section: string; address: number; bytes: Uint8Array }, profile: ProfileId, settings: EditorSettings): InstructionProbe {
  const options = { postHandler: settings.postHandler };
  const config = settings.kernel[profile];
  const alone = analyzeFunction({ name: a.section, address: a.address, bytes: a.bytes.subarray(0, 15) }, profile, options, { ...config, optprobes: false });
  return alone.instructions[0] ?? { address: a.address, insn: decode(a.bytes, 0, a.address), verdict: null, optimizable: null };
}
