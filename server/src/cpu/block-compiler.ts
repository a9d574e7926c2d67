// The block compiler: translates a straight-line run of decoded instructions (ending at the first
// branch, trap-capable or system instruction, at 64 instructions or at the page end) into one
// JavaScript function built with `new Function`, cached per start address in the code's page.
//
// Invariants (the interpreter in machine.ts stays the reference; tests compare the two):
// - Validity: blocks live in Page.blocks, dropped with Page.code by every write to the page
//   (paged-memory.ts dropCode), remap or restore. A block never spans two pages. After each
//   instruction that writes memory the block compares memory.codeEpoch with its value at entry
//   and leaves if any code was invalidated (self-modifying code, int3 arming by the kprobe engine).
// - Exactness: a block runs only from Machine.runFast, i.e. with TF clear, DR7 disabling every
//   breakpoint and no host breakpoints, and only when all its instructions fit in run()'s limit.
//   Instructions that may set TF or touch debug/control/segment state end the block.
// - Faults: a compiled instruction performs its memory accesses before changing any local, so
//   when one throws the block writes back the state after the instructions before it, sets EIP to
//   the faulting instruction and the instruction count to those completed, and rethrows; runFast
//   then lets executeOne run that instruction again and deliver the exception exactly.
// - Registers live in int32 locals; EFLAGS in a local written back at exit. Flags are computed
//   only when read: a backward liveness pass drops the flag computation of any instruction whose
//   flags a later instruction of the block overwrites before anything reads them, and the last
//   add/sub/cmp/and/or/xor/test leaves its operation pending (Machine.lazyFlagsKind, lazyA, lazyB,
//   lazyResult), which jcc/setcc/cmovcc test directly and Machine.eflags computes when read.
// - Sharing: compiled blocks are shared by every Machine of the process, keyed by instruction
//   addresses and bytes (which determine the decoded instructions, hence the block), so V8's
//   optimized code survives from one run of a program to the next.
// - Forms without a template run the interpreter's own handler in place (state written back
//   before, reloaded after), so every instruction keeps a single definition of its semantics.

import { COND, compileForm, conditionSource, lazyConditionSource, STATUS_FLAGS, type CompiledForm } from './block-compiler-templates';
import { PARITY } from './eflags-bits';
import { lazyStatusFlags, read16, read32, read8, write32, write8 } from './block-compiler-runtime';
import { fetchInstruction } from './instruction-fetch';
import type { Insn } from './instruction-record';
import type { Machine } from './machine';
import { PAGE_SHIFT, PAGE_SIZE } from './paged-memory';

export interface CompiledBlock {
  /** Instructions in the block when it runs to its end. */
  readonly count: number;
  readonly address: number;
  /** Runs the block (and its own loop while the instruction count stays within `end`). */
  readonly run: (m: Machine, end: number) => void;
  /** The generated source (for tests and debugging). */
  readonly source: string;
}

/** Marks an address where no block is worth compiling (the interpreter runs it). */
export const NO_BLOCK: CompiledBlock = { count: Infinity, address: -1, run: () => undefined, source: '' };

const MAX_BLOCK_INSTRUCTIONS = 64;

/** Instructions after which the block must return to the run loop (TF, DR7, segments, CRs, flow). */
function endsBlock(i: Insn): boolean {
  const e = i.entry;
  if (e.flow !== null || e.writesTF || e.writesIF || e.privileged) return true;
  return e.operands.some((o) => o.kind === 'method' && (o.method === 'S' || o.method === 'C' || o.method === 'D'))
    || e.operands.some((o) => o.kind === 'fixed' && /^(SS|DS|ES|FS|GS|CS)$/.test(o.name));
}

/** Only forms the interpreter handles in its run loop may run inside a block. */
function interpretable(i: Insn): boolean {
  return i.entry.vex === null;
}

