// Turns the opcode table's integer entries into snippet forms and random cases for the snippet
// runner: an encoding per form (register or memory ModRM, 16- or 32-bit operand size, with or
// without rep), random register values and flags, and memory operands kept inside the scratch
// area both sides map. Seeded (xorshift32), so a failing case is reproducible from its seed.

import { decode, OPCODE_TABLE, type OpcodeEntry } from '../../server/src/isa';

export const CODE_ADDRESS = 0x30000000;
export const DATA_PAGE = 0x30010000;
export const SCRATCH_ADDRESS = DATA_PAGE + 0x400;
export const SCRATCH_SIZE = 256;

export interface SnippetForm {
  entry: OpcodeEntry;
  /** ModRM.rm names memory (false: a register, or the entry has no ModRM). */
  memory: boolean;
  o16: boolean;
  rep: 0 | 0xf2 | 0xf3;
  name: string;
}

export interface SnippetCase {
  /** The instruction, then for branches a one-byte `inc %eax` the taken branch jumps over. */
  code: Uint8Array;
  instructionLength: number;
  /** eax ecx edx ebx esp ebp esi edi */
  regs: Uint32Array;
  eflags: number;
  scratch: Uint8Array;
}

const INTEGER_EXTENSIONS = new Set(['8086', '186', '286', '386', '486', 'P5', 'P6']);
/**
 * Left out, with the reason: segment state (far pointers, arpl), port I/O, privileged or
 * IF-changing instructions (cli/sti/popf fault or are ignored at ring 3), the CPU identity, enter
 * (covered by the lockstep programs), x87/fxsave state (test/cpu/x87-state-instructions-against-
 * native.test.ts), and the descriptor-table stores sldt/str/smsw/sgdt/sidt, whose values are the
 * host kernel's (and which UMIP hosts emulate in the kernel): see system-register-stores below.
 */
const EXCLUDED = new Set([
  'les', 'lds', 'lss', 'lfs', 'lgs', 'arpl', 'ins', 'outs', 'in', 'out', 'popf', 'popfw', 'cli', 'sti', 'enter',
  'cpuid', 'rdtsc', 'rdpmc', 'sldt', 'str', 'sgdtd', 'sgdtw', 'sidtd', 'sidtw', 'smsw',
  'fxsave', 'fxrstor', 'hlt',
]);

/**
 * lar/lsl/verr/verw read the descriptor their selector names: the selectors come from the GDT of
 * a 32-bit process on x86-64 Linux (entries 0-11, which the emulator's built-in GDT mirrors; 12-14
 * hold per-process TLS and 15 the per-CPU number, so they are left out), with any RPL, sometimes
 * the LDT bit (no LDT: fails) or an index beyond the GDT's limit.
 */
const SELECTOR_CHECKS = new Set(['lar', 'lsl', 'verr', 'verw']);

function randomSelector(rng: Rng): number {
  const kind = rng.below(8);
  if (kind === 0) return (0x80 + rng.below(0xff80)) & 0xffff; // beyond the limit (or the LDT bit)
  if (kind === 1) return (rng.below(12) << 3) | 4 | rng.below(4); // the LDT, which is empty
  return (rng.below(12) << 3) | rng.below(4);
}

