// Per-function probe results kept from one version of a document to the next: a function whose
// bytes, address and settings did not change keeps its analysis, so an edit re-analyses only the
// functions it touched. Entries that a version did not use are dropped at the version after it.

import type { InstructionProbe } from '../kprobes';

interface Entry {
  bytes: Uint8Array;
  byAddress: Map<number, InstructionProbe>;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class FunctionProbeCache {
  private current = new Map<string, Entry>();
  private previous = new Map<string, Entry>();
  /** Functions found unchanged, and functions analysed (tests check that both happen). */
  hits = 0;
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
   * The probes of a function by address. `key` names the function, its address, the profile and
   * the settings; `bytes` are its code, compared with the cached copy.
   */
  probes(key: string, bytes: Uint8Array, compute: () => Map<number, InstructionProbe>): Map<number, InstructionProbe> {
    const hit = this.current.get(key) ?? this.previous.get(key);
    this.previous.delete(key);
    if (hit !== undefined && sameBytes(hit.bytes, bytes)) {
      this.current.set(key, hit);
      this.hits++;
      return hit.byAddress;
    }
    this.misses++;
    // The section's buffer belongs to this version's image: keep a copy of the function's bytes.
    const entry = { bytes: bytes.slice(), byAddress: compute() };
    this.current.set(key, entry);
    return entry.byAddress;
  }
}
