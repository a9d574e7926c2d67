// Protected-mode privilege checks (no virtual-8086 mode, no VME/PVI virtual interrupt flags):
// ring-0-only instructions (the table's `privileged` rows, SDM Vol. 3A 5.9), the IOPL-sensitive
// cli/sti (Vol. 2A CLI, Vol. 2B STI), I/O through the TSS's I/O permission bitmap when CPL > IOPL
// (Vol. 1 19.5), and which EFLAGS bits popf and iret may change at the current CPL (Vol. 2B POPF).

import type { OpcodeEntry } from '../isa';
import type { Handler } from './instruction-record';
import type { Machine } from './machine';
import { fault } from './cpu-signals';
import { currentPrivilegeLevel, descriptorBase, descriptorLimit, readDescriptor } from './descriptor-tables';
import { IF, IOPL } from './eflags-bits';

/** Handlers of privileged rows that check CPL themselves, after a fault the CPU reports first. */
const checksOwnPrivilege = new WeakSet<Handler>();

/**
 * The table's `privileged` fact, enforced: #GP(0) at CPL > 0 (each instruction's SDM exceptions).
 * The dispatch table applies it to every privileged row's handler.
 */
export function ring0Only(entry: OpcodeEntry, handler: Handler): Handler {
  if (!entry.privileged || checksOwnPrivilege.has(handler)) return handler;
  return (m, i) => {
    if (currentPrivilegeLevel(m) !== 0) throw fault(13, `${entry.mnemonic} at CPL ${currentPrivilegeLevel(m)}: general protection`);
    handler(m, i);
  };
}

/** A handler that raises an earlier fault (#UD) and then calls ring0Only itself. */
export function withOwnPrivilegeCheck(handler: Handler): Handler {
  checksOwnPrivilege.add(handler);
  return handler;
}

function ioPrivilegeLevel(m: Machine): number {
  return (m.eflagsStored & IOPL) >>> 12;
}

/** cli/sti: #GP(0) when CPL > IOPL. */
export function requireIopl(m: Machine, mnemonic: string): void {
  const cpl = currentPrivilegeLevel(m);
  if (cpl > ioPrivilegeLevel(m)) throw fault(13, `${mnemonic} at CPL ${cpl} above IOPL ${ioPrivilegeLevel(m)}: general protection`);
}

/** TSS offset of the 16-bit I/O map base. */
const IO_MAP_BASE_FIELD = 0x66;

/**
 * in/out/ins/outs of `size` bytes at `port`: allowed when CPL <= IOPL, else only when the TR's TSS
 * has an I/O permission bitmap whose bits for every byte of the access are 0 (the CPU reads two
 * bitmap bytes, both within the TSS limit). Otherwise #GP(0). A TSS whose bytes are not mapped
 * (the built-in one: base 0, limit 0x67, no memory there) has no bitmap, as Linux's user TSS has
 * none by default.
 */
export function requireIoPermission(m: Machine, port: number, size: number, mnemonic: string): void {
  const cpl = currentPrivilegeLevel(m);
  if (cpl <= ioPrivilegeLevel(m) || ioBitmapAllows(m, port, size)) return;
  throw fault(13, `${mnemonic} of port 0x${port.toString(16)} at CPL ${cpl} above IOPL ${ioPrivilegeLevel(m)}, not in the TSS I/O bitmap: general protection`);
}

function ioBitmapAllows(m: Machine, port: number, size: number): boolean {
  const tss = readDescriptor(m, m.descriptorTables.tr);
  if (tss === null) return false;
  const base = descriptorBase(tss);
  const limit = descriptorLimit(tss);
  if (limit < IO_MAP_BASE_FIELD + 1) return false;
  const field = m.memory.readBytes((base + IO_MAP_BASE_FIELD) >>> 0, 2);
  if (!(field instanceof Uint8Array)) return false;
  const at = (field[0]! | (field[1]! << 8)) + (port >>> 3);
  if (at + 1 > limit) return false;
  const bits = m.memory.readBytes((base + at) >>> 0, 2);
  if (!(bits instanceof Uint8Array)) return false;
  const mask = ((1 << size) - 1) << (port & 7);
  return ((bits[0]! | (bits[1]! << 8)) & mask) === 0;
}

/**
 * The EFLAGS bits popf (and iret to the same level) may change, from `writable`, the CPL 0 set:
 * IOPL only at CPL 0, IF only when CPL <= IOPL; the others stay unchanged without a fault.
 */
export function flagsWritableAtCpl(m: Machine, writable: number): number {
  const cpl = currentPrivilegeLevel(m);
  if (cpl === 0) return writable;
  return writable & ~IOPL & (cpl > ioPrivilegeLevel(m) ? ~IF : ~0);
}
