// kprobe_events fetch args for logpoints and breakpoint conditions, read against a probe's pt_regs
// and the machine's memory: `%ax` (pt_regs names; `%eax` too), `+4(%sp)` / `-8(+4(%bp))`
// (dereferences, nested), `$stack` (the stack pointer), `$stackN` (the Nth stack entry),
// `@0x804a000` / `@sym+4` (memory at an address), a number; an optional `:u8/:s16/:x32...` type.
// A condition is one of them, or two compared by == != < <= > >= or tested with &. A logpoint
// message interpolates `{fetcharg}`. Parse errors are values (the breakpoint says them).

import type { Machine } from '../cpu';
import type { PtRegs } from '../kprobes/live';

type FetchType = { signed: boolean; hex: boolean; bits: 8 | 16 | 32 };

type Fetch =
  | { kind: 'reg'; name: keyof PtRegs; type: FetchType }
  | { kind: 'deref'; offset: number; inner: Fetch; type: FetchType }
  | { kind: 'stack'; index: number | null; type: FetchType }
  | { kind: 'memory'; address: number; type: FetchType }
  | { kind: 'number'; value: number; type: FetchType };

const REGISTER_ALIASES: Record<string, keyof PtRegs> = {
  ax: 'ax', bx: 'bx', cx: 'cx', dx: 'dx', si: 'si', di: 'di', bp: 'bp', sp: 'sp', ip: 'ip', flags: 'flags',
  eax: 'ax', ebx: 'bx', ecx: 'cx', edx: 'dx', esi: 'si', edi: 'di', ebp: 'bp', esp: 'sp', eip: 'ip', eflags: 'flags',
};

const DEFAULT_TYPE: FetchType = { signed: false, hex: true, bits: 32 };

export interface FetchContext {
  regs: PtRegs;
  machine: Machine;
  symbols: ReadonlyMap<string, number>;
}

/** Parses one fetch arg; a string is the error. */
export function parseFetchArg(text: string, symbols: ReadonlyMap<string, number>): Fetch | string {
  const m = /^(.*?)(?::([usx])(8|16|32))?$/.exec(text.trim())!;
  const type: FetchType = m[2] !== undefined ? { signed: m[2] === 's', hex: m[2] === 'x', bits: Number(m[3]) as 8 | 16 | 32 } : DEFAULT_TYPE;
  const body = m[1]!.trim();
  const reg = /^%(\w+)$/.exec(body);
  if (reg) {
    const name = REGISTER_ALIASES[reg[1]!.toLowerCase()];
    return name !== undefined ? { kind: 'reg', name, type } : `unknown register %${reg[1]} (pt_regs: %ax %bx %cx %dx %si %di %bp %sp %ip %flags)`;
  }
  const deref = /^([+-](?:0x[0-9a-f]+|\d+))\((.*)\)$/i.exec(body);
  if (deref) {
    const inner = parseFetchArg(deref[2]!, symbols);
    return typeof inner === 'string' ? inner : { kind: 'deref', offset: parseSigned(deref[1]!), inner, type };
  }
  const stack = /^\$stack(\d+)?$/.exec(body);
  if (stack) return { kind: 'stack', index: stack[1] !== undefined ? Number(stack[1]) : null, type };
  const at = /^@(?:(0x[0-9a-f]+|\d+)|([A-Za-z_.$][\w.$]*)([+-](?:0x[0-9a-f]+|\d+))?)$/i.exec(body);
  if (at) {
    if (at[1] !== undefined) return { kind: 'memory', address: Number(at[1]) >>> 0, type };
    const base = symbols.get(at[2]!);
    if (base === undefined) return `unknown symbol '${at[2]}'`;
    return { kind: 'memory', address: (base + (at[3] !== undefined ? parseSigned(at[3]) : 0)) >>> 0, type };
  }
  if (/^-?(?:0x[0-9a-f]+|\d+)$/i.test(body)) return { kind: 'number', value: parseSigned(body) >>> 0, type };
  return `not a fetch arg: '${text.trim()}' (use %ax, +4(%sp), $stack, $stack2, @0xADDR, @symbol or a number)`;
}

function parseSigned(text: string): number {
  const negative = text.startsWith('-');
  const n = Number(text.replace(/^[+-]/, ''));
  return negative ? -n : n;
}

