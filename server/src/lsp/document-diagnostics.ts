// The diagnostics of one analysed document: the assembler's errors at their ranges, then one
// diagnostic per instruction with its verdict under the selected profile (and a broken contract).
// Two outputs of one walk: protocol objects (tests) and the JSON text the server publishes, written
// as bytes from per-verdict fragments prepared once, so an instruction costs its range's digits.

import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import type { AsmDiagnostic } from '../asm';
import type { DocumentAnalysis } from '../editor/document-analysis';
import { contractMessage, editorDiagnosticMessage, verdictClass, type VerdictClass } from '../editor/verdict-presentation';
import { NO_VERDICT_KEY, probeOfVerdictKey } from '../editor/verdict-keys';
import type { InstructionProbe, ProfileId } from '../kprobes';
import { DEFAULT_SEVERITIES, toLspSeverity, type ServerSettings } from './editor-settings-from-configuration';
import { asciiBytes, digitCount, putBytes, putInt, rewriteDigits, type JsonByteBuilder } from './json-byte-builder';
import { writeEntriesReusing, type WrittenEntries } from './json-entries-from-previous-version';
import { asciiJson } from './prepared-json-content-encoder';

/** What every instruction with the same verdict shares: severity, class, message, and their JSON. */
interface VerdictDiagnostic {
  /** A number naming this diagnostic (a new one for each object made): equal ids, equal JSON. */
  id: number;
  severity: DiagnosticSeverity;
  code: VerdictClass;
  message: string;
  /** The diagnostic's JSON after its range: `}},"severity":...,"message":"..."},`, as bytes. */
  json: Uint8Array;
}

let lastId = 0;

/** Verdict diagnostics of one settings object, by verdict key (verdict-keys.ts). */
class VerdictDiagnostics {
  private readonly byKey: Array<VerdictDiagnostic | null | undefined> = [];
  private readonly severities = new Map<VerdictClass, DiagnosticSeverity | null>();

  constructor(private readonly settings: ServerSettings) {}

  of(key: number, profile: ProfileId): VerdictDiagnostic | null {
    let found = this.byKey[key];
    if (found === undefined) this.byKey[key] = found = this.make(probeOfVerdictKey(key), profile);
    return found;
  }

  /** A probe with no verdict key: its message quotes its decoding, so it is made anew. */
  make(probe: InstructionProbe, profile: ProfileId): VerdictDiagnostic | null {
    const code = verdictClass(probe);
    let severity = this.severities.get(code);
    if (severity === undefined) this.severities.set(code, (severity = toLspSeverity(this.settings.severities[code] ?? DEFAULT_SEVERITIES[code])));
    if (severity === null) return null;
    const message = editorDiagnosticMessage(probe, profile);
    const json = asciiBytes(`}},${asciiJson({ severity, source: 'kboost', code, message }).slice(1)},`);
    return { id: ++lastId, severity, code, message, json };
  }
}

const memo = new WeakMap<ServerSettings, VerdictDiagnostics>();

/** What the walk hands out, in publishing order. */
interface DiagnosticSink {
  assembler(d: AsmDiagnostic): void;
  verdict(index: number, d: VerdictDiagnostic | null): void;
  contract(line: number, start: number, end: number, message: string): void;
}

function walk(a: DocumentAnalysis, settings: ServerSettings, sink: DiagnosticSink): void {
  for (const d of a.image.diagnostics) sink.assembler(d);
  const profile = settings.editor.profile;
  let verdicts = memo.get(settings);
  if (verdicts === undefined) memo.set(settings, (verdicts = new VerdictDiagnostics(settings)));
  const t = a.table;
  const keys = a.verdictKeys(profile);
  const contracts = t.contracts.size > 0;
  for (let i = 0; i < t.count; i++) {
    const key = keys[i]!;
    // An undecodable instruction's message quotes its decoding: from this version's place.
    sink.verdict(i, key !== NO_VERDICT_KEY ? verdicts.of(key, profile) : verdicts.make(a.probeAt(i, profile), profile));
    if (!contracts) continue;
    const contract = t.contracts.get(i);
    if (contract === undefined) continue;
    const under = contract.profile ?? profile;
    const broken = contractMessage(contract.expected, verdictClass(a.verdictAt(i, under)), under);
    if (broken !== null) sink.contract(contract.range.line, contract.range.start, contract.range.end, broken);
  }
}

const range = (line: number, start: number, end: number) => ({ start: { line, character: start }, end: { line, character: end } });

