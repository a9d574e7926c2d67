// Words and classes the editor shows for a probe: the verdict class a severity is chosen by, the
// diagnostic message, the hover's Markdown and the code lens line. Protocol-free.

import { formatAtt, formatIntel } from '../isa';
import { PROFILE_IDS, type InstructionProbe, type ProfileId } from '../kprobes';
import type { DocumentAnalysis, FunctionInfo, InstructionAnnotation } from './document-analysis';
import { NO_VERDICT_KEY, probeOfVerdictKey } from './verdict-keys';

/** The classes a user sets a severity for. */
export type VerdictClass = 'boosted' | 'optimized' | 'single-stepped' | 'emulated' | 'refused' | 'depends' | 'invalid';

export function verdictClass(probe: Pick<InstructionProbe, 'verdict' | 'optimizable'>): VerdictClass {
  const v = probe.verdict;
  if (v === null) return 'invalid';
  if (!v.registration.ok) return 'refused';
  if (probe.optimizable?.ok) return 'optimized';
  return v.laterHits;
}

type Wording = (probe: InstructionProbe, profile: ProfileId) => string;

/**
 * Messages by verdict, profile and optprobe reason: verdicts are shared values, so a document's
 * thousands of instructions with the same verdict share one message, built once (per wording).
 */
function memoized(wording: Wording): Wording {
  const messages = new WeakMap<object, Map<string, string>>();
  return (probe, profile) => {
    const v = probe.verdict;
    if (v === null) return wording(probe, profile);
    // Only an optimized probe's message depends on more than its verdict: the optprobe reason.
    const key = probe.optimizable?.ok ? probe.optimizable.why : profile;
    let byKey = messages.get(v);
    if (byKey === undefined) messages.set(v, (byKey = new Map()));
    let message = byKey.get(key);
    if (message === undefined) byKey.set(key, (message = wording(probe, profile)));
    return message;
  };
}

/** `kprobe (profile): class (first hit ...): detail`, the detail as `detail` words it. */
function worded(probe: InstructionProbe, profile: ProfileId, detail: (probe: InstructionProbe) => string): string {
  const v = probe.verdict;
  if (v === null) return `kprobe (${profile}): cannot decode: ${probe.insn.error}`;
  const cls = verdictClass(probe);
  const what = cls === 'refused' && !v.registration.ok ? `refused (-${v.registration.errno})` : cls;
  const first = v.firstHit !== v.laterHits && v.registration.ok ? ` (first hit ${v.firstHit})` : '';
  return `kprobe (${profile}): ${what}${first}: ${detail(probe)}`;
}

/** The full message (`kboost check`): the verdict's summary, or the optprobe's reason. */
export const diagnosticMessage = memoized((probe, profile) => worded(probe, profile, (p) => (verdictClass(p) === 'optimized' ? p.optimizable!.why : p.verdict!.summary)));

