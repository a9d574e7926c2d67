// What the editor shows for one assembly document, computed without any protocol: the source is
// assembled, every instruction's bytes are decoded, and each function is analysed under every
// profile. lsp/ turns the result into diagnostics, hovers, code lenses and symbols.

import { assemble, parseSource, type Image, type SourceRange, type Statement } from '../asm';
import { decode } from '../isa';
import {
  DEFAULT_KERNEL_CONFIG, PROFILE_IDS, analyzeFunction, type InstructionProbe, type KernelConfig, type ProfileId,
} from '../kprobes';

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
  statements: Statement[];
  annotations: InstructionAnnotation[];
  functions: FunctionInfo[];
  settings: EditorSettings;
  /**
   * The probe of an annotated instruction under a profile. Functions are analysed on first use
   * and cached, so diagnostics pay for the selected profile only and a hover for the others.
   */
  probe(annotation: InstructionAnnotation, profile: ProfileId): InstructionProbe;
}

const DATA_DIRECTIVES = new Set([
  '.byte', '.word', '.short', '.value', '.long', '.int', '.quad', '.ascii', '.asciz', '.string', '.fill',
  '.skip', '.space', '.zero', '.align', '.balign', '.p2align', '.org', '.octa', '.float', '.double',
]);

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
  return starts.map((s, i) => {
    const section = image.sections.find((x) => x.name === s.section)!;
    const next = starts[i + 1];
    const end = s.size > 0 ? s.value + s.size : next && next.section === s.section ? next.value : section.bytes.length;
    return { name: s.name, line: labelLines.get(s.name) ?? 0, section: s.section!, address: s.value, size: Math.max(0, end - s.value) };
  });
}

/** `fileName` (a path, when the document is a file) lets `.S` files be preprocessed and includes resolve. */
export function analyzeDocument(text: string, settings: EditorSettings = DEFAULT_EDITOR_SETTINGS, fileName?: string): DocumentAnalysis {
  const image = assemble(text, {
    ...(fileName !== undefined ? { fileName } : {}),
    includePaths: settings.includePaths,
    ...(settings.preprocessor !== 'auto' ? { preprocessor: settings.preprocessor } : {}),
  });
  const parsed = parseSource(text);
  const lines = text.split('\n');
  const labelLines = new Map<string, number>();
  const instructionRanges = new Map<number, SourceRange[]>();
  // Lines whose code is data (`.byte`, `.long`, `.fill`...): their bytes are not instructions.
  const dataLines = new Set<number>();
  for (const st of parsed.statements) {
    if (st.kind === 'label') labelLines.set(st.name, st.range.line);
    if (st.kind === 'directive' && DATA_DIRECTIVES.has(st.name)) dataLines.add(st.range.line);
    if (st.kind === 'instruction' && st.mnemonic !== null) {
      const list = instructionRanges.get(st.range.line) ?? [];
      list.push(st.range);
      instructionRanges.set(st.range.line, list);
    }
  }
  const functions = findFunctions(image, labelLines);
  const annotations: InstructionAnnotation[] = [];
  const seenOnLine = new Map<number, number>();
  let fnIndex = 0;
  const ordered = [...functions].sort((x, y) => (x.section < y.section ? -1 : x.section > y.section ? 1 : x.address - y.address));
  for (const code of image.lines) {
    if (code.bytes.length === 0 || dataLines.has(code.line)) continue;
    // A line expanded by the preprocessor or a macro has no instruction statement of its own in
    // the raw text: its code is marked on the whole line (up to a comment).
    const ranges = instructionRanges.get(code.line) ?? [wholeLine(code.line, lines[code.line] ?? '')];
    const index = seenOnLine.get(code.line) ?? 0;
    const range = ranges[Math.min(index, ranges.length - 1)]!;
    seenOnLine.set(code.line, index + 1);
    const fn = functionAt(ordered, code.section, code.address, fnIndex);
    if (fn !== null) fnIndex = ordered.indexOf(fn);
    const m = CONTRACT.exec(lines[code.line] ?? '');
    annotations.push({
      range,
      section: code.section,
      address: code.address,
      bytes: code.bytes,
      functionName: fn?.name ?? null,
      contract: m ? { expected: m[2]!, profile: PROFILE_IDS.includes(m[1] as ProfileId) ? (m[1] as ProfileId) : null, range: { line: code.line, start: m.index, end: m.index + m[0].length } } : null,
    });
  }
  const cache = new Map<string, Map<number, InstructionProbe>>();
  const byName = new Map(functions.map((f) => [`${f.section}:${f.name}`, f]));
  return {
    image,
    statements: parsed.statements,
    annotations,
    functions,
    settings,
    probe(a, profile) {
      const fn = a.functionName === null ? null : byName.get(`${a.section}:${a.functionName}`) ?? null;
      return probeOf(image, cache, fn, a, profile, settings);
    },
  };
}

/** The function containing an address; `hint` starts the search where the previous one was. */
function functionAt(ordered: FunctionInfo[], section: string, address: number, hint: number): FunctionInfo | null {
  const inside = (f: FunctionInfo): boolean => f.section === section && address >= f.address && address < f.address + f.size;
  for (let i = hint; i < ordered.length; i++) if (inside(ordered[i]!)) return ordered[i]!;
  for (let i = 0; i < hint && i < ordered.length; i++) if (inside(ordered[i]!)) return ordered[i]!;
  return null;
}

function probeOf(
  image: Image, cache: Map<string, Map<number, InstructionProbe>>, fn: FunctionInfo | null, a: InstructionAnnotation,
  profile: ProfileId, settings: EditorSettings,
): InstructionProbe {
  const options = { postHandler: settings.postHandler };
  const config = settings.kernel[profile];
  if (fn !== null) {
    const key = `${fn.section}:${fn.name}:${profile}`;
    let byAddress = cache.get(key);
    if (byAddress === undefined) {
      const sectionBytes = image.sections.find((s) => s.name === fn.section)!.bytes;
      const analysis = analyzeFunction({ name: fn.name, address: fn.address, bytes: sectionBytes.subarray(fn.address, fn.address + fn.size) }, profile, options, config);
      byAddress = new Map(analysis.instructions.map((i) => [i.address, i]));
      cache.set(key, byAddress);
    }
    const hit = byAddress.get(a.address);
    if (hit !== undefined) return hit;
  }
  // Outside any function (or off the function's decode path): the instruction alone.
  const alone = analyzeFunction({ name: a.section, address: a.address, bytes: a.bytes.subarray(0, 15) }, profile, options, { ...config, optprobes: false });
  return alone.instructions[0] ?? { address: a.address, insn: decode(a.bytes, 0, a.address), verdict: null, optimizable: null };
}
