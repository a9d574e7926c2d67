// The words of a hit's stages as the debugger shows them (stop descriptions, the "Hit stages"
// scope): one sentence per engine event, with the probed place and addresses named. The events
// themselves come from the engine (live-probe-types.ts ProbeEvent); this file only words them.
// A handler's stages name its assembly label and, at leave, the registers it changed (the caller
// compares the registers recorded at enter and leave).

import { hex } from '../cpu';
import type { ProbeEvent } from '../kprobes/live';

/** What the session knows of a handler stage: the user's label (null: the adapter's own) and, at leave, the changes. */
export interface HandlerStageDetail {
  label: string | null;
  changed?: string[];
}

export function hitStageWords(e: ProbeEvent, name: (address: number) => string, handler?: HandlerStageDetail): string {
  const at = name(e.address);
  switch (e.kind) {
    case 'trap': return `int3 trap at ${at} (hit ${e.hit})`;
    case 'reenter': return `re-entry at ${at} while ${name(e.outer)} is handled: no handlers, nmissed=${e.nmissed}`;
    case 'handler-enter': return `${e.handler}_handler${labelWords(handler)} of probe ${e.probe} called (kprobe_status ${e.status})`;
    case 'handler-leave': return `${e.handler}_handler${labelWords(handler)} of probe ${e.probe} returned ${e.result}${changedWords(handler)}`;
    case 'ip-changed-by-handler': return `the pre_handler set the IP to ${name(e.ip)}: no step`;
    case 'slot-enter':
      return e.mode === 'boosted'
        ? `the copy of ${at} entered boosted in its slot at 0x${hex(e.slot)} (a jump back follows it, no second trap)`
        : `the copy of ${at} entered single-stepped in its slot at 0x${hex(e.slot)}`;
    case 'jump-back': return `the slot's jump back from 0x${hex(e.from)} to ${name(e.to)} taken`;
    case 'step-trap': return e.by === 'tf' ? `single-step trap (#DB, TF) after the copy, IP 0x${hex(e.ip)}` : `the int3 after the copy trapped, IP 0x${hex(e.ip)}`;
    case 'fixup': return `fix-up: ${e.rule} (IP 0x${hex(e.ipBefore)} -> ${name(e.ipAfter)})`;
    case 'jump-back-written': return `a jump back written into the slot at 0x${hex(e.at)}: the next hits are boosted`;
    case 'boostable': return `boostable ${e.from} -> ${e.to}`;
    case 'emulate': return `emulated (${e.op}): IP -> ${name(e.ipAfter)}`;
    case 'resume': return `resume at ${name(e.ip)}`;
    case 'stale-int3': return `stale int3 at ${at}: the probe went away, the original instruction runs`;
    case 'optimized': return `optimized: the int3 at ${at} became a jmp to the detour buffer at 0x${hex(e.buffer)} (${e.copied} bytes copied)`;
    case 'unoptimized': return `unoptimized ${at}: ${e.reason}`;
    case 'slot-tail': return `the slot of ${at} now ends in ${e.boosted ? 'a jump back' : 'an int3'}: ${e.reason}`;
    case 'detour': return `optprobe detour of ${at}: optimized_callback (hit ${e.hit}), back to ${name(e.returnTo)} after the copied instructions`;
    case 'arm': return `armed ${at} (int3 over 0x${e.original.toString(16).padStart(2, '0')})`;
    case 'disarm': return `disarmed ${at}`;
    case 'kretprobe-entry': return `kretprobe entry at ${at}: return address 0x${hex(e.returnAddress)} replaced by the trampoline`;
    case 'kretprobe-missed': return `kretprobe at ${at} missed (nmissed=${e.nmissed})`;
    case 'kretprobe-return': return `kretprobe return through the ${e.via === 'booster' ? 'booster' : 'int3'} trampoline to ${name(e.to)}, return value 0x${hex(e.returnValue)}`;
    case 'fatal': return `kernel BUG at ${at}: ${e.message}`;
  }
}

function labelWords(h: HandlerStageDetail | undefined): string {
  return h?.label != null ? ` ${h.label}` : '';
}

function changedWords(h: HandlerStageDetail | undefined): string {
  if (h?.changed === undefined) return '';
  return h.changed.length === 0 ? '; no register changed' : `; changed ${h.changed.join(', ')}`;
}
