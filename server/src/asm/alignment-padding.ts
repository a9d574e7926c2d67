// Padding of `.align`/`.balign`/`.p2align` in code sections, as GNU as emits it for i386: the
// longest of its no-op patterns first (7-byte lea), the remainder last, and for gaps of more than
// 20 bytes a short jmp over the padding. These byte patterns were read off `as --32` output for
// every gap from 1 to 40 bytes; test/asm checks them against as.

/** GNU as's i386 no-op patterns by length; 5 has none of its own (4 + 1 is used). */
const NOP_PATTERNS: Record<number, number[]> = {
  1: [0x90],
  2: [0x66, 0x90], // xchg %ax,%ax
  3: [0x8d, 0x76, 0x00], // lea 0x0(%esi),%esi
  4: [0x8d, 0x74, 0x26, 0x00], // lea 0x0(%esi,%eiz,1),%esi
  6: [0x8d, 0xb6, 0x00, 0x00, 0x00, 0x00], // lea 0x0(%esi),%esi with disp32
  7: [0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00], // lea 0x0(%esi,%eiz,1),%esi with disp32
};

/** Longest gap GNU as fills with no-ops alone before it jumps over the padding instead. */
const LONGEST_NOP_RUN = 20;

function nopRun(count: number): number[] {
  const out: number[] = [];
  let left = count;
  while (left >= 7) {
    out.push(...NOP_PATTERNS[7]!);
    left -= 7;
  }
  if (left === 5) out.push(...NOP_PATTERNS[4]!, ...NOP_PATTERNS[1]!);
  else if (left > 0) out.push(...NOP_PATTERNS[left]!);
  return out;
}

/** The bytes that pad `count` bytes of a code section. */
export function codePadding(count: number): number[] {
  if (count <= LONGEST_NOP_RUN) return nopRun(count);
  return [0xeb, (count - 2) & 0xff, ...nopRun(count - 2)];
}

/** Bytes of padding to reach `alignment` from `offset`, or 0 when more than `max` would be needed. */
export function paddingSize(offset: number, alignment: number, max: number | null): number {
  if (alignment <= 1) return 0;
  const pad = (alignment - (offset % alignment)) % alignment;
  return max !== null && pad > max ? 0 : pad;
}
