// The "kboost" launch configuration (request "launch") read from untyped JSON into SessionLaunch:
// program, entry, profile, preemption, optprobes, optimizeDelay, registers, stopOnEntry, limit,
// handlers (assembly pre/post handlers by probe place) and postHandler (an empty post_handler on every probe).
// Never throws: a bad attribute is a message naming it.

import type { CpuRegisters } from '../cpu';
import { PROFILE_IDS, type ProfileId } from '../kprobes';
import { readHandlerAssignments, type HandlerAssignments } from '../kprobes/live';
import type { SessionLaunch } from './probed-program-session';

export interface LaunchConfiguration extends SessionLaunch {
  stopOnEntry: boolean;
}

const REGISTER_NAMES: ReadonlyArray<keyof CpuRegisters> = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eflags'];
const DEFAULT_LIMIT = 100_000_000;

/** A register value: a number, or a string in decimal or 0x hex; null when it is neither. */
export function registerValue(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff) return v >>> 0;
  if (typeof v !== 'string' || !/^\s*(?:-?\d+|0x[0-9a-f]+)\s*$/i.test(v)) return null;
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= -0x80000000 && n <= 0xffffffff ? n >>> 0 : null;
}

function onOff(args: Record<string, unknown>, key: string): boolean | null | string {
  const v = args[key];
  if (v === undefined || v === null) return null;
  if (v === 'on' || v === true) return true;
  if (v === 'off' || v === false) return false;
  return `launch: '${key}' must be "on" or "off", not ${JSON.stringify(v)}`;
}

export function readLaunchConfiguration(raw: unknown): LaunchConfiguration | { error: string } {
  const args = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof args.program !== 'string' || args.program.trim() === '') return { error: "launch: 'program' (the assembly source to run: .s, .S or .asm) is required" };
  if (!/\.(?:s|S|asm)$/.test(args.program)) return { error: `launch: 'program' must be an assembly source (.s, .S or .asm): ${args.program}` };
  const entry = args.entry === undefined ? '_start' : args.entry;
  if (typeof entry !== 'string' || entry === '') return { error: "launch: 'entry' must be a label name" };
  const profile = args.profile === undefined ? 'linux-6.1' : args.profile;
  if (!PROFILE_IDS.includes(profile as ProfileId)) return { error: `launch: unknown profile ${JSON.stringify(profile)}; one of ${PROFILE_IDS.join(', ')}` };
  const preemption = onOff(args, 'preemption');
  if (typeof preemption === 'string') return { error: preemption };
  const optprobes = onOff(args, 'optprobes');
  if (typeof optprobes === 'string') return { error: optprobes };
  let optimizeDelay: number | null = null;
  if (args.optimizeDelay !== undefined) {
    if (typeof args.optimizeDelay !== 'number' || !Number.isInteger(args.optimizeDelay) || args.optimizeDelay < 0) return { error: "launch: 'optimizeDelay' must be an instruction count (0 or more)" };
    optimizeDelay = args.optimizeDelay;
  }
  let limit = DEFAULT_LIMIT;
  if (args.limit !== undefined) {
    if (typeof args.limit !== 'number' || !Number.isInteger(args.limit) || args.limit <= 0) return { error: "launch: 'limit' must be a positive instruction count" };
    limit = args.limit;
  }
  const registers: Partial<CpuRegisters> = {};
  if (args.registers !== undefined) {
    if (typeof args.registers !== 'object' || args.registers === null || Array.isArray(args.registers)) return { error: "launch: 'registers' must be an object such as {\"eax\": 5}" };
    for (const [name, value] of Object.entries(args.registers)) {
      const key = name.toLowerCase() as keyof CpuRegisters;
      if (!REGISTER_NAMES.includes(key)) return { error: `launch: unknown register '${name}' in 'registers' (${REGISTER_NAMES.join(', ')})` };
      const n = registerValue(value);
      if (n === null) return { error: `launch: register '${name}' needs a 32-bit number or a "0x..." string, not ${JSON.stringify(value)}` };
      registers[key] = n;
    }
  }
  let handlers: HandlerAssignments = {};
  if (args.handlers !== undefined) {
    const read = readHandlerAssignments(args.handlers);
    if (typeof read === 'string') return { error: `launch: ${read}` };
    handlers = read;
  }
  if (args.postHandler !== undefined && typeof args.postHandler !== 'boolean') return { error: "launch: 'postHandler' must be true or false" };
  return {
    program: args.program, handlers, postHandler: args.postHandler === true, entry, profile: profile as ProfileId, preemption, optprobes, optimizeDelay, registers, limit,
    stopOnEntry: args.stopOnEntry === true,
  };
}
