// x87 FPU state: eight 80-bit registers (exact extended reals, see x87-extended-real.ts), the
// stack top, the empty flags behind the tag word, the status and control words, and the last
// instruction and data pointers fnstenv/fnsave/fxsave store.

import { EXT_ZERO, type Ext } from './x87-extended-real';

export class X87State {
  /** Physical registers R0..R7. */
  readonly regs: Ext[] = new Array<Ext>(8).fill(EXT_ZERO);
  /** 1 when a physical register is empty. */
  readonly empty = new Uint8Array(8).fill(1);
  top = 0;
  /** Status word without TOP (bits 11-13 are merged in when read). */
  status = 0;
  control = 0x037f;
  /** Last non-control instruction: offset, CS selector and 11-bit opcode (SDM Vol. 1 8.1.8, 8.1.9). */
  fip = 0;
  fcs = 0;
  fop = 0;
  /** Last memory operand of a non-control instruction: offset and segment selector. */
  fdp = 0;
  fds = 0;

  clone(): X87State {
    const c = new X87State();
    for (let p = 0; p < 8; p++) c.regs[p] = this.regs[p]!;
    c.empty.set(this.empty);
    c.top = this.top;
    c.status = this.status;
    c.control = this.control;
    c.fip = this.fip;
    c.fcs = this.fcs;
    c.fop = this.fop;
    c.fdp = this.fdp;
    c.fds = this.fds;
    return c;
  }

  /**
   * The status word: TOP merged in, and ES (with B, its copy) set while an exception flag is
   * unmasked in the control word, as the real CPU reports it after fldcw or fldenv.
   */
  statusWord(): number {
    const pending = (this.status & ~this.control & 0x3f) !== 0 ? 0x8080 : 0;
    return (this.status & ~0xb880) | ((this.top & 7) << 11) | pending;
  }

  /** Loads the control word: bits 13-15 read as 0 and bit 6 as 1 on real CPUs. */
  setControl(value: number): void {
    this.control = (value & 0x1f3f) | 0x40;
  }

  /** Tag word: 11 empty, 01 zero, 10 special (NaN, infinity), 00 valid. */
  tagWord(): number {
    let tags = 0;
    for (let p = 0; p < 8; p++) {
      const r = this.regs[p]!;
      const tag = this.empty[p] ? 3 : r.kind === 'zero' ? 1 : r.kind === 'normal' ? 0 : 2;
      tags |= tag << (2 * p);
    }
    return tags;
  }

  /** fninit: the data registers keep their contents, only tagged empty (as real CPUs do). */
  reset(): void {
    this.empty.fill(1);
    this.top = 0;
    this.status = 0;
    this.control = 0x037f;
    this.fip = this.fcs = this.fop = this.fdp = this.fds = 0;
  }
}
