// EFLAGS bit positions, the parity table, and the size masks the flag computations share.

export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const IOPL = 3 << 12;
export const NT = 1 << 14;
export const RF = 1 << 16;
export const VM = 1 << 17;
export const AC = 1 << 18;
export const ID = 1 << 21;
/** The six status flags. */
export const STATUS = CF | PF | AF | ZF | SF | OF;
/** Bit 1 always reads as 1. */
export const FIXED_ONE = 1 << 1;
/** Flags popf may change at ring 0 in protected mode (VM, VIF, VIP stay). */
export const POPF_WRITABLE = STATUS | TF | IF | DF | IOPL | NT | AC | ID | RF;

/** PF is set when the low byte of the result has an even number of one bits. */
export const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let bits = 0;
  for (let b = v; b; b >>= 1) bits += b & 1;
  PARITY[v] = bits % 2 === 0 ? PF : 0;
}

/** Index by size in bytes (1, 2, 4). */
export const SIZE_MASK = [0, 0xff, 0xffff, 0, 0xffffffff];
export const SIGN_BIT = [0, 0x80, 0x8000, 0, 0x80000000];
