// The detour buffer of a 6.1 optprobe on i386, modelled on the kernel's optprobe template: build a
// struct pt_regs on the stack (ss, the 'sp - 4' that the callback fixes, flags, a 3-byte nop where
// SMAP kernels put clac, cs/ip/orig_ax/gs skipped, then fs es ds ax bp di si dx cx bx), pass it in
// %edx with the probe in %eax (regparm), call the callback, copy regs->flags into regs->ss, restore
// the general registers, drop flags and sp, and popf from the ss slot. The copied instructions and
// the jmp back to the address after them follow. The template is written in assembly and put
// through our own assembler once; the call is an `int1` the engine turns into a host call (as the
// kretprobe booster's trampoline does), standing for `call optimized_callback`.

import { assemble } from '../../asm';
import { jmpRel32 } from './text-poke-and-slot-page';

const TEMPLATE_SOURCE = `
.text
optprobe_template_entry:
  push %ss
  push %esp
  pushf
  nopl (%eax)
  sub $16, %esp
  push %fs
  push %es
  push %ds
  push %eax
  push %ebp
  push %edi
  push %esi
  push %edx
  push %ecx
  push %ebx
  mov %esp, %edx
optprobe_template_val:
  mov $0, %eax
optprobe_template_call:
  int1
  mov 14*4(%esp), %edx
  mov %edx, 16*4(%esp)
  pop %ebx
  pop %ecx
  pop %edx
  pop %esi
  pop %edi
  pop %ebp
  pop %eax
  add $7*4, %esp
  add $8, %esp
  popf
optprobe_template_end:
`;

interface Template {
  bytes: Uint8Array;
  /** Offsets of the `mov $op, %eax` immediate and of the callout. */
  valImmediate: number;
  call: number;
}

let template: Template | null = null;

function detourTemplate(): Template {
  if (template !== null) return template;
  const image = assemble(TEMPLATE_SOURCE);
  const text = image.sections.find((s) => s.name === '.text');
  const at = (name: string) => image.symbols.find((s) => s.name === name)?.value;
  const val = at('optprobe_template_val');
  const call = at('optprobe_template_call');
  const end = at('optprobe_template_end');
  if (image.diagnostics.length > 0 || text === undefined || val === undefined || call === undefined || end !== text.size) {
    throw new Error(`the optprobe template does not assemble: ${image.diagnostics.map((d) => d.message).join('; ')}`);
  }
  return (template = { bytes: text.bytes.slice(0, text.size), valImmediate: val + 1, call });
}

/** Size of the template part of a detour buffer. */
export function detourTemplateSize(): number {
  return detourTemplate().bytes.length;
}

export interface DetourBuffer {
  bytes: number[];
  /** Address of the callout (the int1 standing for the call to optimized_callback). */
  callout: number;
  /** Address of the copied instructions and of the jmp back after them. */
  copiedAt: number;
  jumpBackAt: number;
}

/** The bytes of the detour buffer at `buffer` for the probe at `address`, given the copied instructions. */
export function buildDetourBuffer(buffer: number, address: number, copied: Uint8Array): DetourBuffer {
  const t = detourTemplate();
  const bytes = [...t.bytes];
  for (let k = 0; k < 4; k++) bytes[t.valImmediate + k] = (address >>> (8 * k)) & 0xff;
  const copiedAt = buffer + bytes.length;
  const jumpBackAt = copiedAt + copied.length;
  bytes.push(...copied, ...jmpRel32(jumpBackAt, address + copied.length));
  return { bytes, callout: buffer + t.call, copiedAt, jumpBackAt };
}
