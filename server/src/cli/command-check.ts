// `kboost check FILE...`: annotates assembly files with kprobe verdicts, like a compiler's
// diagnostics (`file:line:col: note: ...`), or as JSON or SARIF. It fails (exit 1) when a contract
// comment such as `# kboost: boosted` disagrees with the verdict, or when a file does not assemble.
// With `--context INCLUDER` the files are included files, each checked as INCLUDER's assembly reads it.

import { readFileSync } from 'node:fs';
import { analyzeDocument, DEFAULT_EDITOR_SETTINGS, type DocumentAnalysis } from '../editor/document-analysis';
import { brokenContract, diagnosticMessage, verdictClass } from '../editor/verdict-presentation';
import { DEFAULT_KERNEL_CONFIG, PROFILE_IDS, type ProfileId } from '../kprobes';
import { optionalString, parseCommandLine } from './cli-arguments';
import { CliIo, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from './cli-io';
import { CHECK_USAGE } from './cli-usage-text';

const OPTIONS = {
  profile: { type: 'string' },
  format: { type: 'string' },
  'post-handler': { type: 'boolean' },
  context: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Finding {
  file: string;
  line: number;
  column: number;
  level: 'error' | 'warning' | 'note';
  rule: string;
  message: string;
}

function findingsOf(file: string, a: DocumentAnalysis, profile: ProfileId, quiet: boolean): Finding[] {
  const out: Finding[] = [];
  for (const d of a.image.diagnostics) {
    out.push({ file, line: d.line + 1, column: d.start + 1, level: d.severity === 'error' ? 'error' : 'warning', rule: 'assembler', message: d.message });
  }
  for (const ann of a.annotations) {
    const probe = a.probe(ann, profile);
    const cls = verdictClass(probe);
    if (!quiet) out.push({ file, line: ann.range.line + 1, column: ann.range.start + 1, level: 'note', rule: cls, message: diagnosticMessage(probe, profile) });
    const broken = brokenContract(a, ann, profile);
    if (broken !== null) {
      out.push({ file, line: ann.contract!.range.line + 1, column: ann.contract!.range.start + 1, level: 'error', rule: 'contract', message: broken });
    }
  }
  return out;
}

function sarif(findings: Finding[], profile: ProfileId): unknown {
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{
      tool: { driver: { name: 'kboost', version: '0.1.0', informationUri: 'https://example.invalid/kboost', rules: [...new Set(findings.map((f) => f.rule))].map((id) => ({ id })) } },
      properties: { profile },
      results: findings.map((f) => ({
        ruleId: f.rule,
        level: f.level,
        message: { text: f.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: f.line, startColumn: f.column } } }],
      })),
    }],
  };
}

export function runCheck(args: string[], io: CliIo): number {
  const parsed = parseCommandLine(args, OPTIONS);
  const usage = (m: string): number => (io.err(`kboost check: ${m}\nTry 'kboost check --help'.\n`), EXIT_USAGE);
  if (typeof parsed === 'string') return usage(parsed);
  const v = parsed.values;
  if (v.help === true) return (io.out(CHECK_USAGE), EXIT_OK);
  if (parsed.positionals.length === 0) return usage('missing FILE');
  const profile = (optionalString(v.profile) ?? 'linux-6.1') as ProfileId;
  if (!PROFILE_IDS.includes(profile)) return usage(`--profile must be one of ${PROFILE_IDS.join(', ')}`);
  const format = optionalString(v.format) ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) return usage(`--format must be text, json or sarif`);
  const settings = { ...DEFAULT_EDITOR_SETTINGS, profile, postHandler: v['post-handler'] === true, kernel: DEFAULT_KERNEL_CONFIG };
  const findings: Finding[] = [];
  let unreadable = false;
  const read = (file: string): string | null => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      io.err(`kboost: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
      unreadable = true;
      return null;
    }
  };
  const contextFile = optionalString(v.context);
  let includer: DocumentAnalysis | null = null;
  if (typeof contextFile === 'string') {
    const contextText = read(contextFile);
    if (contextText === null) return EXIT_BAD_INPUT;
    includer = analyzeDocument(contextText, settings, contextFile);
  }
  for (const file of parsed.positionals) {
    const text = read(file);
    if (text === null) continue;
    const analysis = includer === null ? analyzeDocument(text, settings, file) : includer.inIncludedFile(file, text);
    if (analysis === null) {
      io.err(`kboost: ${file}: ${contextFile} does not include it\n`);
      unreadable = true;
      continue;
    }
    findings.push(...findingsOf(file, analysis, profile, v.quiet === true));
  }
  if (format === 'json') io.out(JSON.stringify({ profile, findings }, null, 1) + '\n');
  else if (format === 'sarif') io.out(JSON.stringify(sarif(findings, profile), null, 1) + '\n');
  else for (const f of findings) io.out(`${f.file}:${f.line}:${f.column}: ${f.level}: ${f.message}\n`);
  const failed = findings.some((f) => f.level === 'error');
  return unreadable || failed ? EXIT_BAD_INPUT : EXIT_OK;
}
