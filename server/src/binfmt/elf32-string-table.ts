// Reading NUL-terminated names out of an ELF string table section, tolerating bad offsets.
//
// A corrupt or truncated file can point a name past its table; the name then reads as empty
// rather than failing the whole file, and the caller may report it.

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class StringTable {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {}

  static empty(): StringTable {
    return new StringTable(new Uint8Array(0), 0, 0);
  }

  /** The name at `offset` within the table, or '' when the offset is outside it. */
  nameAt(offset: number): string {
    const from = this.start + offset;
    if (offset < 0 || from >= this.end) return '';
    let to = this.bytes.indexOf(0, from);
    if (to < 0 || to > this.end) to = this.end;
    // Names are ASCII in practice; a plain loop avoids a decoder call per symbol.
    let ascii = true;
    for (let i = from; i < to; i++) if (this.bytes[i]! >= 0x80) { ascii = false; break; }
    if (!ascii) return utf8.decode(this.bytes.subarray(from, to));
    let s = '';
    for (let i = from; i < to; i += 4096) {
      s += String.fromCharCode(...this.bytes.subarray(i, Math.min(to, i + 4096)));
    }
    return s;
  }
}