function usesSegmentRegister(e: OpcodeEntry): boolean {
  return e.operands.some((o) => (o.kind === 'fixed' && ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'].includes(o.name)) || (o.kind === 'method' && o.method === 'S'));
}

function hasSizedOperand(e: OpcodeEntry): boolean {
  return e.operands.some((o) => (o.kind === 'method' && ['v', 'z', 'bs', 'wv'].includes(o.size)) || (o.kind === 'fixed' && o.name.startsWith('e')));
}

/** The integer forms of the 386, 486, Pentium and P6 with register or simple memory operands. */
export function snippetForms(): SnippetForm[] {
  const forms: SnippetForm[] = [];
  for (const e of OPCODE_TABLE.entries) {
    if (!INTEGER_EXTENSIONS.has(e.ext) || e.vex !== null || (e.map !== 'primary' && e.map !== '0f')) continue;
    // Conditional branches and loops are kept: they jump over one `inc %eax`, which shows the way taken.
    const branch = e.flow === 'jcc' || e.flow === 'loop';
    if ((e.flow !== null && !branch) || e.privileged || e.mandatory > 0 || e.mnemonic.startsWith('f') || EXCLUDED.has(e.mnemonic)) continue;
    if (usesSegmentRegister(e)) continue;
    const mods = !e.hasModrm ? [false] : e.mod === 'mem' ? [true] : e.mod === 'reg' ? [false] : [false, true];
    // A 66 prefix on a branch truncates EIP to 16 bits: not a form compiled code uses.
    const sizes = e.osize === 16 ? [true] : branch || e.osize === 32 || e.mandatory === 0 || !hasSizedOperand(e) ? [false] : [false, true];
    const reps: Array<0 | 0xf2 | 0xf3> = e.rep === 'rep' ? [0, 0xf3] : e.rep === 'repe' ? [0, 0xf3, 0xf2] : [0];
    for (const memory of mods) for (const o16 of sizes) for (const rep of reps) {
      const name = `${e.mnemonic} ${e.row.enc} ${e.row.ops ?? ''}${memory ? ' mem' : e.hasModrm ? ' reg' : ''}${o16 ? ' o16' : ''}${rep ? ` ${rep.toString(16)}` : ''}`;
      forms.push({ entry: e, memory, o16, rep, name });
    }
  }
  return forms;
}

/** xorshift32: small, fast and the same everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.s = x >>> 0);
  }
  below(n: number): number {
    return this.next() % n;
  }
  /** Register values biased to the edges where flags and carries change. */
  value(): number {
    const kind = this.below(8);
    if (kind === 0) return [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff][this.below(11)]!;
    if (kind === 1) return this.below(64);
    return this.next();
  }
}

export function seedOf(text: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function immediateSize(code: { size: string }, o16: boolean): number {
  switch (code.size) {
    case 'b': case 'bs': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'z': case 'v': return o16 ? 2 : 4;
    default: return 0;
  }
}

const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
const STATUS_AND_DF = 0x8d5 | 0x400;

/** A random case of one form, or null when the table gives no encoding we can build. */
export function randomCase(form: SnippetForm, rng: Rng): SnippetCase {
  const e = form.entry;
  const bytes: number[] = [];
  if (form.rep) bytes.push(form.rep);
  if (form.o16) bytes.push(0x66);
  if (e.asize === 16) bytes.push(0x67); // jcxz: the address size picks CX
  if (e.map === '0f') bytes.push(0x0f);
  bytes.push(e.opcodeRegister ? e.opcode + rng.below(8) : e.opcode);

  const regs = new Uint32Array(8);
  for (let k = 0; k < 8; k++) regs[k] = rng.value();
  regs[ESP] = SCRATCH_ADDRESS + 96 + 4 * rng.below(17);
  const inScratch = () => SCRATCH_ADDRESS + 96 + rng.below(65);
  const m = e.mnemonic;
  let regField = -1;
  let memoryOperand = -1;
  if (e.hasModrm) {
    const reg = e.reg >= 0 ? e.reg : rng.below(8);
    regField = e.reg >= 0 ? -1 : reg;
    if (form.memory) {
      const implicit = m === 'cmpxchg8b' ? [EAX, ECX, EDX, EBX] : [];
      const bases = [EBX, EBP, ESI, EDI, EAX, ECX, EDX].filter((r) => r !== regField && !implicit.includes(r));
      const base = bases[rng.below(Math.min(4, bases.length))]!;
      const disp = rng.below(128) - 64;
      bytes.push(0x40 | (reg << 3) | base, disp & 0xff);
      regs[base] = inScratch();
      memoryOperand = regs[base]! + disp;
      if (['bt', 'bts', 'btr', 'btc'].includes(m) && regField >= 0) regs[regField] = (rng.below(512) - 256) >>> 0;
    } else {
      const rm = e.rm >= 0 ? e.rm : rng.below(8);
      bytes.push(0xc0 | (reg << 3) | rm);
    }
  }
  for (const code of e.operands) {
    if (code.kind !== 'method') continue;
    if (code.method === 'I') {
      const n = immediateSize(code, form.o16);
      for (let k = 0; k < n; k++) bytes.push(rng.below(4) === 0 ? [0, 1, 0x1f, 0x20, 0x7f, 0x80, 0xff][rng.below(7)]! : rng.below(256));
    } else if (code.method === 'J') {
      const n = code.size === 'b' ? 1 : 4;
      bytes.push(1, ...new Array<number>(n - 1).fill(0));
    } else if (code.method === 'O') {
      const address = SCRATCH_ADDRESS + rng.below(SCRATCH_SIZE - 8);
      bytes.push(address & 0xff, (address >>> 8) & 0xff, (address >>> 16) & 0xff, address >>> 24);
    } else if (code.method === 'X' || code.method === 'Y') {
      regs[ESI] = inScratch();
      regs[EDI] = inScratch();
    }
  }
  if (form.rep) regs[ECX] = rng.below(7);
  // A 16-bit shld/shrd count above 16 leaves the result undefined (SDM): keep counts in 0..16.
  if ((m === 'shld' || m === 'shrd') && form.o16) {
    const count = rng.below(17);
    if (e.operands.some((o) => o.kind === 'fixed' && o.name === 'CL')) regs[ECX] = (regs[ECX]! & ~0xff) | count;
    else bytes[bytes.length - 1] = count;
  }
  if (m === 'xlat') regs[EBX] = SCRATCH_ADDRESS;
  if (m === 'leave') regs[EBP] = SCRATCH_ADDRESS + 96 + 4 * rng.below(17);
  const scratch = new Uint8Array(SCRATCH_SIZE);
  for (let k = 0; k < SCRATCH_SIZE; k += 4) {
    const v = rng.value();
    scratch[k] = v;
    scratch[k + 1] = v >>> 8;
    scratch[k + 2] = v >>> 16;
    scratch[k + 3] = v >>> 24;
  }
  if (SELECTOR_CHECKS.has(m)) {
    const selector = randomSelector(rng);
    if (memoryOperand >= 0) {
      scratch[memoryOperand - SCRATCH_ADDRESS] = selector & 0xff;
      scratch[memoryOperand - SCRATCH_ADDRESS + 1] = selector >>> 8;
    } else {
      const rm = bytes[bytes.length - 1]! & 7;
      regs[rm] = ((regs[rm]! & 0xffff0000) | selector) >>> 0;
    }
  }
  const instructionLength = bytes.length;
  if (e.flow === 'jcc' || e.flow === 'loop') {
    bytes.push(0x40);
    if (rng.below(2) === 0) regs[ECX] = rng.below(3); // loop and jecxz decide on ECX near 0
  }
  return { code: Uint8Array.from(bytes), instructionLength, regs, eflags: 0x202 | (rng.next() & STATUS_AND_DF), scratch };
}

/**
 * A random case whose bytes decode to the form's own entry: a random ModRM.reg or register can
 * select a neighbouring entry (0F 1C /0 is cldemote, 66 90 is xchg %ax,%ax). Null after 20 tries.
 */
export function randomCaseOfEntry(form: SnippetForm, rng: Rng): SnippetCase | null {
  for (let attempt = 0; attempt < 20; attempt++) {
    const c = randomCase(form, rng);
    if (decodesToEntry(form, c) === null) return c;
  }
  return null;
}

/** Checks that the bytes decode to the form's entry with the expected length (the isa decoder). */
export function decodesToEntry(form: SnippetForm, c: SnippetCase): string | null {
  const insn = decode(c.code, 0, CODE_ADDRESS);
  if (!insn.valid) return `decodes as invalid: ${insn.error}`;
  if (insn.entry?.id !== form.entry.id) return `decodes to ${insn.mnemonic} (${insn.entry?.row.enc}) instead`;
  if (insn.length !== c.instructionLength) return `decoded length ${insn.length} != ${c.instructionLength}`;
  return null;
}
