// Per-function probe results kept from one version of a document to the next: a function whose
// bytes and settings did not change keeps its analysis, so an edit re-analyses only the functions
// it touched. A function that only moved (an edit above it changed sizes) is relocated: verdicts
// depend on the bytes alone and the optprobe conditions on distances within the function, so
// they carry over; the addresses that optprobe reasons name (a jump target, a copied instruction,
// both inside the function) move with it, and the instructions are decoded at the new address
// when someone reads them. Entries that a version did not use are dropped.

import { decode, type DecodedInstruction } from '../isa';
import type { InstructionProbe } from '../kprobes';

interface Entry {
  bytes: Uint8Array;
  address: number;
  probes: InstructionProbe[];
  byAddress: Map<number, InstructionProbe>;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function entryOf(bytes: Uint8Array, address: number, probes: InstructionProbe[]): Entry {
  const byAddress = new Map<number, InstructionProbe>();
  for (const p of probes) byAddress.set(p.address, p);
  return { bytes, address, probes, byAddress };
}

/** Hex numbers in an optprobe reason are addresses inside the function: they move with it. */
const ADDRESS = /0x([0-9a-f]+)/g;

/** A probe moved by `delta`; its instruction is decoded at the new address on first read. */
function moved(p: InstructionProbe, delta: number, bytes: Uint8Array, offset: number): InstructionProbe {
  let insn: DecodedInstruction | undefined;
  const o = p.optimizable;
  return {
    address: p.address + delta,
    verdict: p.verdict,
    optimizable: o === null || !o.why.includes('0x') ? o : { ok: o.ok, why: o.why.replace(ADDRESS, (_m, hex: string) => `0x${(parseInt(hex, 16) + delta).toString(16)}`) },
    get insn(): DecodedInstruction {
      return (insn ??= decode(bytes, offset, p.address + delta));
    },
  };
}

export class FunctionProbeCache {
  private current = new Map<string, Entry>();
  private previous = new Map<string, Entry>();
  /** Functions found unchanged, moved, and analysed (tests check that each happens). */
  hits = 0;
  relocations = 0;
  misses = 0;

  /** A new version of the document starts: what the last one did not use is forgotten after it. */
  nextVersion(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** Drops the last version's entries that this version has not reused (changed functions). */
  forgetUnused(): void {
    this.previous = new Map();
  }

  /**
   * The probes of a function by address. `key` names the function, the profile and the settings;
   * `bytes` are its code at `address`, compared with the cached copy.
   */
  probes(key: string, address: number, bytes: Uint8Array, compute: () => InstructionProbe[]): Map<number, InstructionProbe> {
    const hit = this.current.get(key) ?? this.previous.get(key);
    this.previous.delete(key);
    if (hit !== undefined && sameBytes(hit.bytes, bytes)) {
      if (hit.address === address) {
        this.current.set(key, hit);
        this.hits++;
        return hit.byAddress;
      }
      const delta = address - hit.address;
      const entry = entryOf(hit.bytes, address, hit.probes.map((p) => moved(p, delta, bytes, p.address - hit.address)));
      this.current.set(key, entry);
      this.relocations++;
      return entry.byAddress;
    }
    this.misses++;
    // The section's buffer belongs to this version's image: keep a copy of the function's bytes.
    const entry = entryOf(bytes.slice(), address, compute());
    this.current.set(key, entry);
    return entry.byAddress;
  }
}
