// Per-opcode facts that Linux's own x86 tables record and that the kprobe profiles read. They are
// part of the opcode table: the compiler copies them into every entry of the opcode they name, so
// the profiles read entry facts and never keep an opcode list of their own.
//
// Sources (facts, written in our own words): the i386 kprobes booster's two-byte bitmap, as merged
// in June 2006 and unchanged through 6.1 except for 0F 1F (nopl), and the kernel instruction
// decoder's opcode map, which gives no ModRM to a few two-byte opcodes.

/** Parses "02-03 06 08-09" into opcode bytes. */
function byteRanges(text: string): ReadonlySet<number> {
  const bytes = new Set<number>();
  for (const part of text.trim().split(/\s+/)) {
    const [from, to = from] = part.split('-').map((h) => parseInt(h, 16)) as [number, number?];
    for (let b = from; b <= (to ?? from); b++) bytes.add(b);
  }
  return bytes;
}

/** Second bytes of 0F xx opcodes in the booster's `twobyte_is_boostable` bitmap of linux-2.6.18. */
export const KERNEL_TWO_BYTE_BOOSTABLE_2_6_18 = byteRanges(
  '02-03 06 08-09 20-23 31 40-4F 60-6B 6E-6F 74-77 7E-7F 90-9F A0-A1 A3-A5 A8-A9 AB-AD AF B0-B7 BB-BF ' +
    'C0-C1 C8-CF D1-D3 D5 D8-D9 DB-DD DF E1-E2 E5 E8-E9 EB-ED EF F1-F3 F5 F8-FA FC-FE',
);

/** The same bitmap in linux-6.1: 0F 1F (the multi-byte nop) was added. */
export const KERNEL_TWO_BYTE_BOOSTABLE_6_1 = new Set([...KERNEL_TWO_BYTE_BOOSTABLE_2_6_18, 0x1f]);

/**
 * Two-byte opcodes that the kernel's instruction decoder (arch/x86/lib/x86-opcode-map.txt in 6.1)
 * decodes without a ModRM byte, so its length for them is shorter than the CPU's.
 */
export const KERNEL_DECODER_MISSES_MODRM = byteRanges('19 1D 24 26 FF');
