// Seeded random byte sequences for fuzzing the decoder, biased toward the interesting parts of
// the opcode space (prefixes, the 0F/0F38/0F3A maps, VEX, x87), plus a coarse name for where a
// sequence's opcode lies, used to group disagreements in reports.

/** Bytes of one random sequence: the longest legal instruction. */
export const SEQUENCE_BYTES = 15;

/** xorshift32: small, fast and reproducible from a 32-bit seed (0 is replaced). */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  byte(): number {
    return this.next() >>> 24;
  }
  /** 0 <= result < n. */
  below(n: number): number {
    return Math.floor((this.next() / 0x100000000) * n);
  }
}

const LEGACY_PREFIXES = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

/** Writes SEQUENCE_BYTES biased random bytes at out[at..]. */
export function fillBiasedSequence(rng: SeededRandom, out: Uint8Array, at: number): void {
  for (let i = 0; i < SEQUENCE_BYTES; i++) out[at + i] = rng.byte();
  let p = at;
  if (rng.below(100) < 30) {
    const count = 1 + rng.below(rng.below(10) === 0 ? 14 : 3);
    for (let i = 0; i < count; i++) out[p++] = LEGACY_PREFIXES[rng.below(LEGACY_PREFIXES.length)]!;
  }
  const kind = rng.below(100);
  if (kind < 20) {
    out[p] = 0x0f;
  } else if (kind < 27) {
    out[p] = 0x0f;
    out[p + 1] = 0x38;
  } else if (kind < 32) {
    out[p] = 0x0f;
    out[p + 1] = 0x3a;
  } else if (kind < 38) {
    // Three-byte VEX: top bits 11 make it VEX (not LES) in 32-bit mode; maps 1-3 most of the time.
    out[p] = 0xc4;
    out[p + 1] = 0xc0 | (rng.below(4) === 0 ? rng.byte() & 0x3f : 0x20 | (1 + rng.below(3)));
  } else if (kind < 43) {
    out[p] = 0xc5;
    out[p + 1] |= 0xc0;
  } else if (kind < 51) {
    out[p] = 0xd8 + rng.below(8);
  } else if (kind < 54) {
    // Encodings of extensions kboost does not model (EVEX, XOP, 3DNow!): must stay excluded or invalid.
    const escape = [[0x62, 0xc0], [0x8f, 0xe8], [0x0f, 0x0f]][rng.below(3)]!;
    out[p] = escape[0]!;
    out[p + 1] = escape[0] === 0x0f ? 0x0f : out[p + 1]! | escape[1]!;
  }
}

export function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const PREFIX_SET = new Set(LEGACY_PREFIXES);
const hex2 = (b: number | undefined) => (b ?? 0).toString(16).padStart(2, '0');

export interface OpcodePosition {
  /** 'primary', 'x87', '0f', '0f38', '0f3a', 'vex 0f', 'vex 0f38', 'vex 0f3a', 'vex map<n>'. */
  map: string;
  /** The last of 66/F2/F3 before the opcode (VEX: its pp), as hex, or ''. */
  prefix: string;
  opcode: number;
}

/** Where the opcode of a byte sequence lies, read without our decoder (for grouping reports). */
export function opcodePositionOf(bytes: Uint8Array): OpcodePosition {
  let i = 0;
  let prefix = '';
  while (i < bytes.length && PREFIX_SET.has(bytes[i]!)) {
    const b = bytes[i]!;
    if (b === 0x66 || b === 0xf2 || b === 0xf3) prefix = hex2(b);
    i++;
  }
  const b0 = bytes[i] ?? 0;
  const b1 = bytes[i + 1] ?? 0;
  if (b0 === 0x0f) {
    if (b1 === 0x38 || b1 === 0x3a) return { map: `0f${hex2(b1)}`, prefix, opcode: bytes[i + 2] ?? 0 };
    return { map: '0f', prefix, opcode: b1 };
  }
  if ((b0 === 0xc4 || b0 === 0xc5) && b1 >= 0xc0) {
    const pp = ['', '66', 'f3', 'f2'];
    if (b0 === 0xc5) return { map: 'vex 0f', prefix: pp[(bytes[i + 1] ?? 0) & 3]!, opcode: bytes[i + 2] ?? 0 };
    const map = ['map0', '0f', '0f38', '0f3a'][b1 & 0x1f] ?? `map${b1 & 0x1f}`;
    return { map: `vex ${map}`, prefix: pp[(bytes[i + 2] ?? 0) & 3]!, opcode: bytes[i + 3] ?? 0 };
  }
  return { map: b0 >= 0xd8 && b0 <= 0xdf ? 'x87' : 'primary', prefix, opcode: b0 };
}

/** "d9", "f3 0f b8", "66 0f38 f0", "vex f2 0f38 f7": map, prefix that may be mandatory, opcode. */
export function describeOpcodePosition(bytes: Uint8Array): string {
  const p = opcodePositionOf(bytes);
  const map = p.map === 'primary' || p.map === 'x87' ? '' : `${p.map} `;
  const prefix = p.prefix === '' || p.map === 'primary' || p.map === 'x87' ? '' : `${p.prefix} `;
  return map.startsWith('vex ') ? `vex ${prefix}${map.slice(4)}${hex2(p.opcode)}` : `${prefix}${map}${hex2(p.opcode)}`;
}
