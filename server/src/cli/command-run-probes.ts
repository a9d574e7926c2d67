// `kboost run --probe SYMBOL[+OFF] [--kretprobe SYM] [--profile P] [--trace] PROGRAM`: runs an
// assembly source (.s/.S, from --entry, to hlt) or a static ELF (address probes only) with live
// kprobes, printing an ftrace-like line per hit (--trace: every stage of every hit) and, at the
// end, each probe's nhit, nmissed, boost or optprobe state, how its hits ran, and their modelled
// cost (overhead-model.ts). --pre-handler/--post-handler PLACE=LABEL give probes handlers written
// in assembly in the same program (read and registered as the debug adapter does).

import { readFileSync } from 'node:fs';
import { hex, loadStaticElf, type LoadedImage, type Machine, type MachineExceptionHandler } from '../cpu';
import { PROFILE_IDS, kretprobeReturnCost, type ProfileId } from '../kprobes';
import {
  KprobeEngine, addHandlerOption, formatProbeEvent, probeHandlersAt, resolveHandlerAssignments, kernelConfigFor, loadAssemblyProgram, probeSummaryLine, profileSummaryLine, registerKretprobe, symbolizeAddress,
  type HandlerAssignments, type LiveKprobe, type LiveKretprobe, type ProbeContext, type ResolvedHandlers,
} from '../kprobes/live';
import { EXIT_BAD_INPUT, EXIT_USAGE, type CliIo } from './cli-io';

/** The flags that make `kboost run` a probed run. */
const PROBE_FLAGS = new Set(['--probe', '--kretprobe', '--profile', '--trace', '--entry', '--preemption', '--optprobes', '--optimize-delay', '--no-kretprobe-booster', '--pre-handler', '--post-handler']);

/** True when an option before PROGRAM asks for probes, or PROGRAM is an assembly source. */
export function isProbedRun(args: readonly string[]): boolean {
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (PROBE_FLAGS.has(a)) return true;
    if (a === '--limit') k++;
    else if (a === '--') return /\.s$/i.test(args[k + 1] ?? '');
    else if (!a.startsWith('-')) return /\.s$/i.test(a);
  }
  return false;
}

export const RUN_PROBES_USAGE = `Usage: kboost run [--probe SYMBOL[+OFF]|0xADDR]... [--kretprobe SYMBOL]... [--profile P]
                  [--preemption on|off] [--optprobes on|off] [--optimize-delay N] [--no-kretprobe-booster]
                  [--pre-handler PLACE=LABEL]... [--post-handler PLACE=LABEL]...
                  [--trace] [--entry LABEL] [--limit N] PROGRAM

Runs PROGRAM (an i386 assembly source .s/.S from --entry (default _start) to hlt, or a static ELF
with address probes) with live kprobes. Prints one ftrace-like line per probe hit (with --trace,
every stage of every hit) and each probe's nhit, nmissed, boost state and modelled cost.
Profiles: ${PROFILE_IDS.join(', ')} (default linux-6.1). With linux-6.1 and optprobes on, an
optimizable probe is optimized (int3 replaced by a jump to a detour buffer) --optimize-delay
emulated instructions after registration (default: the kernel's 5 jiffies at HZ=250, 61200000).
--pre-handler/--post-handler give the probes at PLACE (a label, label+OFF, or * for every probe)
a handler: the assembly function LABEL of PROGRAM, called as the kernel calls handlers (a struct
pt_regs * in %eax, i386 layout; what it writes there becomes the registers). A post_handler keeps
a probe from being boosted or optimized.
`;

interface Options {
  probes: string[];
  kretprobes: string[];
  handlers: HandlerAssignments;
  profile: ProfileId;
  preemption: boolean | null;
  optprobes: boolean | null;
  optimizeDelay: number | null;
  booster: boolean;
  trace: boolean;
  entry: string;
  limit: number;
  program: string;
}

