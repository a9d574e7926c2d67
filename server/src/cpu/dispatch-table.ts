// Emulator dispatch built from the opcode table: one handler per OpcodeEntry.id, chosen by the
// entry's mnemonic from the family files. An entry no family handles raises #UD naming itself;
// a row the table marks privileged raises #GP(0) above CPL 0 (privilege-checks.ts).

import type { OpcodeEntry } from '../isa';
import { fault } from './cpu-signals';
import type { Handler, Insn } from './instruction-record';
import type { Machine } from './machine';
import { FAMILIES } from './instruction-families';
import { ring0Only } from './privilege-checks';

/** A family maps mnemonics to factories; a factory may decline an entry by returning null. */
export type HandlerFactory = (entry: OpcodeEntry) => Handler | null;
export type HandlerFamily = Record<string, HandlerFactory>;

let factories: Map<string, HandlerFactory> | null = null;
const handlers: Array<Handler | null | undefined> = [];

function factoryMap(): Map<string, HandlerFactory> {
  if (factories === null) {
    factories = new Map();
    for (const family of FAMILIES) for (const [mnemonic, factory] of Object.entries(family)) factories.set(mnemonic, factory);
  }
  return factories;
}

/** The handler for an entry, built on first use; null when the instruction is not emulated. */
export function handlerFor(entry: OpcodeEntry): Handler | null {
  let h = handlers[entry.id];
  if (h === undefined) {
    const factory = entry.map === 'primary' || entry.vex === null ? factoryMap().get(entry.mnemonic) : undefined;
    h = entry.vex === null && factory ? factory(entry) : null;
    if (h !== null) h = ring0Only(entry, h);
    handlers[entry.id] = h;
  }
  return h;
}

export const notEmulatedHandler: Handler = (m: Machine, i: Insn) => {
  void m;
  throw fault(6, `not emulated: ${i.entry.mnemonic} at 0x${i.address.toString(16).padStart(8, '0')}`);
};
