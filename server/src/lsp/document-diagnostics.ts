// The diagnostics of one analysed document: the assembler's errors at their ranges, then one
// diagnostic per instruction with its verdict under the selected profile (and a broken contract).
// Protocol values only; the server publishes them, tests compare them.

import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import type { DocumentAnalysis } from '../editor/document-analysis';
import { brokenContract, diagnosticMessage, verdictClass } from '../editor/verdict-presentation';
import { DEFAULT_SEVERITIES, toLspSeverity, type ServerSettings } from './editor-settings-from-configuration';

export function documentDiagnostics(a: DocumentAnalysis, settings: ServerSettings): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of a.image.diagnostics) {
    out.push({
      range: { start: { line: d.line, character: d.start }, end: { line: d.line, character: d.end } },
      severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: 'kboost-as',
      message: d.message,
    });
  }
  const profile = settings.editor.profile;
  // Severities by verdict class, looked up once rather than per instruction.
  const severities = new Map<string, DiagnosticSeverity | null>();
  for (const ann of a.annotations) {
    const probe = a.probe(ann, profile);
    const cls = verdictClass(probe);
    let severity = severities.get(cls);
    if (severity === undefined) severities.set(cls, (severity = toLspSeverity(settings.severities[cls] ?? DEFAULT_SEVERITIES[cls])));
    if (severity !== null) {
      const range = { start: { line: ann.range.line, character: ann.range.start }, end: { line: ann.range.line, character: ann.range.end } };
      out.push({ range, severity, source: 'kboost', code: cls, message: diagnosticMessage(probe, profile) });
    }
    if (ann.contract === null) continue;
    const broken = brokenContract(a, ann, profile);
    if (broken !== null) {
      const c = ann.contract.range;
      out.push({
        range: { start: { line: c.line, character: c.start }, end: { line: c.line, character: c.end } },
        severity: DiagnosticSeverity.Error,
        source: 'kboost',
        code: 'contract',
        message: broken,
      });
    }
  }
  return out;
}