function parse(args: string[]): Options | string {
  const o: Options = { probes: [], kretprobes: [], handlers: {}, profile: 'linux-6.1', preemption: null, optprobes: null, optimizeDelay: null, booster: true, trace: false, entry: '_start', limit: 100_000_000, program: '' };
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const value = () => args[++k];
    if (a === '--probe') o.probes.push(value() ?? '');
    else if (a === '--kretprobe') o.kretprobes.push(value() ?? '');
    else if (a === '--pre-handler' || a === '--post-handler') {
      const bad = addHandlerOption(o.handlers, a === '--pre-handler' ? 'pre' : 'post', value() ?? '');
      if (bad !== null) return bad;
    }    else if (a === '--profile') {
      const p = value();
      if (!PROFILE_IDS.includes(p as ProfileId)) return `--profile needs one of ${PROFILE_IDS.join(', ')}`;
      o.profile = p as ProfileId;
    } else if (a === '--preemption') {
      const v = value();
      if (v !== 'on' && v !== 'off') return '--preemption needs on or off';
      o.preemption = v === 'on';
    } else if (a === '--optprobes') {
      const v = value();
      if (v !== 'on' && v !== 'off') return '--optprobes needs on or off';
      o.optprobes = v === 'on';
    } else if (a === '--optimize-delay') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) return '--optimize-delay needs an instruction count (0 or more)';
      o.optimizeDelay = n;
    } else if (a === '--no-kretprobe-booster') o.booster = false;
    else if (a === '--trace') o.trace = true;
    else if (a === '--entry') o.entry = value() ?? '';
    else if (a === '--limit') {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) return '--limit needs a positive instruction count';
      o.limit = n;
    } else if (a === '--stats') continue;
    else if (a.startsWith('-')) return `unknown option '${a}'`;
    else {
      o.program = a;
      break;
    }
  }
  if (o.program === '') return 'no PROGRAM given';
  if (o.probes.some((p) => p === '') || o.kretprobes.some((p) => p === '')) return '--probe and --kretprobe need a SYMBOL[+OFF]';
  return o;
}

/** SYMBOL, SYMBOL+OFF or an address. */
function probeSpec(spec: string): { symbol: string; offset: number } | { address: number } {
  if (/^0x[0-9a-f]+$/i.test(spec)) return { address: Number(spec) };
  const m = /^([^+]+)(?:\+(0x[0-9a-f]+|\d+))?$/i.exec(spec);
  return { symbol: m?.[1] ?? spec, offset: m?.[2] !== undefined ? Number(m[2]) : 0 };
}

interface Program {
  machine: Machine;
  image: LoadedImage | null;
  chain: MachineExceptionHandler | undefined;
  exitStatus: () => number | null;
}

function loadProgram(o: Options, io: CliIo): Program | null {
  if (/\.s$/i.test(o.program)) {
    const program = loadAssemblyProgram(o.program, o.entry);
    if ('errors' in program) {
      for (const e of program.errors) io.err(`kboost run: ${e}\n`);
      return null;
    }
    return { machine: program.machine, image: program.loaded, chain: undefined, exitStatus: () => null };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(o.program);
  } catch (e) {
    io.err(`kboost run: cannot read ${o.program}: ${e instanceof Error ? e.message : String(e)}\n`);
    return null;
  }
  const decoder = new TextDecoder();
  const loaded = loadStaticElf(bytes, [o.program], ['LANG=C'], { stdout: (b) => io.out(decoder.decode(b)), stderr: (b) => io.err(decoder.decode(b)) });
  if ('error' in loaded) {
    io.err(`kboost run: ${o.program}: ${loaded.error}\n`);
    return null;
  }
  return { machine: loaded.machine, image: null, chain: loaded.linux.handle, exitStatus: () => loaded.linux.exitStatus };
}

