// All VEX-encoded rows (C4/C5 in 32-bit mode when the next byte's top two bits are 11): the
// three opcode maps, gathered here for the table compiler. AVX-512 opmask instructions (kmovw,
// kandw, ...) are left out on purpose: the engine targets i386 kernels, which never use them.

import { op, type OpcodeRow } from './opcode-row-schema';
import { VEX_0F_ROWS } from './opcode-table-vex-0f';
import { VEX_0F38_ROWS } from './opcode-table-vex-0f38';
import { VEX_0F3A_ROWS } from './opcode-table-vex-0f3a';


/**
 * The AVX2 gathers (VEX.66.0F38 90-93). Their VSIB memory operand needs a SIB byte whose index is an xmm/ymm register (ModRM.mod
 * != 3 and ModRM.rm = 100b, else #UD), and the destination, index and mask (VEX.vvvv) registers
 * must all differ (else #UD, and iced-x86 reports invalid). `M` gives the element size and the
 * `vsib` fact the index register's width; the decoder checks the rest.
 */
export const VEX_GATHER_ROWS: OpcodeRow[] = [
  // opcode, W, mnemonic, element size, destination and mask sizes, index size at VEX.256
  ['90', 'W0', 'vpgatherdd', 'd', 'x', 'x', 'x'],
  ['90', 'W1', 'vpgatherdq', 'q', 'x', 'x', 'dq'],
  ['91', 'W0', 'vpgatherqd', 'd', 'dq', 'dq', 'x'],
  ['91', 'W1', 'vpgatherqq', 'q', 'x', 'x', 'x'],
  ['92', 'W0', 'vgatherdps', 'd', 'x', 'x', 'x'],
  ['92', 'W1', 'vgatherdpd', 'q', 'x', 'x', 'dq'],
  ['93', 'W0', 'vgatherqps', 'd', 'dq', 'dq', 'x'],
  ['93', 'W1', 'vgatherqpd', 'q', 'x', 'x', 'x'],
].flatMap(([opcode, w, m, element, destination, mask, index]) =>
  (['128', '256'] as const).map((length) => {
    const indexWidth = index === 'dq' || length === '128' ? 'xmm' : 'ymm';
    return op(`VEX.${length}.66.0F38.${w} ${opcode} /r mem`, m, `V${destination},M${element},H${mask}`, {
      ext: 'AVX2',
      vsib: indexWidth,
    });
  }),
);

export const VEX_ROWS: OpcodeRow[] = [...VEX_0F_ROWS, ...VEX_0F38_ROWS, ...VEX_0F3A_ROWS, ...VEX_GATHER_ROWS];
