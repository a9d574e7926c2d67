// The kboost launch configuration made for one assembly file when there is no launch.json (F5,
// the "Debug kprobes in this file" command, dynamic configurations). Plain text in, plain object
// out: no 'vscode' import, so the test runs it without an editor.

export const KBOOST_DEBUG_TYPE = 'kboost';
export const LAUNCH_PROFILES = ['rfc-2.6.15', 'linux-2.6.18', 'linux-6.1'] as const;

export interface KboostLaunchConfiguration {
  type: typeof KBOOST_DEBUG_TYPE;
  request: 'launch';
  name: string;
  program: string;
  entry: string;
  profile: string;
  preemption?: 'on' | 'off';
  optprobes?: 'on' | 'off';
  postHandler?: true;
}

/** The editor's kernel settings (kboost.preemption, kboost.optprobes, kboost.postHandler) as read from the workspace. */
export interface EditorKernelSettings {
  preemption?: unknown;
  optprobes?: unknown;
  postHandler?: unknown;
}

/** `.globl NAME` / `.global NAME` (a comma list too), as GNU as reads them. */
const GLOBAL_DIRECTIVE = /^\s*\.glob(?:a)?l\s+([^#;]+)/;
/** A label definition at the start of a line (after other labels of the same line). */
const LABEL_DEFINITION = /^\s*([A-Za-z_.$][\w.$]*)\s*:/;

/**
 * Where a run of this file starts: `_start` when the file defines it (a runnable program, the
 * debugger's default), else the first label of the text that is global, else `_start` (the adapter
 * then answers with its "no entry label" message).
 */
export function entryLabelOf(text: string): string {
  const globals = new Set<string>();
  const defined: string[] = [];
  for (const line of text.split('\n')) {
    const g = GLOBAL_DIRECTIVE.exec(line);
    if (g) for (const name of g[1]!.split(',')) globals.add(name.trim());
    const l = LABEL_DEFINITION.exec(line);
    if (l) defined.push(l[1]!);
  }
  if (defined.includes('_start')) return '_start';
  // The first in the text, wherever its .globl stands.
  return defined.find((name) => globals.has(name)) ?? '_start';
}

/**
 * A launch of `program` under `profile` (the workspace's kboost.profile when the caller has one).
 * The editor's kernel settings carry over where they are not the default, so the run does what the
 * diagnostics describe.
 */
export function launchConfigurationFor(program: string, text: string, profile: string, kernel: EditorKernelSettings = {}): KboostLaunchConfiguration {
  const base = program.split(/[\\/]/).pop() ?? program;
  const c: KboostLaunchConfiguration = { type: KBOOST_DEBUG_TYPE, request: 'launch', name: `kboost: ${base} (${profile})`, program, entry: entryLabelOf(text), profile };
  if (kernel.preemption === 'on' || kernel.preemption === 'off') c.preemption = kernel.preemption;
  if (kernel.optprobes === 'on' || kernel.optprobes === 'off') c.optprobes = kernel.optprobes;
  if (kernel.postHandler === true) c.postHandler = true;
  return c;
}
