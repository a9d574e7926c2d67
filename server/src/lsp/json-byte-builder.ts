// Writes JSON text as ASCII bytes into one growing buffer: constant pieces are copied from bytes
// prepared once, numbers are written digit by digit. Building a 10 MB diagnostics message this
// way costs a few milliseconds, where joining 50,000 strings and encoding them costs several times
// that. Room is kept before the first byte for the message envelope (see PreparedJson).

/** A piece of ASCII text prepared once as bytes. */
export function asciiBytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** Copies `b` into `buf` at `at`; returns the position after it. */
export function putBytes(buf: Uint8Array, at: number, b: Uint8Array): number {
  const n = b.length;
  // A loop beats set()'s call overhead on short pieces.
  if (n < 32) for (let i = 0; i < n; i++) buf[at + i] = b[i]!;
  else buf.set(b, at);
  return at + n;
}

/** The number of decimal digits of a non-negative integer. */
export function digitCount(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7 : String(n).length;
}

/** Writes a non-negative integer (at most 15 digits) at `at`; returns the position after it. */
export function putInt(buf: Uint8Array, at: number, n: number): number {
  if (n < 10) {
    buf[at] = 48 + n;
    return at + 1;
  }
  const end = at + digitCount(n);
  let i = end;
  if (n <= 0x7fffffff) {
    // Int32 arithmetic: a division by 10 compiles to a multiplication.
    let t = n | 0;
    while (t > 0) {
      const q = (t / 10) | 0;
      buf[--i] = 48 + t - q * 10;
      t = q;
    }
  } else {
    for (let t = n; t > 0; t = Math.floor(t / 10)) buf[--i] = 48 + (t % 10);
  }
  return end;
}

/**
 * Writes line number `to` over `from` (as many digits, ending before `end`), rewriting only the
 * low digits that differ: moved by a few lines, a number mostly changes in its last digit.
 */
export function rewriteDigits(buf: Uint8Array, end: number, from: number, to: number): void {
  let a = from | 0;
  let b = to | 0;
  let at = end;
  while (a !== b) {
    const qb = (b / 10) | 0;
    buf[--at] = 48 + b - qb * 10;
    a = (a / 10) | 0;
    b = qb;
  }
}

export class JsonByteBuilder {
  private buffer: Buffer;
  /** Where the next byte goes. */
  position: number;

  /**
   * `recycled`: a buffer of an earlier message that has been written out, to be written over
   * (fresh memory costs page faults on every 4 KB of a 10 MB message).
   */
  constructor(readonly reserved: number, expected: number, recycled?: Buffer) {
    const size = reserved + Math.max(expected, 1024);
    // A new buffer has room to spare, so that it is recycled as the document grows by a few lines.
    this.buffer = recycled !== undefined && recycled.length >= size ? recycled : Buffer.allocUnsafe(size + (size >> 3));
    this.position = reserved;
  }

  /** The buffer, with room for `n` more bytes from `position` (write, then move `position`). */
  reserve(n: number): Buffer {
    if (this.position + n > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.position + n));
      this.buffer.copy(bigger, 0, 0, this.position);
      this.buffer = bigger;
    }
    return this.buffer;
  }

  bytes(b: Uint8Array): void {
    this.position = putBytes(this.reserve(b.length), this.position, b);
  }

  /** The bytes written, with the reserved room before them and one byte after them. */
  finish(): { buffer: Buffer; start: number; end: number } {
    // The byte after the end is for the envelope's closing brace.
    return { buffer: this.reserve(1), start: this.reserved, end: this.position };
  }
}