/** The decoded instructions of the block at `start` (empty when the first cannot be fetched). */
function collect(m: Machine, start: number): Insn[] {
  const insns: Insn[] = [];
  const seen = new Set<number>();
  let address = start;
  const page = start >>> PAGE_SHIFT;
  while (insns.length < MAX_BLOCK_INSTRUCTIONS && !seen.has(address)) {
    let insn: Insn;
    try {
      insn = fetchInstruction(m.memory, address);
    } catch {
      break;
    }
    // Stay inside one page: a write to the page then drops every block that holds its code.
    if ((address & (PAGE_SIZE - 1)) + insn.length > PAGE_SIZE || !interpretable(insn)) break;
    insns.push(insn);
    seen.add(address);
    if (endsBlock(insn)) {
      // A jcc continues on its fall-through, a direct jmp or call at its target (same page).
      const f = insn.entry.relative ? compileForm(insn) : null;
      if (f === null || f.target === undefined || f.inline === undefined) break;
      address = f.condition !== undefined ? insn.next : f.target;
    } else address = insn.next;
    if (address >>> PAGE_SHIFT !== page) break;
  }
  return insns;
}

/**
 * The block at `start` on its `visits`-th visit: compiled and cached once hot, else null (the
 * visit is counted in the page's slot). NO_BLOCK when no block applies there.
 */
export function blockAt(m: Machine, start: number, visits: number): CompiledBlock | null {
  const page = m.memory.page(start);
  if (page === undefined) return NO_BLOCK;
  if (page.blocks === null) {
    page.blocks = new Array<unknown>(PAGE_SIZE).fill(undefined);
    m.memory.codeAttached(start, page);
  }
  if (visits < m.blockHotVisits) {
    page.blocks[start & (PAGE_SIZE - 1)] = visits + 1;
    return null;
  }
  const insns = collect(m, start);
  const block = insns.length === 0 ? NO_BLOCK : compileBlock(insns);
  // Fetching decodes only; it cannot drop the page's blocks, so the slot is still this page's.
  page.blocks[start & (PAGE_SIZE - 1)] = block;
  return block;
}

