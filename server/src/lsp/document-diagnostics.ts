// The diagnostics of one analysed document: the assembler's errors at their ranges, then one
// diagnostic per instruction with its verdict under the selected profile (and a broken contract).
// Two outputs of one walk: protocol objects (tests) and the JSON text the server publishes, written
// as bytes from per-verdict fragments prepared once, so an instruction costs its range's digits.

import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import type { AsmDiagnostic } from '../asm';
import type { DocumentAnalysis } from '../editor/document-analysis';
import { contractMessage, editorDiagnosticMessage, verdictClass, type VerdictClass } from '../editor/verdict-presentation';
import type { InstructionProbe, ProfileId } from '../kprobes';
import { DEFAULT_SEVERITIES, toLspSeverity, type ServerSettings } from './editor-settings-from-configuration';
import { asciiBytes, putBytes, putInt, type JsonByteBuilder } from './json-byte-builder';
import { asciiJson } from './prepared-json-content-encoder';

/** What every instruction with the same verdict shares: severity, class, message, and their JSON. */
interface VerdictDiagnostic {
  severity: DiagnosticSeverity;
  code: VerdictClass;
  message: string;
  /** The diagnostic's JSON after its range: `"severity":...,"message":"..."}`, as bytes. */
  json: Uint8Array;
}

/**
 * Verdict diagnostics of one settings object, memoized by verdict (a shared value) and, for an
 * optimized probe, its optprobe reason: the same keys messages are worded by.
 */
class VerdictDiagnostics {
  private readonly byVerdict = new WeakMap<object, Map<string, VerdictDiagnostic | null>>();
  private readonly severities = new Map<VerdictClass, DiagnosticSeverity | null>();
  private lastVerdict: object | null = null;
  private lastKey = '';
  private last: VerdictDiagnostic | null = null;

  constructor(private readonly settings: ServerSettings) {}

  of(probe: InstructionProbe, profile: ProfileId): VerdictDiagnostic | null {
    const v = probe.verdict;
    if (v === null) return this.make(probe, profile);
    const key = probe.optimizable?.ok ? probe.optimizable.why : '';
    // Neighbouring instructions often share a verdict: one comparison instead of two lookups.
    if (v === this.lastVerdict && key === this.lastKey) return this.last;
    let byKey = this.byVerdict.get(v);
    if (byKey === undefined) this.byVerdict.set(v, (byKey = new Map()));
    let found = byKey.get(key);
    if (found === undefined) byKey.set(key, (found = this.make(probe, profile)));
    this.lastVerdict = v;
    this.lastKey = key;
    this.last = found;
    return found;
  }

  private make(probe: InstructionProbe, profile: ProfileId): VerdictDiagnostic | null {
    const code = verdictClass(probe);
    let severity = this.severities.get(code);
    if (severity === undefined) this.severities.set(code, (severity = toLspSeverity(this.settings.severities[code] ?? DEFAULT_SEVERITIES[code])));
    if (severity === null) return null;
    const message = editorDiagnosticMessage(probe, profile);
    const json = asciiBytes(asciiJson({ severity, source: 'kboost', code, message }).slice(1));
    return { severity, code, message, json };
  }
}

const memo = new WeakMap<ServerSettings, VerdictDiagnostics>();

/** What the walk hands out, in publishing order. */
interface DiagnosticSink {
  assembler(d: AsmDiagnostic): void;
  verdict(index: number, d: VerdictDiagnostic): void;
  contract(line: number, start: number, end: number, message: string): void;
}

function walk(a: DocumentAnalysis, settings: ServerSettings, sink: DiagnosticSink): void {
  for (const d of a.image.diagnostics) sink.assembler(d);
  const profile = settings.editor.profile;
  let verdicts = memo.get(settings);
  if (verdicts === undefined) memo.set(settings, (verdicts = new VerdictDiagnostics(settings)));
  const t = a.table;
  const contracts = t.contracts.size > 0;
  for (let i = 0; i < t.count; i++) {
    const probe = a.verdictAt(i, profile);
    // An undecodable instruction's message quotes its decoding: from this version's place.
    const d = verdicts.of(probe.verdict === null ? a.probeAt(i, profile) : probe, profile);
    if (d !== null) sink.verdict(i, d);
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
    verdict: (i, d) => out.push({ range: range(t.line[i]!, t.start[i]!, t.end[i]!), severity: d.severity, source: 'kboost', code: d.code, message: d.message }),
    contract: (line, start, end, message) => out.push(contractDiagnostic(line, start, end, message)),
  });
  return out;
}

const OPEN = asciiBytes('[');
const CLOSE = asciiBytes(']');
const COMMA = asciiBytes(',');
const RANGE_START = asciiBytes('{"range":{"start":{"line":');
const CHARACTER = asciiBytes(',"character":');
const RANGE_END = asciiBytes('},"end":{"line":');
const RANGE_CLOSE = asciiBytes('}},');
/** The most a verdict diagnostic's range takes, with its separator. */
const RANGE_BYTES = 1 + RANGE_START.length + 2 * CHARACTER.length + RANGE_END.length + RANGE_CLOSE.length + 4 * 16;
/** About what one verdict diagnostic takes, to size the buffer once. */
const BYTES_PER_DIAGNOSTIC = 300;

/**
 * The same diagnostics as documentDiagnostics, written into `out` as the JSON text of their array
 * (JSON.parse of it equals documentDiagnostics).
 */
export function writeDocumentDiagnosticsJson(a: DocumentAnalysis, settings: ServerSettings, out: JsonByteBuilder): void {
  let first = true;
  const separate = (): void => {
    if (first) first = false;
    else out.bytes(COMMA);
  };
  const t = a.table;
  out.bytes(OPEN);
  walk(a, settings, {
    assembler: (d) => (separate(), out.bytes(asciiBytes(asciiJson(assemblerDiagnostic(d))))),
    verdict: (i, d) => {
      // The one hot path: every instruction's diagnostic, written in place.
      const buf = out.reserve(RANGE_BYTES + d.json.length);
      let at = out.position;
      if (first) first = false;
      else buf[at++] = 0x2c; // ,
      const line = t.line[i]!;
      at = putInt(buf, putBytes(buf, at, RANGE_START), line);
      at = putInt(buf, putBytes(buf, at, CHARACTER), t.start[i]!);
      at = putInt(buf, putBytes(buf, at, RANGE_END), line);
      at = putInt(buf, putBytes(buf, at, CHARACTER), t.end[i]!);
      out.position = putBytes(buf, putBytes(buf, at, RANGE_CLOSE), d.json);
    },
    contract: (line, start, end, message) => (separate(), out.bytes(asciiBytes(asciiJson(contractDiagnostic(line, start, end, message))))),
  });
  out.bytes(CLOSE);
}

/** A buffer size that fits a document's diagnostics JSON without growing, mostly. */
export function expectedDiagnosticsJsonBytes(a: DocumentAnalysis): number {
  return (a.table.count + a.image.diagnostics.length) * BYTES_PER_DIAGNOSTIC;
}