/** A summary that restates the class before its rule in parentheses: `boosted from the second hit on (RULE)`. */
const CLASS_THEN_RULE = /^(?:boosted|single-stepped)[^(]*? \((.*)\)$/;
/** A boostable instruction that is not boosted: `boostable, but WHY: single-stepped instead; ...`. */
const BOOSTABLE_BUT = /^(boostable, but [^:]+): [a-z-]+ instead/;

/**
 * The message an editor shows on every instruction: the class and the rule that decided it, in
 * short words (the hover explains the rest). Tens of thousands of them go out after each edit.
 */
export const editorDiagnosticMessage = memoized((probe, profile) => worded(probe, profile, (p) => {
  if (verdictClass(p) === 'optimized') return p.optimizable!.why.replace(/^optimized: /, '');
  const summary = p.verdict!.summary;
  return CLASS_THEN_RULE.exec(summary)?.[1] ?? BOOSTABLE_BUT.exec(summary)?.[1] ?? summary;
}));

const hexBytes = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

function cell(probe: InstructionProbe): string {
  const v = probe.verdict;
  if (v === null) return 'invalid';
  const cls = verdictClass(probe);
  const reg = v.registration.ok ? '' : ` -${v.registration.errno}`;
  return `${cls}${reg}`;
}

export function hoverMarkdown(doc: DocumentAnalysis, a: InstructionAnnotation, selected: ProfileId): string {
  const insn = doc.probe(a, selected).insn;
  const out: string[] = [
    '```',
    `${formatAtt(insn)}`,
    '```',
    `**${a.section}+0x${a.address.toString(16)}** · ${insn.length} bytes \`${hexBytes(insn.bytes)}\` · Intel: \`${formatIntel(insn)}\``,
    '',
    '| profile | hit | can_boost | boostable | cost (cycles) |',
    '|---|---|---|---|---|',
  ];
  for (const profile of PROFILE_IDS) {
    const p = doc.probe(a, profile);
    const v = p.verdict;
    const flag = v?.boostable ? `${v.boostable.atRegistration} → ${v.boostable.afterFirstHit}` : '—';
    const cost = v?.cost.laterHits ? String(v.cost.laterHits.cycles) : v ? 'first hit decides' : '—';
    const mark = profile === selected ? ` **(selected)**` : '';
    out.push(`| ${profile}${mark} | ${cell(p)} | ${v ? (v.canBoost.ok ? 'yes' : 'no') : '—'} | ${flag} | ${cost} |`);
  }
  const chosen = doc.probe(a, selected);
  if (chosen.verdict) {
    out.push('', `**${selected}:** ${chosen.verdict.summary}`, '');
    out.push(`- can_boost: ${chosen.verdict.canBoost.rule}`);
    if (chosen.optimizable) out.push(`- optprobe: ${chosen.optimizable.why}`);
    if (chosen.verdict.fixup) out.push(`- ${chosen.verdict.boostable ? 'after the step' : 'emulation'}: ${chosen.verdict.fixup}`);
    for (const n of chosen.verdict.notes) out.push(`- note: ${n}`);
    if (chosen.verdict.cost.laterHits) {
      out.push(`- cost: ${chosen.verdict.cost.laterHits.parts.map((p) => `${p.part} ${p.cycles}`).join(' + ')} cycles (Pentium 4 model)`);
    }
  }
  return out.join('\n');
}

export function codeLensTitle(doc: DocumentAnalysis, fn: FunctionInfo, profile: ProfileId): string {
  // Verdicts only: a function that just moved is not analysed again for its lens.
  const mine = doc.indexesOf(fn);
  const keys = doc.verdictKeys(profile);
  let boostable = 0;
  let optimizable = 0;
  let refused = 0;
  for (const i of mine) {
    // What the lens counts is in the verdict key: a lookup only where there is no key.
    const key = keys[i]!;
    const p = key !== NO_VERDICT_KEY ? probeOfVerdictKey(key) : doc.verdictAt(i, profile);
    if (p.verdict?.canBoost.ok && p.verdict.registration.ok) boostable++;
    if (p.optimizable?.ok) optimizable++;
    if (p.verdict && !p.verdict.registration.ok) refused++;
  }
  return `${boostable}/${mine.length} boostable · ${optimizable} optimizable · ${refused} refused (${profile})`;
}

/** A broken contract on an annotated line, or null when it holds (or there is none). */
export function brokenContract(doc: DocumentAnalysis, a: InstructionAnnotation, selected: ProfileId): string | null {
  if (a.contract === null) return null;
  const profile = a.contract.profile ?? selected;
  return contractMessage(a.contract.expected, verdictClass(doc.probe(a, profile)), profile);
}

/** The message of a contract expecting `expected` where the verdict under `profile` is `actual`; null when it holds. */
export function contractMessage(expected: string, actual: VerdictClass, profile: ProfileId): string | null {
  return actual === expected ? null : `kboost contract: expected ${expected}, but under ${profile} this instruction is ${actual}`;
}

/** Verdicts a probe site is good at: the targets of "move probe to the nearest boostable instruction". */
const GOOD = new Set<VerdictClass>(['boosted', 'optimized']);

/** The nearest instruction of the same function whose probe would be boosted or optimized. */
export function nearestBoostable(doc: DocumentAnalysis, a: InstructionAnnotation, profile: ProfileId): InstructionAnnotation | null {
  if (GOOD.has(verdictClass(doc.probe(a, profile)))) return null;
  let best: InstructionAnnotation | null = null;
  const fn = a.functionName === null ? undefined : doc.functions.find((f) => f.name === a.functionName && f.section === a.section);
  for (const other of fn !== undefined ? doc.annotationsOf(fn) : doc.annotations) {
    if (other === a || other.section !== a.section || other.functionName !== a.functionName) continue;
    if (!GOOD.has(verdictClass(doc.probe(other, profile)))) continue;
    const d = Math.abs(other.address - a.address);
    if (best === null || d < Math.abs(best.address - a.address) || (d === Math.abs(best.address - a.address) && other.address > best.address)) best = other;
  }
  return best;
}

/** A Markdown table of every instruction of a function under one profile. */
export function functionVerdictTable(doc: DocumentAnalysis, fn: FunctionInfo, profile: ProfileId): string {
  const rows = doc.annotationsOf(fn);
  const out = [`# ${fn.name} under ${profile}`, '', codeLensTitle(doc, fn, profile), '', '| line | address | instruction | verdict | rule | cost (cycles) |', '|---:|---|---|---|---|---:|'];
  for (const a of rows) {
    const p = doc.probe(a, profile);
    const v = p.verdict;
    const rule = (v?.summary ?? p.insn.error ?? '').replace(/\|/g, '\\|');
    out.push(`| ${a.range.line + 1} | 0x${a.address.toString(16)} | \`${formatAtt(p.insn)}\` | ${verdictClass(p)} | ${rule} | ${v?.cost.laterHits?.cycles ?? ''} |`);
  }
  return out.join('\n');
}
