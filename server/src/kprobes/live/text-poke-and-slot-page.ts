// The only two ways the engine writes to the machine's memory: text poking (arming and disarming
// the int3 over a probed instruction, installing and removing an optprobe's jump, recording the
// bytes they cover) and executable pages of fixed-size slots: the instruction copies (slot size 16
// on 2.6.x, 15 on 6.1) and the optprobes' detour buffers.

import { PAGE_SIZE, type Machine } from '../../cpu';

export const INT3 = 0xcc;

/**
 * The one text-poking path: writes bytes of text (the int3 of arming, the optprobe's jmp rel32, the
 * originals put back) and returns the bytes they replaced; null when the range is not mapped.
 */
export function pokeTextBytes(machine: Machine, address: number, bytes: readonly number[]): Uint8Array | null {
  const old = machine.memory.readBytes(address, bytes.length);
  if (!(old instanceof Uint8Array)) return null;
  const written = machine.memory.writeBytes(address, Uint8Array.from(bytes));
  return written.error === null ? Uint8Array.from(old) : null;
}

/** One byte through pokeTextBytes; returns the byte it replaced. */
export function pokeText(machine: Machine, address: number, byte: number): number | null {
  const old = pokeTextBytes(machine, address, [byte]);
  return old === null ? null : old[0]!;
}

/** A page of fixed-size instruction slots, filled with int3 like the kernel's insn pages. */
export class SlotPage {
  private readonly free: number[] = [];
  private readonly used = new Set<number>();

  private constructor(private readonly machine: Machine, readonly base: number, readonly slotSize: number) {
    for (let k = Math.floor((PAGE_SIZE - 16) / slotSize) - 1; k >= 0; k--) this.free.push(base + k * slotSize);
  }

  /** Maps the page read+execute (the engine writes through writeBytes, as text_poke does). */
  static create(machine: Machine, base: number, slotSize: number): SlotPage | { error: string } {
    const mapped = machine.memory.map(base, PAGE_SIZE, 'rx');
    if (mapped.error !== null) return { error: `slot page at 0x${base.toString(16)}: ${mapped.error}` };
    machine.memory.writeBytes(base, new Uint8Array(PAGE_SIZE).fill(INT3));
    return new SlotPage(machine, base, slotSize);
  }

  /** An address inside the page that never holds a slot (used as a return sentinel). */
  get sentinel(): number {
    return this.base + PAGE_SIZE - 1;
  }

  allocate(): number | null {
    const slot = this.free.pop();
    if (slot === undefined) return null;
    this.used.add(slot);
    return slot;
  }

  write(address: number, bytes: Uint8Array | number[]): void {
    this.machine.memory.writeBytes(address, Uint8Array.from(bytes));
  }

  release(slot: number): void {
    if (!this.used.delete(slot)) return;
    this.write(slot, new Uint8Array(this.slotSize).fill(INT3));
    this.free.push(slot);
  }

  contains(address: number, slot: number): boolean {
    return address >= slot && address < slot + this.slotSize;
  }
}

/** The 5-byte `jmp rel32` from `at` to `to`. */
export function jmpRel32(at: number, to: number): number[] {
  const d = (to - (at + 5)) >>> 0;
  return [0xe9, d & 0xff, (d >>> 8) & 0xff, (d >>> 16) & 0xff, d >>> 24];
}