export function runProbedRun(args: string[], io: CliIo): number {
  if (args.includes('-h') || args.includes('--help')) {
    io.out(RUN_PROBES_USAGE);
    return 0;
  }
  const o = parse(args);
  if (typeof o === 'string') {
    io.err(`kboost run: ${o}\n${RUN_PROBES_USAGE}`);
    return EXIT_USAGE;
  }
  const program = loadProgram(o, io);
  if (program === null) return EXIT_BAD_INPUT;
  const { machine, image } = program;
  const config = kernelConfigFor(o.profile, o.preemption, o.optprobes);
  const engine = new KprobeEngine(machine, {
    profile: o.profile, config, ...(image ? { image } : {}), ...(program.chain ? { chain: program.chain } : {}),
    ...(o.optimizeDelay !== null ? { optimizeDelay: o.optimizeDelay } : {}),
  });
  const name = (address: number): string => symbolizeAddress(image, address);
  const logHit = (ctx: ProbeContext) => {
    io.out(`  kboost-0 [000] d.... ${machine.instructionCount}: p_${ctx.probe.symbol ?? 'addr'}_${ctx.probe.offset}: (${name(ctx.probe.address)}) ax=0x${hex(ctx.regs.ax)} +4(sp)=0x${hex(machine.memory.peek32(ctx.regs.sp + 4) ?? 0)}\n`);
  };
  let handlers: ResolvedHandlers | null = null;
  if (Object.keys(o.handlers).length > 0) {
    const resolved = resolveHandlerAssignments(o.handlers, image?.symbols ?? new Map(), false);
    if ('errors' in resolved) {
      for (const e of resolved.errors) io.err(`kboost run: ${e}${image === null ? ' (handlers need an assembly PROGRAM)' : ''}\n`);
      return EXIT_BAD_INPUT;
    }
    handlers = resolved;
  }
  const probes: LiveKprobe[] = [];
  for (const spec of o.probes) {
    const where = probeSpec(spec);
    const address = 'address' in where ? where.address : ((image?.symbols.get(where.symbol) ?? NaN) + where.offset) >>> 0;
    const r = engine.register({ ...where, ...probeHandlersAt(engine, handlers, address, logHit) });
    if (!r.ok) {
      io.err(`kboost run: register_kprobe ${spec}: -${r.errno} (${r.rule})\n`);
      return EXIT_BAD_INPUT;
    }
    probes.push(r.probe);
  }
  const kretprobes: Array<{ spec: string; rp: LiveKretprobe }> = [];
  for (const spec of o.kretprobes) {
    const r = registerKretprobe(engine, {
      ...probeSpec(spec), booster: o.booster, maxactive: 16,
      handler: (ctx) => io.out(`  kboost-0 [000] d.... ${machine.instructionCount}: r_${spec}: (${name(ctx.regs.ip)} <- ${spec}) ax=0x${hex(ctx.regs.ax)}\n`),
    });
    if (!r.ok) {
      io.err(`kboost run: register_kretprobe ${spec}: -${r.errno} (${r.rule})\n`);
      return EXIT_BAD_INPUT;
    }
    kretprobes.push({ spec, rp: r.kretprobe });
  }
  if (o.trace) engine.onEvent((e) => io.out(`  # ${formatProbeEvent(e, name)}\n`));
  const result = machine.run(o.limit);
  let status = 0;
  const exit = program.exitStatus();
  if (exit !== null) status = exit;
  else if (result.stop.kind !== 'halt') {
    io.err(`kboost run: stopped (${result.stop.kind}${result.stop.kind === 'exception' ? `: ${result.stop.exception.message}` : ''}) at 0x${hex(machine.eip)}\n`);
    status = EXIT_BAD_INPUT;
  }
  io.out(`${profileSummaryLine(o.profile, engine.config)}\n`);
  for (const p of probes) io.out(`${probeSummaryLine(engine, p, name)}\n`);
  for (const { spec, rp } of kretprobes) {
    const cost = kretprobeReturnCost(rp.booster).cycles * rp.nhit;
    io.out(`# kretprobe ${spec}: nhit=${rp.nhit} nmissed=${rp.nmissed} booster=${rp.booster ? 'on' : 'off'} modelled=${cost} cycles\n`);
  }
  for (const e of engine.errors) io.err(`kboost run: ${e}\n`);
  return status;
}
