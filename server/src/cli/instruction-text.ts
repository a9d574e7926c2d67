// Decoding one instruction for a listing and producing its text column as objdump would:
// the formatter's text, branch targets annotated `c10002a0 <foo+0x10>` when the file has
// symbols, and objdump's spelling for an instruction cut off by the next symbol or the end of
// the range (`lock`, `data16`... for a lone prefix, `.byte 0x8b` otherwise).

import { decode, formatAtt, formatIntel } from '../isa';
import type { DecodedInstruction } from '../isa';
import { hexTrimmed } from './objdump-line-layout';

export type Syntax = 'att' | 'intel';

/** objdump's names for a legacy prefix shown on its own. */
const PREFIX_NAMES: Record<number, string> = {
  0xf0: 'lock', 0xf2: 'repnz', 0xf3: 'repz', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x26: 'es',
  0x64: 'fs', 0x65: 'gs', 0x66: 'data16', 0x67: 'addr16',
};

/** The longest instruction; decoding never looks further. */
const WINDOW = 15;
const scratch = new Uint8Array(WINDOW);

export interface ListedInstruction {
  /** Bytes the line covers. */
  length: number;
  text: string;
  insn: DecodedInstruction | null;
}

/**
 * Decodes the instruction at `offset` of `data` (address `address`) where at most
 * `available` bytes belong to the range being listed. `describeTarget` turns a branch target
 * into objdump's `target <sym+off>` text, or null to keep the formatter's `0x...`.
 */
export function listInstruction(
  data: Uint8Array,
  offset: number,
  available: number,
  address: number,
  syntax: Syntax,
  describeTarget: ((target: number) => string) | null,
): ListedInstruction {
  let insn: DecodedInstruction;
  if (available >= WINDOW) {
    insn = decode(data, offset, address);
  } else {
    // Only the bytes before the stop may be used: zeros after them make any instruction that
    // needs more bytes come out longer than `available`, which is all we need to know.
    scratch.fill(0);
    scratch.set(data.subarray(offset, offset + available));
    insn = decode(scratch, 0, address);
  }
  if (insn.length > available) {
    const first = data[offset]!;
    return { length: 1, text: PREFIX_NAMES[first] ?? `.byte 0x${hexTrimmed(first)}`, insn: null };
  }
  let text = syntax === 'intel' ? formatIntel(insn) : formatAtt(insn);
  if (describeTarget !== null && insn.valid) {
    for (const op of insn.operands) {
      if (op.kind !== 'rel') continue;
      const plain = `0x${hexTrimmed(op.target)}`;
      let at = text.lastIndexOf(plain);
      // The target must not be the start of a longer number.
      while (at >= 0 && /[0-9a-f]/.test(text[at + plain.length] ?? '')) at = at === 0 ? -1 : text.lastIndexOf(plain, at - 1);
      if (at >= 0) text = text.slice(0, at) + describeTarget(op.target >>> 0) + text.slice(at + plain.length);
    }
  }
  return { length: insn.length, text, insn };
}
