// Writes JSON text as ASCII bytes into one growing buffer: constant pieces are copied from bytes
// prepared once, numbers are written digit by digit. Building a 10 MB diagnostics message this
// way costs a few milliseconds, where joining 50,000 strings and encoding them costs several times
// that. Room is kept before the first byte for the message envelope (see PreparedJson).

/** A piece of ASCII text prepared once as bytes. */
export function asciiBytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

export class JsonByteBuilder {
  private buffer: Buffer;
  private at: number;

  constructor(readonly reserved: number, expected: number) {
    this.buffer = Buffer.allocUnsafe(reserved + Math.max(expected, 1024));
    this.at = reserved;
  }

  /** Makes sure `n` more bytes fit. */
  private room(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + n));
    this.buffer.copy(bigger, 0, 0, this.at);
    this.buffer = bigger;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    // A loop beats set()'s call overhead on the short pieces most calls write.
    if (n < 48) {
      const buf = this.buffer;
      const at = this.at;
      for (let i = 0; i < n; i++) buf[at + i] = b[i]!;
    } else this.buffer.set(b, this.at);
    this.at += n;
  }

  /** A non-negative integer. */
  int(n: number): void {
    this.room(16);
    const buf = this.buffer;
    if (n < 10) {
      buf[this.at++] = 48 + n;
      return;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    let i = this.at + digits;
    for (let t = n; t > 0; t = Math.floor(t / 10)) buf[--i] = 48 + (t % 10);
    this.at += digits;
  }

  /** The bytes written, with the reserved room before them. */
  finish(): { buffer: Buffer; start: number; end: number } {
    // One byte after the end too, for the envelope's closing brace.
    this.room(1);
    return { buffer: this.buffer, start: this.reserved, end: this.at };
  }
}
