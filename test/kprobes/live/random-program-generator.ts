// Seeded random i386 programs for the live-probe transparency test, drawn from the opcode table's
// integer forms that the emulator executes (the snippet forms of the CPU oracle tests, plus
// popf/cli/sti). Random instructions are table-encoded bytes (`.byte` lines); the scaffolding
// around them (pointers into a scratch area, counted loops, calls) is AT&T source, so the program
// goes through our assembler and is decoded back for instruction boundaries.
//
// What keeps a program from trapping or leaving its data: memory operands are [base + disp8] with
// the base register loaded with a pointer into the middle of `scratch` right before; string
// instructions get %esi/%edi there and a small %ecx; no register operand is %esp; divisions and
// `aam 0` are left out; pushes and pops are tracked so that pops never go below what this block
// pushed, popf only pops what pushf pushed, and every block (loop body, function) rebalances the
// stack before it ends. Forward branches (table jcc/loop forms with a computed displacement) only
// skip stack-neutral instructions, so both ways leave the same stack shape.

import { decode, OPCODE_TABLE, type OpcodeEntry } from '../../../server/src/isa';
import { Rng, snippetForms, type SnippetForm } from '../../cpu-oracles/opcode-form-snippets';

export { Rng };

export const SCRATCH_SIZE = 256;
/** Pointers go to scratch + [96, 160]: with disp8 and 8-byte operands every access stays inside. */
const POINTER_LOW = 96;
const POINTER_SPAN = 65;

const EAX = 0, ECX = 1, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

/** Forms that would trap (#DE), move %esp arbitrarily, or need 16-bit stack bookkeeping. */
const LEFT_OUT = new Set(['div', 'idiv', 'leave', 'pushaw', 'popaw', 'pushfw']);

interface Item {
  /** Source lines (AT&T or .byte). */
  lines: string[];
  /** Byte length when the item is fixed-length table bytes (branches may skip it); null otherwise. */
  length: number | null;
  /** Pushes (+) or pops (-) of 4-byte words. */
  stack: number;
}

interface Forms {
  plain: SnippetForm[];
  branches: SnippetForm[];
  popf: OpcodeEntry;
  cliSti: OpcodeEntry[];
}

let formsMemo: Forms | null = null;

function forms(): Forms {
  if (formsMemo !== null) return formsMemo;
  const all = snippetForms().filter((f) => !LEFT_OUT.has(f.entry.mnemonic) && !(f.o16 && isStackForm(f.entry)));
  const byMnemonic = (m: string) => OPCODE_TABLE.entries.find((e) => e.mnemonic === m && e.vex === null && e.map === 'primary')!;
  formsMemo = {
    plain: all.filter((f) => f.entry.flow === null),
    branches: all.filter((f) => f.entry.flow === 'jcc' || f.entry.flow === 'loop'),
    popf: byMnemonic('popf'),
    cliSti: [byMnemonic('cli'), byMnemonic('sti')],
  };
  return formsMemo;
}

function isStackForm(e: OpcodeEntry): boolean {
  return stackWords(e) !== 0;
}

/** 4-byte words an instruction pushes (+) or pops (-); the forms left in are all 32-bit. */
function stackWords(e: OpcodeEntry): number {
  switch (e.mnemonic) {
    case 'push': case 'pushf': return 1;
    case 'pop': case 'popf': return -1;
    case 'pusha': return 8;
    case 'popa': return -8;
    default: return 0;
  }
}

const byteLine = (bytes: number[]) => `  .byte ${bytes.map((b) => `0x${b.toString(16)}`).join(',')}`;
const pointerInto = (reg: number, rng: Rng) => [`  .byte 0x${(0xb8 + reg).toString(16)}`, `  .long scratch+${POINTER_LOW + rng.below(POINTER_SPAN)}`];
const noEsp = (rng: Rng) => [EAX, ECX, 2, EBX, EBP, ESI, EDI][rng.below(7)]!;

function immediateSize(size: string, o16: boolean): number {
  if (size === 'b' || size === 'bs') return 1;
  if (size === 'w') return 2;
  if (size === 'd') return 4;
  if (size === 'z' || size === 'v') return o16 ? 2 : 4;
  return 0;
}

