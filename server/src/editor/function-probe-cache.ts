// Per-function probe results kept from one version of a document to the next: a function whose
// bytes, address and settings did not change keeps its analysis; otherwise it is analysed again
// from its last version (kprobes/function-probe-reanalysis.ts), which reuses the instructions
// before and after the edited bytes (moved with the function when it moved) and decodes only the
// bytes in between. Entries that a version did not use are dropped.

import type { ReusableFunctionAnalysis } from '../kprobes';

/** A function's code: `size` bytes of a section from `start` (a view is made only to analyse them). */
export interface FunctionBytes {
  section: Uint8Array;
  start: number;
  size: number;
}

function sameBytes(a: Uint8Array, b: FunctionBytes): boolean {
  if (a.length !== b.size) return false;
  const { section, start } = b;
  for (let i = 0; i < a.length; i++) if (a[i] !== section[start + i]) return false;
  return true;
}

type Analyse = (previous: ReusableFunctionAnalysis | null, bytes: Uint8Array) => ReusableFunctionAnalysis;

export class FunctionProbeCache {
  private current = new Map<string, ReusableFunctionAnalysis>();
  private previous = new Map<string, ReusableFunctionAnalysis>();
  /** Keys by settings, section and name: the same string every version (hashed once, not per lookup). */
  private readonly keys = new Map<string, Map<string, Map<string, string>>>();
  /** Functions found unchanged, moved, and changed (tests check that each happens). */
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

  /** The key of a function under some settings (`settings`: what else its analysis reads). */
  keyOf(settings: string, section: string, name: string): string {
    let bySection = this.keys.get(settings);
    if (bySection === undefined) this.keys.set(settings, (bySection = new Map()));
    let byName = bySection.get(section);
    if (byName === undefined) bySection.set(section, (byName = new Map()));
    let key = byName.get(name);
    if (key === undefined) byName.set(name, (key = `${section}\0${name}\0${settings}`));
    return key;
  }

  /**
   * The analysis of a function (its probes in address order, with their offsets). `key` names the
   * function, the profile and the settings; `bytes` are its code at `address`; `analyse` gets the
   * function's last analysis to reuse.
   */
  probes(key: string, address: number, bytes: FunctionBytes, analyse: Analyse): ReusableFunctionAnalysis {
    const hit = this.current.get(key) ?? this.previous.get(key);
    this.previous.delete(key);
    const same = hit !== undefined && sameBytes(hit.bytes, bytes);
    if (same && hit.address === address) {
      this.current.set(key, hit);
      this.hits++;
      return hit;
    }
    if (same) this.relocations++;
    else this.misses++;
    const entry = analyse(hit ?? null, bytes.section.subarray(bytes.start, bytes.start + bytes.size));
    this.current.set(key, entry);
    return entry;
  }

  /**
   * Like probes(), except that a function that only moved keeps its last analysis as it is, at
   * its old address: enough for what depends on the bytes alone (verdicts, optprobe results and
   * everything by offset), so diagnostics of functions moved by an edit above cost nothing.
   */
  probesAnywhere(key: string, address: number, bytes: FunctionBytes, analyse: Analyse): ReusableFunctionAnalysis {
    const hit = this.current.get(key) ?? this.previous.get(key);
    if (hit === undefined || hit.address === address || !sameBytes(hit.bytes, bytes)) return this.probes(key, address, bytes, analyse);
    this.previous.delete(key);
    this.current.set(key, hit);
    this.relocations++;
    return hit;
  }
}
