// Instruction fetch through the decoded-instruction cache: each page keeps the Insn records
// decoded from it, dropped when the page is written (self-modifying code, int3 arming) or
// remapped. A miss decodes with the isa decoder and picks the handler from the dispatch table.

import { decode } from '../isa';
import { CpuSignal } from './cpu-signals';
import { handlerFor, notEmulatedHandler } from './dispatch-table';
import { specializedHandler } from './fast-paths';
import { buildInsn, type Insn } from './instruction-record';
import { MemoryFault, PAGE_SIZE, PF_FETCH, type PagedMemory } from './paged-memory';

const FETCH_BUFFER = 15;

/** The Insn at eip; throws MemoryFault (#PF on fetch) or CpuSignal (#UD for invalid encodings). */
export function fetchInstruction(memory: PagedMemory, eip: number): Insn {
  const page = memory.page(eip);
  if (page !== undefined && page.code !== null) {
    const cached = page.code[eip & (PAGE_SIZE - 1)] as Insn | undefined;
    if (cached !== undefined) return cached;
  }
  const bytes = new Uint8Array(FETCH_BUFFER);
  const available = memory.fetch(eip, bytes);
  if (available === 0) throw new MemoryFault(eip, PF_FETCH | (page ? 1 : 0));
  const d = decode(bytes.subarray(0, available), 0, eip);
  if (!d.valid || d.entry === null) {
    if (d.error === 'truncated instruction' && available < FETCH_BUFFER) {
      const missing = (eip + available) >>> 0;
      throw new MemoryFault(missing, PF_FETCH | (memory.isMapped(missing) ? 1 : 0));
    }
    throw new CpuSignal('fault', 6, `invalid instruction (${d.error ?? 'unknown'}) at 0x${(eip >>> 0).toString(16).padStart(8, '0')}`);
  }
  const generic = handlerFor(d.entry);
  const insn = buildInsn(d, generic ?? notEmulatedHandler);
  if (generic !== null) insn.exec = specializedHandler(insn) ?? generic;
  // Instructions that cross a page end are not cached: a write to either page must be seen.
  if (page !== undefined && (eip & (PAGE_SIZE - 1)) + d.length <= PAGE_SIZE) {
    // Preallocated so the per-page cache stays a packed array (a sparse one is a slow dictionary).
    if (page.code === null) {
      page.code = new Array<unknown>(PAGE_SIZE).fill(undefined);
      memory.codeAttached(eip, page);
    }
    page.code[eip & (PAGE_SIZE - 1)] = insn;
  }
  return insn;
}