/** One table form, encoded with its pointer set-up; null when this draw cannot be made safe. */
function encodeForm(form: SnippetForm, rng: Rng, displacement: number): Item | null {
  const e = form.entry;
  const m = e.mnemonic;
  const setup: string[] = [];
  const bytes: number[] = [];
  if (form.rep) bytes.push(form.rep);
  if (form.o16) bytes.push(0x66);
  if (e.asize === 16) bytes.push(0x67);
  if (e.map === '0f') bytes.push(0x0f);
  if (e.opcodeRegister) bytes.push(e.opcode + (m === 'xchg' ? 1 + rng.below(7) : noEsp(rng)));
  else bytes.push(e.opcode);
  if (e.opcodeRegister && m === 'xchg' && bytes[bytes.length - 1] === 0x90 + ESP) return null;
  if (e.hasModrm) {
    const reg = e.reg >= 0 ? e.reg : noEsp(rng);
    if (form.memory) {
      const implicit = m === 'cmpxchg8b' ? [EAX, ECX, 2, EBX] : [];
      const bases = [EBX, EBP, ESI, EDI, EAX, ECX, 2].filter((r) => (e.reg >= 0 || r !== reg) && !implicit.includes(r));
      const base = bases[rng.below(Math.min(4, bases.length))]!;
      setup.push(...pointerInto(base, rng));
      bytes.push(0x40 | (reg << 3) | base, (rng.below(128) - 64) & 0xff);
      // bt* with a register bit offset addresses memory up to offset/8 away: keep it small.
      if (['bt', 'bts', 'btr', 'btc'].includes(m) && e.reg < 0) setup.push(byteLine([0xb8 + reg]), `  .long ${rng.below(256) - 128}`);
    } else {
      const rm = e.rm >= 0 ? e.rm : noEsp(rng);
      if (rm === ESP) return null;
      bytes.push(0xc0 | (reg << 3) | rm);
    }
  }
  for (const code of e.operands) {
    if (code.kind !== 'method') continue;
    if (code.method === 'I') {
      const n = immediateSize(code.size, form.o16);
      for (let k = 0; k < n; k++) bytes.push(m === 'aam' ? 1 + rng.below(255) : rng.below(256));
    } else if (code.method === 'J') {
      const n = code.size === 'b' ? 1 : 4;
      if (n === 1 && displacement > 127) return null;
      for (let k = 0; k < n; k++) bytes.push((displacement >>> (8 * k)) & 0xff);
    } else if (code.method === 'X' || code.method === 'Y') {
      if (!setup.some((l) => l.includes('0xbe'))) setup.push(...pointerInto(ESI, rng), ...pointerInto(EDI, rng));
    }
  }
  if (form.rep || e.flow === 'loop') setup.push(byteLine([0xb8 + ECX]), `  .long ${rng.below(form.rep ? 7 : 3)}`);
  if (m === 'xlat') setup.push(...pointerInto(EBX, rng));
  const moffs = e.operands.some((o) => o.kind === 'method' && o.method === 'O');
  // A random register field can select a neighbouring entry (0F 1C /0 is cldemote): redraw then.
  const check = decode(Uint8Array.from(moffs ? [...bytes, 0, 0, 0, 0] : bytes), 0, 0);
  if (!check.valid || check.entry?.id !== e.id || check.length !== bytes.length + (moffs ? 4 : 0)) return null;
  const lines = [...setup, byteLine(bytes)];
  if (moffs) lines.push(`  .long scratch+${rng.below(SCRATCH_SIZE - 8)}`);
  return { lines, length: e.flow !== null ? bytes.length : null, stack: stackWords(e) };
}

/** Builds blocks of random items with the stack rules of the header. */
class BlockWriter {
  readonly lines: string[] = [];
  private depth = 0;
  /** Tags of this block's pushed words: 'f' for pushf, 'w' otherwise. */
  private readonly pushed: string[] = [];

  constructor(private readonly rng: Rng) {}

  /** A random table instruction that fits the stack state, with its set-up lines. */
  private randomItem(stackNeutral: boolean): Item {
    const f = forms();
    for (;;) {
      const r = this.rng.below(40);
      if (r === 0 && !stackNeutral) {
        const e = f.cliSti[this.rng.below(2)]!;
        return { lines: [byteLine([e.opcode])], length: 1, stack: 0 };
      }
      const form = f.plain[this.rng.below(f.plain.length)]!;
      const words = stackWords(form.entry);
      if (stackNeutral && words !== 0) continue;
      if (words < 0 && this.depth < -words) continue;
      if (form.entry.mnemonic === 'popf') continue;
      const item = encodeForm(form, this.rng, 0);
      if (item === null) continue;
      return item;
    }
  }

