// `kboost analyze FILE [options]`: per-instruction kprobe verdicts for the functions of a real
// binary (vmlinux, .ko, .o), with the kernel's blacklist, its never-probed text areas and its
// exception table, and a summary line per function. Text by default, JSON with --json.

import { loadBinaryInput, readInputFile } from '../binfmt/binary-input-loader';
import { listingSymbolsOfElf, listingSymbolsOfSystemMap, type ListingSymbol } from '../binfmt/disassembly-symbols';
import { readElf32, sectionContents } from '../binfmt/elf32-reader';
import type { Elf32File } from '../binfmt/elf32-types';
import { loadSystemMap } from '../binfmt/system-map-parser';
import { decode, formatAtt } from '../isa';
import {
  DEFAULT_KERNEL_CONFIG, PROFILE_IDS, analyzeFunction, exceptionTableSites, isOptimized, markedAreas, parseKprobesBlacklist,
  scanFunction, type FunctionAnalysis, type FunctionScan, type KernelAreas, type ProfileId,
} from '../kprobes';
import { optionalString, parseCommandLine, stringList } from './cli-arguments';
import { CliIo, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from './cli-io';
import { ANALYZE_USAGE } from './cli-usage-text';

const OPTIONS = {
  symbol: { type: 'string', multiple: true },
  'system-map': { type: 'string' },
  blacklist: { type: 'string' },
  profile: { type: 'string' },
  'post-handler': { type: 'boolean' },
  preemption: { type: 'string' },
  optprobes: { type: 'string' },
  summary: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function onOff(text: string | null, fallback: boolean): boolean | string {
  if (text === null) return fallback;
  if (text === 'on' || text === 'yes' || text === 'true') return true;
  if (text === 'off' || text === 'no' || text === 'false') return false;
  return `expected on or off, got '${text}'`;
}

/** Functions to analyse: ELF function symbols with a size, else map symbols up to the next one. */
function functionsOf(file: Elf32File, symbols: ListingSymbol[]): ListingSymbol[] {
  const code = new Set(file.sections.filter((s) => (s.flags & 0x4) !== 0).map((s) => s.index));
  const seen = new Set<number>();
  return symbols
    .filter((s) => code.has(s.section) && s.size > 0 && (s.isFunction || !s.isObject))
    .sort((a, b) => a.value - b.value)
    .filter((s) => (seen.has(s.value) ? false : (seen.add(s.value), true)));
}

function codeOf(file: Elf32File, fn: ListingSymbol): Uint8Array | string {
  const section = file.sections[fn.section]!;
  const bytes = sectionContents(file, section);
  if (typeof bytes === 'string') return bytes;
  const start = fn.value - section.address;
  return bytes.subarray(start, Math.min(bytes.length, start + fn.size));
}

/** The text of a scanned function: its summary line, then (unless summaryOnly) one line per instruction. */
function printText(io: CliIo, scan: FunctionScan, summaryOnly: boolean): void {
  const { fn, summary: s } = scan;
  io.out(`${fn.name} (0x${fn.address.toString(16)}, ${fn.bytes.length} bytes, ${scan.profile}): ` +
    `${s.boosted}/${s.instructions} boosted, ${s.singleStepped} single-stepped, ${s.emulated} emulated, ` +
    `${s.refused} refused${s.depends ? `, ${s.depends} depend on the first hit` : ''}${s.optimizable ? `, ${s.optimizable} optimizable` : ''}\n`);
  if (summaryOnly) return;
  for (let i = 0; i < scan.count; i++) {
    const address = fn.address + scan.offsets[i]!;
    // Only printing needs the operands: decode fully here.
    const insn = decode(fn.bytes, scan.offsets[i]!, address);
    const v = scan.verdicts[i]!;
    const what = v === null ? `invalid: ${insn.error}` : v.registration.ok ? v.laterHits : `refused ${v.registration.errno}`;
    const opt = isOptimized(scan, i) ? ' +optimizable' : '';
    // The summary is a shared string (often two-byte): written on its own, it is not copied into each line.
    io.out(`  ${address.toString(16)}:  ${formatAtt(insn).padEnd(40)} ${what}${opt}  # `);
    io.out(v?.summary ?? '');
    io.out('\n');
  }
}

export async function runAnalyze(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, OPTIONS);
  const usage = (m: string): number => (io.err(`kboost analyze: ${m}\nTry 'kboost analyze --help'.\n`), EXIT_USAGE);
  const bad = (name: string, m: string): number => (io.err(`kboost: ${name}: ${m}\n`), EXIT_BAD_INPUT);
  if (typeof parsed === 'string') return usage(parsed);
  const v = parsed.values;
  if (v.help === true) return (io.out(ANALYZE_USAGE), EXIT_OK);
  if (parsed.positionals.length !== 1) return usage('expected one FILE');
  const profile = (optionalString(v.profile) ?? 'linux-6.1') as ProfileId;
  if (!PROFILE_IDS.includes(profile)) return usage(`--profile must be one of ${PROFILE_IDS.join(', ')}`);
  const preemption = onOff(optionalString(v.preemption), DEFAULT_KERNEL_CONFIG[profile].preemption);
  const optprobes = onOff(optionalString(v.optprobes), DEFAULT_KERNEL_CONFIG[profile].optprobes);
  if (typeof preemption === 'string') return usage(`--preemption: ${preemption}`);
  if (typeof optprobes === 'string') return usage(`--optprobes: ${optprobes}`);

  const fileName = parsed.positionals[0]!;
  const loaded = await loadBinaryInput(fileName);
  if (loaded.value === null) return bad(fileName, loaded.errors.join('; '));
  const elf = readElf32(loaded.value.bytes);
  if (elf.value === null) return bad(fileName, elf.errors.join('; '));
  const file = elf.value;

  let symbols = listingSymbolsOfElf(file);
  const areas: KernelAreas = { refusedRanges: [], exceptionTableSites: new Set() };
  const mapName = optionalString(v['system-map']);
  if (mapName !== null) {
    const map = await loadSystemMap(mapName);
    if (map.value === null) return bad(mapName, map.errors.join('; '));
    symbols = symbols.concat(listingSymbolsOfSystemMap(file, map.value));
    (areas.refusedRanges as Array<KernelAreas['refusedRanges'][number]>).push(...markedAreas(map.value));
  }
  const blacklistName = optionalString(v.blacklist);
  if (blacklistName !== null) {
    const text = await readInputFile(blacklistName);
    if (text.value === null) return bad(blacklistName, text.errors.join('; '));
    const list = parseKprobesBlacklist(Buffer.from(text.value).toString('utf8'));
    for (const e of list.errors) io.err(`kboost: ${blacklistName}: warning: ${e}\n`);
    (areas.refusedRanges as Array<KernelAreas['refusedRanges'][number]>).push(...list.ranges);
  }
  const exTable = file.sections.find((s) => s.name === '__ex_table');
  if (exTable !== undefined) {
    const bytes = sectionContents(file, exTable);
    if (typeof bytes !== 'string') areas.exceptionTableSites = exceptionTableSites(bytes, exTable.address);
  }

  let functions = functionsOf(file, symbols);
  const wanted = stringList(v.symbol);
  if (wanted.length > 0) {
    const missing = wanted.filter((n) => !functions.some((f) => f.name === n) && !symbols.some((s) => s.name === n));
    if (missing.length > 0) return bad(fileName, `no function named ${missing.join(', ')}${symbols.length === 0 ? ' (the file has no symbols: give them with --system-map FILE)' : ''}`);
    functions = wanted.map((n) => functions.find((f) => f.name === n) ?? symbols.find((s) => s.name === n)!);
  }
  if (functions.length === 0) return bad(fileName, 'no functions to analyse (no symbols with a size: try --system-map FILE)');

  const options = { postHandler: v['post-handler'] === true };
  const config = { preemption, optprobes };
  const results: FunctionAnalysis[] = [];
  for (const fn of functions) {
    const bytes = codeOf(file, fn);
    if (typeof bytes === 'string') return bad(fileName, bytes);
    const code = { name: fn.name, address: fn.value, bytes };
    if (v.json === true) results.push(analyzeFunction(code, profile, options, config, areas));
    else printText(io, scanFunction(code, profile, options, config, areas), v.summary === true);
  }
  if (v.json === true) {
    io.out(JSON.stringify({ profile, config, options, functions: results.map(toJson) }, null, 1) + '\n');
  }
  return EXIT_OK;
}

function toJson(a: FunctionAnalysis): unknown {
  return {
    name: a.fn.name,
    address: a.fn.address,
    size: a.fn.bytes.length,
    summary: a.summary,
    errors: a.errors,
    instructions: a.instructions.map((i) => ({
      address: i.address,
      length: i.insn.length,
      text: formatAtt(i.insn),
      registration: i.verdict ? (i.verdict.registration.ok ? 'ok' : i.verdict.registration.errno) : 'invalid',
      firstHit: i.verdict?.firstHit ?? null,
      laterHits: i.verdict?.laterHits ?? null,
      canBoost: i.verdict?.canBoost ?? null,
      boostable: i.verdict?.boostable ?? null,
      optimizable: i.optimizable,
      costCycles: i.verdict ? { firstHit: i.verdict.cost.firstHit.cycles, laterHits: i.verdict.cost.laterHits?.cycles ?? null } : null,
      summary: i.verdict?.summary ?? i.insn.error,
      notes: i.verdict?.notes ?? [],
    })),
  };
}
