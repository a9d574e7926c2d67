// Reads the `kboost.*` settings a client sends (workspace/configuration or didChangeConfiguration)
// into EditorSettings and severities, tolerating anything malformed: unknown or wrong-typed values
// fall back to the defaults, so a bad setting never stops the server.

import { DiagnosticSeverity } from 'vscode-languageserver/node';
import { DEFAULT_EDITOR_SETTINGS, type EditorSettings } from '../editor/document-analysis';
import type { VerdictClass } from '../editor/verdict-presentation';
import { PROFILE_IDS, type ProfileId } from '../kprobes';

export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'none';

export const DEFAULT_SEVERITIES: Record<VerdictClass, SeveritySetting> = {
  boosted: 'hint',
  optimized: 'hint',
  'single-stepped': 'information',
  emulated: 'information',
  depends: 'information',
  refused: 'warning',
  invalid: 'error',
};

export interface ServerSettings {
  editor: EditorSettings;
  severities: Record<VerdictClass, SeveritySetting>;
}

const SEVERITY_VALUES = new Set(['error', 'warning', 'information', 'hint', 'none']);

export function toLspSeverity(s: SeveritySetting): DiagnosticSeverity | null {
  switch (s) {
    case 'error': return DiagnosticSeverity.Error;
    case 'warning': return DiagnosticSeverity.Warning;
    case 'information': return DiagnosticSeverity.Information;
    case 'hint': return DiagnosticSeverity.Hint;
    case 'none': return null;
  }
}

function onOff(value: unknown, fallback: boolean): boolean {
  return value === 'on' || value === true ? true : value === 'off' || value === false ? false : fallback;
}

/** `value` is the `kboost` section: { profile, postHandler, preemption, optprobes, severity: {...} }. */
export function readServerSettings(value: unknown): ServerSettings {
  const section = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const profile = PROFILE_IDS.includes(section.profile as ProfileId) ? (section.profile as ProfileId) : DEFAULT_EDITOR_SETTINGS.profile;
  const kernel = { ...DEFAULT_EDITOR_SETTINGS.kernel };
  for (const id of PROFILE_IDS) {
    kernel[id] = {
      preemption: onOff(section.preemption, DEFAULT_EDITOR_SETTINGS.kernel[id].preemption),
      optprobes: onOff(section.optprobes, DEFAULT_EDITOR_SETTINGS.kernel[id].optprobes),
    };
  }
  const severities = { ...DEFAULT_SEVERITIES };
  const given = (section.severity ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(severities) as VerdictClass[]) {
    const camel = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = given[key] ?? given[camel];
    if (typeof v === 'string' && SEVERITY_VALUES.has(v)) severities[key] = v as SeveritySetting;
  }
  const includePaths = Array.isArray(section.includePaths) ? section.includePaths.filter((x): x is string => typeof x === 'string') : [];
  const preprocessor = ['auto', 'builtin', 'system', 'none'].includes(section.preprocessor as string)
    ? (section.preprocessor as EditorSettings['preprocessor'])
    : 'auto';
  return { editor: { profile, postHandler: section.postHandler === true, includePaths, preprocessor, kernel }, severities };
}