  private add(item: Item, tag = 'w'): void {
    this.lines.push(...item.lines);
    for (let k = 0; k < item.stack; k++) this.pushed.push(tag);
    for (let k = 0; k < -item.stack; k++) this.pushed.pop();
    this.depth += item.stack;
  }

  /** `count` random steps: instructions, pushf/popf pairs, forward branches over neutral ones. */
  fill(count: number): void {
    const f = forms();
    for (let k = 0; k < count; k++) {
      const r = this.rng.below(12);
      if (r === 0) {
        // A forward branch from the table over 1-3 stack-neutral fixed-length instructions.
        const skipped: Item[] = [];
        const n = 1 + this.rng.below(3);
        while (skipped.length < n) {
          const it = this.randomItem(true);
          if (it.lines.length === 1) skipped.push({ ...it, length: byteCount(it.lines[0]!) });
        }
        const distance = skipped.reduce((s, it) => s + it.length!, 0);
        let branch: Item | null = null;
        while (branch === null) branch = encodeForm(f.branches[this.rng.below(f.branches.length)]!, this.rng, distance);
        this.add(branch);
        for (const it of skipped) this.add(it);
      } else if (r === 1 && this.pushed[this.pushed.length - 1] === 'f') {
        this.add({ lines: [byteLine([f.popf.opcode])], length: 1, stack: -1 });
      } else if (r === 2) {
        this.add({ lines: [byteLine([0x9c])], length: 1, stack: 1 }, 'f');
      } else {
        const it = this.randomItem(false);
        this.add(it);
      }
    }
  }

  /** Drops what this block pushed (lea leaves the flags alone). */
  rebalance(): void {
    if (this.depth > 0) this.lines.push(`  lea ${4 * this.depth}(%esp), %esp`);
    this.depth = 0;
    this.pushed.length = 0;
  }
}

function byteCount(line: string): number {
  return line.trim().replace(/^\.byte\s+/, '').split(',').length;
}

export interface RandomProgram {
  seed: number;
  source: string;
}

/**
 * A program: _start runs blocks (some in counted loops over a memory counter, some calling
 * leaf functions directly, indirectly through a register or through memory, with `ret` or
 * `ret $n`), then hlt. Data: the scratch area (random words), the loop counters, a pointer table.
 */
export function randomProgram(seed: number): RandomProgram {
  const rng = new Rng(seed);
  const functions: string[] = [];
  const main: string[] = ['.text', '.globl _start', '_start:'];
  const functionCount = 1 + rng.below(3);
  const functionArgs: number[] = [];
  for (let k = 0; k < functionCount; k++) {
    const w = new BlockWriter(rng);
    w.fill(3 + rng.below(8));
    w.rebalance();
    const args = rng.below(3);
    functionArgs.push(args);
    functions.push(`fn${k}:`, ...w.lines, args > 0 ? `  ret $${4 * args}` : '  ret');
  }
  const blocks = 2 + rng.below(4);
  let loops = 0;
  for (let b = 0; b < blocks; b++) {
    const w = new BlockWriter(rng);
    const kind = rng.below(4);
    const loop = kind === 0;
    if (loop) main.push(`  movl $${2 + rng.below(4)}, counter${loops}`, `${b + 1}:`);
    w.fill(4 + rng.below(10));
    if (kind === 1 || loop) {
      const k = rng.below(functionCount);
      const push = Array.from({ length: functionArgs[k]! }, () => `  push $${rng.below(1000)}`);
      const how = rng.below(3);
      if (how === 0) w.lines.push(...push, `  call fn${k}`);
      else if (how === 1) w.lines.push(...push, `  mov $fn${k}, %ebp`, '  call *%ebp');
      else w.lines.push(...push, `  call *fnptr${k}`);
    }
    w.rebalance();
    main.push(...w.lines);
    if (loop) main.push(`  decl counter${loops}`, `  jnz ${b + 1}b`), loops++;
  }
  main.push('  hlt');
  const scratch: string[] = [];
  for (let k = 0; k < SCRATCH_SIZE; k += 16) scratch.push(`  .long ${[0, 1, 2, 3].map(() => rng.value()).join(',')}`);
  const data = [
    '.data',
    'scratch:', ...scratch,
    ...Array.from({ length: Math.max(1, loops) }, (_, k) => `counter${k}: .long 0`),
    ...Array.from({ length: functionCount }, (_, k) => `fnptr${k}: .long fn${k}`),
  ];
  return { seed, source: [...data, ...main, ...functions, ''].join('\n') };
}
