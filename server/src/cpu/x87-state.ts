// x87 FPU state: eight 80-bit registers (exact extended reals, see x87-extended-real.ts), the
// stack top, the empty flags behind the tag word, and the status and control words.

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

  clone(): X87State {
    const c = new X87State();
    for (let p = 0; p < 8; p++) c.regs[p] = this.regs[p]!;
    c.empty.set(this.empty);
    c.top = this.top;
    c.status = this.status;
    c.control = this.control;
    return c;
  }

  statusWord(): number {
    return (this.status & ~0x3800) | ((this.top & 7) << 11);
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

  reset(): void {
    this.regs.fill(EXT_ZERO);
    this.empty.fill(1);
    this.top = 0;
    this.status = 0;
    this.control = 0x037f;
  }
}
