// What the editor shows for one assembly document, computed without any protocol: the source is
// assembled, every instruction's bytes are decoded, and each function is analysed under every
// profile. lsp/ turns the result into diagnostics, hovers, code lenses and symbols.

import { parseSource, type Image, type SourceRange, type Statement } from '../asm';
import { decode } from '../isa';
import {
  DEFAULT_KERNEL_CONFIG, PROFILE_IDS, analyzeFunction, reanalyzeFunction, type InstructionProbe, type KernelConfig, type ProfileId,
} from '../kprobes';
import { assembleDocument, DocumentAssembler } from './document-assembly';
import { FunctionProbeCache } from './function-probe-cache';
import { SourceLineSummaries, summarizeWholeText } from './source-line-summaries';

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
  /** Line of the function's label. */
  line: number;
  section: string;
  address: number;
  size: number;
}

export interface DocumentAnalysis {
  image: Image;
  /** The raw text's statements, parsed on first use (symbols, completion, navigation). */
  readonly statements: Statement[];
  annotations: InstructionAnnotation[];
  functions: FunctionInfo[];
  /** Label definitions of the raw text in source order (numeric local labels excluded). */
  labels: ReadonlyArray<{ name: string; range: SourceRange }>;
  settings: EditorSettings;
  /** Files the includes read, by path (for navigation across includes). */
  includedFiles: Map<string, string>;
  /**
   * The probe of an annotated instruction under a profile. Functions are analysed on first use
   * and cached, so diagnostics pay for the selected profile only and a hover for the others.
   */
  probe(annotation: InstructionAnnotation, profile: ProfileId): InstructionProbe;
  /** The annotations of a function, in address order. */
  annotationsOf(fn: FunctionInfo): InstructionAnnotation[];
}

/**
 * What one document keeps between its versions so that re-analysis after an edit works on what
 * changed: line summaries of the raw text and per-function probe results.
 */
export class DocumentAnalysisCache {
  readonly lines = new SourceLineSummaries();
  readonly functions = new FunctionProbeCache();
  readonly assembler = new DocumentAssembler();
}

