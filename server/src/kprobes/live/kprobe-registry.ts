// Where a live probe's registration is decided: resolve symbol+offset against the loaded image,
// find the containing function, read the original bytes (int3s of armed probes recovered), and ask
// the static verdict (analyzeFunction / probeAt) for -EILSEQ, -EINVAL, -EOPNOTSUPP, -ENOSPC. The
// rules live only in the static verdicts; this file just feeds them.

import type { LoadedImage, Machine } from '../../cpu';
import { decode, type DecodedInstruction } from '../../isa';
import { analyzeFunction, probeAt, NO_KERNEL_AREAS, type KernelAreas, type Optimizability } from '../function-probe-analysis';
import type { KernelConfig, ProfileId } from '../kprobe-vocabulary';
import { staticVerdict, type StaticVerdict } from '../static-verdict';
import type { KprobeRequest, RegisterErrno } from './live-probe-types';

export interface ResolvedAddress {
  address: number;
  symbol: string | null;
  offset: number;
}

export function resolveProbeAddress(req: KprobeRequest, image: LoadedImage | null): ResolvedAddress | { errno: RegisterErrno; rule: string } {
  if (req.symbol !== undefined) {
    const base = image?.symbols.get(req.symbol);
    if (base === undefined) return { errno: 'ENOENT', rule: `unknown symbol '${req.symbol}'` };
    const offset = req.offset ?? 0;
    return { address: (base + offset) >>> 0, symbol: req.symbol, offset };
  }
  if (req.address === undefined) return { errno: 'EINVAL', rule: 'neither an address nor a symbol was given' };
  const address = (req.address + (req.offset ?? 0)) >>> 0;
  return { address, symbol: null, offset: 0 };
}

/** The function around an address: the closest symbol at or below it, up to the next symbol or section end. */
export function containingFunction(address: number, image: LoadedImage | null): { name: string; start: number; end: number } | null {
  if (image === null) return null;
  let section: { address: number; size: number } | null = null;
  for (const s of image.sections.values()) if (address >= s.address && address < s.address + s.size) section = s;
  if (section === null) return null;
  let name = '';
  let start = section.address;
  let end = section.address + section.size;
  for (const [n, a] of image.symbols) {
    if (a < section.address || a >= end) continue;
    if (a <= address && (name === '' || a > start)) { start = a; name = n; }
  }
  for (const a of image.symbols.values()) if (a > address && a < end) end = a;
  return { name, start, end };
}

export interface RegistrationDecision {
  insn: DecodedInstruction;
  verdict: StaticVerdict;
  functionName: string | null;
  /** linux-6.1 with CONFIG_OPTPROBES inside a known function: the static optprobe verdict; else null. */
  optimizable: Optimizability | null;
}

/**
 * The static verdict for a new probe site. `readOriginal` gives text with every armed int3
 * replaced by the byte it covers (the kernel's recover_probed_instruction).
 */
export function decideRegistration(
  machine: Machine,
  profile: ProfileId,
  config: KernelConfig,
  address: number,
  postHandler: boolean,
  image: LoadedImage | null,
  areas: KernelAreas | undefined,
  readOriginal: (address: number, length: number) => Uint8Array,
): RegistrationDecision | { errno: RegisterErrno; rule: string } {
  if (!machine.memory.isMapped(address)) return { errno: 'ENOENT', rule: `address 0x${address.toString(16)} is not mapped` };
  const options = { postHandler };
  const fn = containingFunction(address, image);
  if (fn !== null) {
    const bytes = readOriginal(fn.start, fn.end - fn.start);
    const analysis = analyzeFunction({ name: fn.name, address: fn.start, bytes }, profile, options, config, areas ?? NO_KERNEL_AREAS);
    const at = probeAt(analysis, address);
    if (!at.ok) return { errno: at.errno, rule: at.rule };
    if (at.probe.verdict === null) return { errno: 'EILSEQ', rule: `cannot decode the instruction at 0x${address.toString(16)}` };
    const v = at.probe.verdict;
    if (!v.registration.ok) return { errno: v.registration.errno, rule: v.registration.rule };
    return { insn: at.probe.insn, verdict: v, functionName: fn.name || null, optimizable: at.probe.optimizable };
  }
  const bytes = readOriginal(address, 16);
  const insn = decode(bytes, 0, address);
  const r = staticVerdict(profile, insn, options, config);
  if (!r.ok) return { errno: 'EILSEQ', rule: r.error };
  if (!r.verdict.registration.ok) return { errno: r.verdict.registration.errno, rule: r.verdict.registration.rule };
  return { insn, verdict: r.verdict, functionName: null, optimizable: null };
}