/** Builds the function for a list of instructions (exported for the tests). */
export function compileBlock(insns: readonly Insn[]): CompiledBlock {
  // The same code (addresses and bytes) in another machine reuses the function V8 already optimized.
  const key = insns.map((i) => `${i.address.toString(16)}:${bytesKey(i.decoded.bytes)}`).join(' ');
  const cached = SHARED_BLOCKS.get(key);
  if (cached !== undefined) return cached;
  const forms = insns.map((i) => compileForm(i));
  // A lone instruction with no template gains nothing from a block.
  if (insns.length === 1 && forms[0] === null) return NO_BLOCK;
  const count = insns.length;
  const used = new Set<number>();
  for (const f of forms) if (f) for (const r of f.registers) used.add(r);
  const regs = [...used].sort();
  const load = regs.map((r) => `r${r} = regs[${r}] | 0;`).join(' ');
  const store = regs.map((r) => `regs[${r}] = r${r};`).join(' ');

  // Backward flag liveness: all status flags are live after the block.
  const needFlags: boolean[] = new Array<boolean>(count).fill(false);
  let live = STATUS_FLAGS;
  for (let k = count - 1; k >= 0; k--) {
    const f = forms[k];
    if (f === null) { live = STATUS_FLAGS; continue; }
    // A branch inside the block is a side exit, after which every flag is live.
    if (f.branch) live = STATUS_FLAGS;
    needFlags[k] = (live & f.writes) !== 0 && f.flags !== '';
    live = (live & ~f.writes) | f.reads;
  }

  // A block with a branch back to its own start loops inside the function while the
  // instruction budget allows another full pass and no code was invalidated.
  const startAddress = insns[0]!.address;
  const selfLoop = forms.some((f, k) => f !== null && f.branch && (f.target === startAddress || (f.condition !== undefined && insns[k]!.next === startAddress)));

  const out: string[] = [];
  out.push('return function block(m, end) {');
  out.push('const mem = m.memory; const regs = m.regs; const ic = m.instructionCount; const ep = mem.codeEpoch;');
  out.push(`let ${[0, 1, 2, 3, 4, 5, 6, 7].map((r) => `r${r} = 0`).join(', ')};`);
  out.push('let fl = m.eflagsStored, lk = m.lazyFlagsKind, la = m.lazyA, lb = m.lazyB, lt = m.lazyResult;');
  out.push('let n = 0, done = 0, pc = 0, g = false, a = 0, b = 0, c = 0, t = 0, ad = 0;');
  out.push(load);
  out.push('try {');
  if (selfLoop) out.push('for (;;) {');
  out.push('body: {');
  let ended = false;
  // The kind of the pending operation this pass left in la/lb/lt, while it is the last flag writer.
  let lastLazy = 0;
  for (let k = 0; k < count; k++) {
    const insn = insns[k]!;
    const compiled = forms[k];
    const lastOne = k === count - 1;
    if (compiled === null) {
      lastLazy = 0;
      out.push(genericCall(k, insn, store, load));
      if (endsBlock(insn)) {
        out.push(`pc = m.eip; n = ${k + 1}; break body;`);
        ended = true;
        break;
      }
      out.push(`if (mem.codeEpoch !== ep) { pc = ${insn.next}; n = ${k + 1}; break body; }`);
      continue;
    }
    const flagsCode = flagsSource(compiled, needFlags[k]!, lastLazy);
    lastLazy = flagsCode.lastLazy;
    const f = flagsCode.form;
    if (f.branch && (lastOne || f.inline === undefined)) {
      out.push(flagsCode.before + emitForm(k, f, flagsCode.after));
      out.push(`n = ${k + 1}; break body;`);
      ended = true;
      break;
    }
    // A branch the block continues through: a side exit for jcc, the push alone for a call.
    const continueAt = f.branch ? (f.condition !== undefined ? insn.next : f.target!) : insn.next;
    if (f.branch) {
      if (f.condition !== undefined) out.push(`${flagsCode.before}if (${f.condition}) { pc = ${f.target!}; n = ${k + 1}; break body; }`);
      else out.push(`${f.mayFault ? `n = ${k}; ` : ''}${f.inline!}`);
    } else out.push(flagsCode.before + emitForm(k, f, flagsCode.after));
    if (lastOne) {
      out.push(`pc = ${continueAt}; n = ${count};`);
      ended = true;
    } else if (f.writesMemory) out.push(`if (mem.codeEpoch !== ep) { pc = ${continueAt}; n = ${k + 1}; break body; }`);
  }
  if (!ended) out.push(`pc = ${insns[count - 1]!.next}; n = ${count};`);
  out.push('}');
  if (selfLoop) {
    out.push(`done += n; n = 0;`);
    out.push(`if (pc !== ${startAddress} || ic + done + ${count} > end || mem.codeEpoch !== ep) break;`);
    out.push('}');
  }
  out.push('} catch (e) {');
  out.push(`if (!g) { ${store} ${SAVE_FLAGS} }`);
  out.push('m.eip = ADDR[n]; m.instructionCount = ic + done + n; throw e;');
  out.push('}');
  out.push(`${store} ${SAVE_FLAGS} m.eip = pc >>> 0; m.instructionCount = ic + done + n;`);
  out.push('};');
  const source = out.join('\n');
  const addresses = insns.map((i) => i.address);
  // The generated source is the point of the compiler; it names only its own parameters.
  const factory = new Function('P', 'I', 'ADDR', 'R32', 'W32', 'R8', 'W8', 'R16', 'LZ', source) as (...args: unknown[]) => (m: Machine, end: number) => void;
  const run = factory(PARITY, insns, addresses, read32, write32, read8, write8, read16, lazyStatusFlags);
  const block = { count, address: insns[0]!.address, run, source };
  if (SHARED_BLOCKS.size >= MAX_SHARED_BLOCKS) SHARED_BLOCKS.clear();
  SHARED_BLOCKS.set(key, block);
  return block;
}