function wholeLine(line: number, text: string): SourceRange {
  const code = text.replace(/(#|\/\/|\/\*).*$/, '');
  const start = code.length - code.trimStart().length;
  return { line, start, end: Math.max(start, code.trimEnd().length) };
}

const CONTRACT = /#\s*kboost(?:\(([a-z0-9.-]+)\))?:\s*([a-z][a-z-]*)/;

/** Functions: `.type f, @function` symbols and global labels of code sections, up to the next one. */
function findFunctions(image: Image, labelLines: Map<string, number>): FunctionInfo[] {
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
  const lines = text.split('\n');
  const assemblyOptions = {
    ...(fileName !== undefined ? { fileName } : {}),
    includePaths: settings.includePaths,
    preprocessor: settings.preprocessor,
    ...(readFile !== undefined ? { readFile } : {}),
  };
  // Without a cache (a one-off analysis) the plain assemble(): the reference the cache must match.
  const { image, includedFiles } = cache !== undefined ? cache.assembler.assemble(text, assemblyOptions, lines) : assembleDocument(text, assemblyOptions);
  // Without a cache (a one-off analysis) the text is parsed whole: the reference the cache must match.
  const { instructions, labelLines, labels, dataLines } = cache !== undefined ? cache.lines.summarize(text, lines) : summarizeWholeText(text);
  const functionProbes = cache?.functions ?? new FunctionProbeCache();
  functionProbes.nextVersion();
  const functions = findFunctions(image, labelLines);
  const annotations: InstructionAnnotation[] = [];
  const seenOnLine = new Map<number, number>();
  const ordered = [...functions].sort((x, y) => (x.section < y.section ? -1 : x.section > y.section ? 1 : x.address - y.address));
  const byFunction = new Map<FunctionInfo, InstructionAnnotation[]>(functions.map((f) => [f, []]));
  let fnIndex = 0;
  for (const code of image.lines) {
    if (code.bytes.length === 0 || dataLines.has(code.line)) continue;
    // A line expanded by the preprocessor or a macro has no instruction statement of its own in
    // the raw text: its code is marked on the whole line (up to a comment).
    const columns = instructions[code.line];
    let range: SourceRange;
    if (columns === undefined) range = wholeLine(code.line, lines[code.line] ?? '');
    else {
      let index = 0;
      if (columns.length > 1) {
        index = seenOnLine.get(code.line) ?? 0;
        seenOnLine.set(code.line, index + 1);
      }
      const c = columns[Math.min(index, columns.length - 1)]!;
      range = { line: code.line, start: c.start, end: c.end };
    }
    const found = functionAt(ordered, code.section, code.address, fnIndex);
    if (found >= 0) fnIndex = found;
    const fn = found >= 0 ? ordered[found]! : null;
    const lineText = lines[code.line] ?? '';
    const m = lineText.includes('kboost') ? CONTRACT.exec(lineText) : null;
    const annotation: InstructionAnnotation = {
      range,
      section: code.section,
      address: code.address,
      bytes: code.bytes,
      functionName: fn?.name ?? null,
      contract: m ? { expected: m[2]!, profile: PROFILE_IDS.includes(m[1] as ProfileId) ? (m[1] as ProfileId) : null, range: { line: code.line, start: m.index, end: m.index + m[0].length } } : null,
    };
    annotations.push(annotation);
    if (fn !== null) byFunction.get(fn)!.push(annotation);
  }
  const byName = new Map(functions.map((f) => [`${f.section}:${f.name}`, f]));
  const sectionBytes = new Map(image.sections.map((s) => [s.name, s.bytes]));
  // This version's function probes, resolved through the cache once per function and profile.
  const resolved = new Map<FunctionInfo, Map<ProfileId, Map<number, InstructionProbe>>>();
  let statements: Statement[] | null = null;
  return {
    image,
    get statements() {
      statements ??= parseSource(text).statements;
      return statements;
    },
    annotations,
    functions,
    labels,
    settings,
    includedFiles,
    probe(a, profile) {
      const fn = a.functionName === null ? null : byName.get(`${a.section}:${a.functionName}`) ?? null;
      return probeOf(sectionBytes, functionProbes, resolved, fn, a, profile, settings);
    },
    annotationsOf(fn) {
      return byFunction.get(fn) ?? annotations.filter((a) => a.functionName === fn.name && a.section === fn.section);
    },
  };
}

/** Index of the function containing an address, or -1; `hint` starts where the previous one was. */
function functionAt(ordered: FunctionInfo[], section: string, address: number, hint: number): number {
  const inside = (f: FunctionInfo): boolean => f.section === section && address >= f.address && address < f.address + f.size;
  if (hint < ordered.length && inside(ordered[hint]!)) return hint;
  for (let i = hint; i < ordered.length; i++) if (inside(ordered[i]!)) return i;
  for (let i = 0; i < hint && i < ordered.length; i++) if (inside(ordered[i]!)) return i;
  return -1;
}

function probeOf(
  sections: Map<string, Uint8Array>, cache: FunctionProbeCache, resolved: Map<FunctionInfo, Map<ProfileId, Map<number, InstructionProbe>>>,
  fn: FunctionInfo | null, a: InstructionAnnotation, profile: ProfileId, settings: EditorSettings,
): InstructionProbe {
  const options = { postHandler: settings.postHandler };
  const config = settings.kernel[profile];
  const known = fn === null ? undefined : resolved.get(fn)?.get(profile);
  if (known !== undefined) {
    const hit = known.get(a.address);
    if (hit !== undefined) return hit;
  } else if (fn !== null) {
    // Everything the analysis reads besides the bytes and the address is in the key.
    const key = `${fn.section}\0${fn.name}\0${profile}\0${options.postHandler}\0${config.preemption}\0${config.optprobes}`;
    const bytes = sections.get(fn.section)!.subarray(fn.address, fn.address + fn.size);
    const byAddress = cache.probes(key, fn.address, bytes, (previous) => reanalyzeFunction({ name: fn.name, address: fn.address, bytes }, profile, options, config, previous));
    let byProfile = resolved.get(fn);
    if (byProfile === undefined) resolved.set(fn, (byProfile = new Map()));
    byProfile.set(profile, byAddress);
    const hit = byAddress.get(a.address);
    if (hit !== undefined) return hit;
  }
  // Outside any function (or off the function's decode path): the instruction alone.
  const alone = analyzeFunction({ name: a.section, address: a.address, bytes: a.bytes.subarray(0, 15) }, profile, options, { ...config, optprobes: false });
  return alone.instructions[0] ?? { address: a.address, insn: decode(a.bytes, 0, a.address), verdict: null, optimizable: null };
}