/** The 32-bit value of a fetch arg before its type is applied; null when memory is unreadable. */
function raw(f: Fetch, ctx: FetchContext): number | null {
  switch (f.kind) {
    case 'reg': return ctx.regs[f.name] >>> 0;
    case 'number': return f.value;
    case 'memory': return ctx.machine.memory.peek32(f.address);
    case 'stack': return f.index === null ? ctx.regs.sp >>> 0 : ctx.machine.memory.peek32(ctx.regs.sp + 4 * f.index);
    case 'deref': {
      const base = raw(f.inner, ctx);
      return base === null ? null : ctx.machine.memory.peek32(base + f.offset);
    }
  }
}

/** The value with its type applied (a signed type gives a negative number). */
export function fetchValue(f: Fetch, ctx: FetchContext): number | null {
  const v = raw(f, ctx);
  if (v === null) return null;
  const masked = f.type.bits === 32 ? v >>> 0 : v & ((1 << f.type.bits) - 1);
  return f.type.signed && masked >= 2 ** (f.type.bits - 1) ? masked - 2 ** f.type.bits : masked;
}

function formatFetched(f: Fetch, ctx: FetchContext): string {
  const v = fetchValue(f, ctx);
  if (v === null) return '(fault)';
  return f.type.hex ? `0x${v.toString(16)}` : String(v);
}

export type Condition = (ctx: FetchContext) => boolean;

/** `%ax == 3`, `+4(%sp) > 0x10`, `%flags & 0x40`, or one fetch arg (true when non-zero). */
export function parseCondition(text: string, symbols: ReadonlyMap<string, number>): Condition | string {
  const m = /^(.*?)\s*(==|!=|<=|>=|<|>|&)\s*(.*)$/.exec(text.trim());
  const left = parseFetchArg(m ? m[1]! : text, symbols);
  if (typeof left === 'string') return left;
  if (!m) return (ctx) => (fetchValue(left, ctx) ?? 0) !== 0;
  const right = parseFetchArg(m[3]!, symbols);
  if (typeof right === 'string') return right;
  const op = m[2]!;
  return (ctx) => {
    const a = fetchValue(left, ctx);
    const b = fetchValue(right, ctx);
    if (a === null || b === null) return false;
    switch (op) {
      case '==': return a === b;
      case '!=': return a !== b;
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
      default: return (a & b) !== 0;
    }
  };
}

/** One fetch arg's value as text (hex, or decimal for a u/s type), or the error. */
export function evaluateFetchArg(text: string, ctx: FetchContext): { value: string } | { error: string } {
  // A bare register name (eax, %eax or ax) reads as the register.
  const f = parseFetchArg(/^[a-z]+$/i.test(text.trim()) && REGISTER_ALIASES[text.trim().toLowerCase()] !== undefined ? `%${text.trim()}` : text, ctx.symbols);
  if (typeof f === 'string') return { error: f };
  return fetchValue(f, ctx) === null ? { error: `cannot read memory for ${text.trim()}` } : { value: formatFetched(f, ctx) };
}

/** A logpoint message: text with `{fetcharg}` parts, rendered per hit. */
export function parseLogMessage(text: string, symbols: ReadonlyMap<string, number>): ((ctx: FetchContext) => string) | string {
  const parts: Array<string | Fetch> = [];
  let rest = text;
  for (let m = /\{([^}]*)\}/.exec(rest); m !== null; m = /\{([^}]*)\}/.exec(rest)) {
    parts.push(rest.slice(0, m.index));
    const f = parseFetchArg(m[1]!, symbols);
    if (typeof f === 'string') return f;
    parts.push(f);
    rest = rest.slice(m.index + m[0].length);
  }
  parts.push(rest);
  return (ctx) => parts.map((p) => (typeof p === 'string' ? p : formatFetched(p, ctx))).join('');
}

/** A hit condition: `N` or `==N` (the Nth hit), `>=N`, `>N`, `%N` (every Nth); a string is the error. */
export function parseHitCondition(text: string): ((hit: number) => boolean) | string {
  const m = /^\s*(==|>=|>|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return `hit condition '${text}': use N, ==N, >=N, >N or %N`;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>=': return (hit) => hit >= n;
    case '>': return (hit) => hit > n;
    case '%': return (hit) => n > 0 && hit % n === 0;
    default: return (hit) => hit === n;
  }
}
