// An assembly source made ready to run under live probes, shared by `kboost run --probe` and the
// debug adapter: assembled with our assembler (the built-in preprocessor for .S), loaded into a
// fresh Machine with a stack, EIP at the entry label; the kernel configuration from the options;
// and the words both print of a run (event lines, the per-probe summary). Errors are values that
// name the place (file:line for assembler errors); nothing here throws on user input.

import { readFileSync } from 'node:fs';
import { assemble, type Image } from '../../asm';
import { Machine, hex, loadImage, type CpuRegisters, type LoadedImage } from '../../cpu';
import { kprobeHitCost } from '../overhead-model';
import { DEFAULT_KERNEL_CONFIG, type KernelConfig, type ProfileId } from '../kprobe-vocabulary';
import { classifyHits } from './hit-classification';
import type { KprobeEngine } from './kprobe-engine';
import type { LiveKprobe, ProbeEvent } from './live-probe-types';

export const PROGRAM_STACK_BASE = 0x00200000;
export const PROGRAM_STACK_SIZE = 0x40000;

export interface AssemblyProgram {
  machine: Machine;
  image: Image;
  loaded: LoadedImage;
  entry: number;
}

const MOST_ERRORS_SHOWN = 20;

/** Reads, assembles and loads `path`; registers override the start state (EIP at `entry`). */
export function loadAssemblyProgram(path: string, entry: string, registers: Partial<CpuRegisters> = {}): AssemblyProgram | { errors: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { errors: [`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const image = assemble(text, { fileName: path });
  const errors = image.diagnostics.filter((d) => d.severity === 'error');
  // A file of random bytes has an error on every line: the first ones say enough.
  const shown = errors.slice(0, MOST_ERRORS_SHOWN).map((d) => `${path}:${d.line + 1}:${d.start + 1}: error: ${d.message}`);
  if (errors.length > MOST_ERRORS_SHOWN) shown.push(`${path}: ${errors.length - MOST_ERRORS_SHOWN} more errors`);
  if (errors.length > 0) return { errors: shown };
  const machine = new Machine();
  const loaded = loadImage(machine, image);
  if (loaded.errors.length > 0) return { errors: loaded.errors.map((e) => `${path}: ${e}`) };
  const start = loaded.symbols.get(entry);
  if (start === undefined) return { errors: [`${path}: no entry label '${entry}'`] };
  machine.memory.map(PROGRAM_STACK_BASE, PROGRAM_STACK_SIZE, 'rw');
  machine.setRegisters({ esp: PROGRAM_STACK_BASE + PROGRAM_STACK_SIZE - 16, eflags: 0x202, ...registers, eip: start });
  return { machine, image, loaded, entry: start };
}

/** The generation's default configuration with the options given (null: the default). */
export function kernelConfigFor(profile: ProfileId, preemption: boolean | null, optprobes: boolean | null): KernelConfig {
  return {
    ...DEFAULT_KERNEL_CONFIG[profile],
    ...(preemption !== null ? { preemption } : {}),
    ...(optprobes !== null ? { optprobes } : {}),
  };
}

/** `label+0x3`, or the hex address when no label is near below it. */
export function symbolizeAddress(loaded: LoadedImage | null, address: number): string {
  let best: [string, number] | null = null;
  if (loaded) for (const [n, a] of loaded.symbols) if (a <= address && (best === null || a > best[1])) best = [n, a];
  return best !== null && address - best[1] < 0x10000 ? `${best[0]}+0x${(address - best[1]).toString(16)}` : `0x${hex(address)}`;
}

/** One stage as `kboost run --trace` prints it: kind, probed place, then its fields. */
export function formatProbeEvent(e: ProbeEvent, name: (a: number) => string): string {
  const { kind, address, ...rest } = e;
  // Addresses and register values in hex; counters, flags and ids in decimal.
  const show = (v: unknown): string =>
    typeof v === 'number' ? (v > 0xff ? `0x${hex(v)}` : String(v)) : Array.isArray(v) ? v.map((x: number) => x.toString(16).padStart(2, '0')).join(' ') : String(v);
  return `${kind.padEnd(18)} ${name(address)} ${Object.entries(rest).map(([k, v]) => `${k}=${show(v)}`).join(' ')}`;
}

/** The configuration line of a run's summary. */
export function profileSummaryLine(profile: ProfileId, config: KernelConfig): string {
  const optprobes = profile === 'linux-6.1' ? ` CONFIG_OPTPROBES=${config.optprobes ? 'y' : 'n'}` : '';
  return `# profile ${profile} (CONFIG_PREEMPTION=${config.preemption ? 'y' : 'n'}${optprobes})`;
}

/** The state a probe's site is in: optimized / boosted / emulated / int3-stepped (6.1), boostable=N (2.6.x). */
export function probeSiteState(engine: KprobeEngine, address: number): string {
  const site = engine.site(address);
  if (site === null) return '';
  if (engine.profile !== 'linux-6.1') return `boostable=${site.boostable}`;
  return site.detour !== null ? 'optimized' : site.boosted ? 'boosted' : site.emulated ? 'emulated' : 'int3-stepped';
}

/** How a probe's hits ran (`1xsingle-stepped,2xoptimized`) and their modelled cycles, in the order first seen. */
export interface HitTally {
  counts: Map<string, number>;
  cycles: number;
}

export function emptyHitTally(): HitTally {
  return { counts: new Map(), cycles: 0 };
}

/** Adds the trace's hits of the probe at `address` to `tally` (a fresh one when none is given). */
export function tallyHits(profile: ProfileId, trace: readonly ProbeEvent[], address: number, tally: HitTally = emptyHitTally()): HitTally {
  for (const h of classifyHits(trace, address)) {
    tally.counts.set(h.execution, (tally.counts.get(h.execution) ?? 0) + 1);
    if (h.execution !== 'unfinished' && h.execution !== 'handler-changed-ip') tally.cycles += kprobeHitCost(profile, h.execution).cycles;
  }
  return tally;
}

/**
 * `# kprobe f+0x0: nhit=.. nmissed=.. state hits=.. modelled=.. cycles`, as `kboost run` ends; the
 * hits of the engine's trace, added to `earlier` (hits of events a long run has dropped).
 */
export function probeSummaryLine(engine: KprobeEngine, probe: LiveKprobe, name: (a: number) => string, earlier: HitTally = emptyHitTally()): string {
  const tally = tallyHits(engine.profile, engine.trace, probe.address, { counts: new Map(earlier.counts), cycles: earlier.cycles });
  const hits = tally.counts.size === 0 ? 'none' : [...tally.counts].map(([kind, n]) => `${n}x${kind}`).join(',');
  return `# kprobe ${name(probe.address)}: nhit=${probe.nhit} nmissed=${probe.nmissed} ${probeSiteState(engine, probe.address)} hits=${hits} modelled=${tally.cycles} cycles`;
}