function assemblerDiagnostic(d: AsmDiagnostic): Diagnostic {
  return { range: range(d.line, d.start, d.end), severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, source: 'kboost-as', message: d.message };
}

function contractDiagnostic(line: number, start: number, end: number, message: string): Diagnostic {
  return { range: range(line, start, end), severity: DiagnosticSeverity.Error, source: 'kboost', code: 'contract', message };
}

export function documentDiagnostics(a: DocumentAnalysis, settings: ServerSettings): Diagnostic[] {
  const out: Diagnostic[] = [];
  const t = a.table;
  walk(a, settings, {
    assembler: (d) => out.push(assemblerDiagnostic(d)),
    verdict: (i, d) => d !== null && out.push({ range: range(t.line[i]!, t.start[i]!, t.end[i]!), severity: d.severity, source: 'kboost', code: d.code, message: d.message }),
    contract: (line, start, end, message) => out.push(contractDiagnostic(line, start, end, message)),
  });
  return out;
}

const RANGE_START = asciiBytes('{"range":{"start":{"line":');
const CHARACTER = asciiBytes(',"character":');
const RANGE_END = asciiBytes('},"end":{"line":');
/** The most a verdict diagnostic's range takes. */
const RANGE_BYTES = RANGE_START.length + 2 * CHARACTER.length + RANGE_END.length + 4 * 16;
/** About what one verdict diagnostic takes, to size the buffer once. */
const BYTES_PER_DIAGNOSTIC = 300;

/** What a published version of a document's diagnostics leaves for the next one. */
export type PublishedDiagnostics = WrittenEntries;

/**
 * The same diagnostics as documentDiagnostics, written into `out` as the JSON text of their array
 * (JSON.parse of it equals documentDiagnostics). With `previous` (the last version's, its buffer
 * intact and not `out`'s), the entries that did not change are copied from it.
 */
export function writeDocumentDiagnosticsJson(
  a: DocumentAnalysis, settings: ServerSettings, out: JsonByteBuilder, previous: PublishedDiagnostics | null = null,
): PublishedDiagnostics {
  const t = a.table;
  const arrayStart = out.position;
  out.bytes(asciiBytes('['));
  const ids = new Int32Array(t.count);
  /** The diagnostics by id (a few shared ones), rather than an array of 50,000 references. */
  const byId = new Map<number, VerdictDiagnostic>();
  let last: VerdictDiagnostic | null = null;
  const contracts = new Map<number, string>();
  const written = (json: string): void => out.bytes(asciiBytes(`${json},`));
  let index = -1;
  walk(a, settings, {
    assembler: (d) => written(asciiJson(assemblerDiagnostic(d))),
    verdict: (i, d) => {
      index = i;
      if (d === null) return;
      if (d !== last) byId.set(d.id, (last = d));
      ids[i] = d.id;
    },
    contract: (line, start, end, message) => contracts.set(index, asciiJson(contractDiagnostic(line, start, end, message))),
  });
  const keys = { count: t.count, line: t.line, start: t.start, end: t.end, ids, unkeyed: t.contracts, lineCount: a.lineCount };
  const fresh = (i: number): void => {
    const d = ids[i] !== 0 ? byId.get(ids[i]!) : undefined;
    if (d !== undefined) {
      // Every instruction's diagnostic where it changed (or on open), written in place.
      const buf = out.reserve(RANGE_BYTES + d.json.length);
      const line = t.line[i]!;
      let at = putInt(buf, putBytes(buf, out.position, RANGE_START), line);
      at = putInt(buf, putBytes(buf, at, CHARACTER), t.start[i]!);
      at = putInt(buf, putBytes(buf, at, RANGE_END), line);
      at = putInt(buf, putBytes(buf, at, CHARACTER), t.end[i]!);
      out.position = putBytes(buf, at, d.json);
    }
    const contract = contracts.size > 0 ? contracts.get(i) : undefined;
    if (contract !== undefined) written(contract);
  };
  const patch = (buf: Buffer, entry: number, i: number, was: number, line: number): void => {
    const first = entry + RANGE_START.length + digitCount(line);
    rewriteDigits(buf, first, was, line);
    rewriteDigits(buf, first + CHARACTER.length + digitCount(t.start[i]!) + RANGE_END.length + digitCount(line), was, line);
  };
  return writeEntriesReusing(out, arrayStart, keys, previous, fresh, patch);
}

/** A buffer size that fits a document's diagnostics JSON without growing, mostly. */
export function expectedDiagnosticsJsonBytes(a: DocumentAnalysis): number {
  return (a.table.count + a.image.diagnostics.length) * BYTES_PER_DIAGNOSTIC;
}