/**
 * Compiled blocks shared by every Machine of the process, keyed by instruction addresses and bytes:
 * a block depends only on those (decoding is a function of them and instruction records hold no
 * machine state), and V8 spends far
 * more on optimizing a new block function than on running it, so runs of the same program (kprobe
 * sessions, tests, a long-lived language server) reuse the optimized code.
 */
const SHARED_BLOCKS = new Map<string, CompiledBlock>();
// About 4 KB of source per block; the bound keeps a long-lived server's share to some tens of MB.
const MAX_SHARED_BLOCKS = 4096;

function bytesKey(bytes: Uint8Array): string {
  let s = '';
  for (let k = 0; k < bytes.length; k++) s += (bytes[k]! < 16 ? '0' : '') + bytes[k]!.toString(16);
  return s;
}

/** Stores the block's EFLAGS with any pending operation back into the machine. */
const SAVE_FLAGS = 'm.eflagsStored = fl; m.lazyFlagsKind = lk; m.lazyA = la; m.lazyB = lb; m.lazyResult = lt;';
/** Computes a pending operation's status flags into fl. */
const MATERIALIZE = `if (lk !== 0) { fl = (fl & ${~STATUS_FLAGS}) | LZ(lk, la, lb, lt); lk = 0; } `;

/**
 * The flag handling around one compiled form: `before` (materialize pending flags for a reader
 * that needs EFLAGS itself), the form with its conditions filled in, and `after` (the flags it
 * writes: computed, left pending, or nothing when dead).
 */
function flagsSource(f: CompiledForm, needed: boolean, lastLazy: number): { before: string; form: CompiledForm; after: string; lastLazy: number } {
  let before = '';
  let form = f;
  if (f.cc !== undefined) {
    // A condition on the pending operation reads its operands directly.
    const cond = lastLazy !== 0 ? lazyConditionSource(lastLazy, f.cc) : conditionSource(f.cc);
    if (lastLazy === 0) before = MATERIALIZE;
    form = { ...f, body: f.body.split(COND).join(cond), condition: f.condition?.split(COND).join(cond) };
  } else if (f.reads !== 0 || (needed && f.writes !== STATUS_FLAGS)) before = MATERIALIZE;
  if (!needed || f.writes === 0) return { before, form, after: '', lastLazy: f.writes === 0 ? lastLazy : lastLazy };
  if (f.lazyKind !== undefined) return { before, form, after: `lk = ${f.lazyKind}; la = a; lb = b; lt = t;`, lastLazy: f.lazyKind };
  return { before, form, after: `${f.flags}${f.writes === STATUS_FLAGS ? ' lk = 0;' : ''}`, lastLazy: 0 };
}

function emitForm(k: number, f: CompiledForm, after: string): string {
  const mark = f.mayFault ? `n = ${k}; ` : '';
  return `${mark}${f.body}${after ? ` ${after}` : ''}`;
}

/** Runs the interpreter's handler for instruction k with the block's state written back. */
function genericCall(k: number, insn: Insn, store: string, load: string): string {
  // A repeated string instruction runs all its iterations inside a block, as in runFast.
  const ea = (insn.mem ? `m.computeEffectiveAddress(I[${k}]); ` : '') + (insn.rep !== 0 ? 'm.repOneIteration = false; ' : '');
  return `n = ${k}; ${MATERIALIZE}${store} m.eflags = fl; m.eip = ${insn.next}; m.instructionCount = ic + ${k}; g = true; ${ea}I[${k}].exec(m, I[${k}]); g = false; ${load} fl = m.eflags; lk = 0;`;
}

/** The block at `start`, compiled now whatever its visits (tests drive blocks one by one). */
export function compileBlockAt(m: Machine, start: number): CompiledBlock {
  const page = m.memory.page(start);
  const slot = page?.blocks?.[start & (PAGE_SIZE - 1)];
  if (typeof slot === 'object') return slot as CompiledBlock;
  return blockAt(m, start, Infinity) ?? NO_BLOCK;
}
