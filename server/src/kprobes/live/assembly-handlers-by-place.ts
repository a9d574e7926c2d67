// Probe handlers written in assembly in the probed program, assigned to probe places: the debug
// adapter's `handlers`/`postHandler` launch attributes and `kboost run --pre-handler/--post-handler
// PLACE=LABEL` are read into one shape, resolved against the program's symbols (unknown places or
// labels are errors naming them), and turned into the handlers of the probe at an address, beside
// the caller's own pre_handler (a logpoint, a trace line). One implementation for both front ends.

import type { KprobeEngine } from './kprobe-engine';
import type { ProbeHandler } from './live-probe-types';

export type HandlerKind = 'pre' | 'post';

/** The labels of a probe's assembly handlers. */
export type HandlerLabels = Partial<Record<HandlerKind, string>>;

/** Probe place (`label`, `label+OFF`, or `*` for every probe) to its handler labels. */
export type HandlerAssignments = Record<string, HandlerLabels>;

/** What stands for the empty post_handler of the `postHandler` shorthand (no label). */
export const EMPTY_POST_HANDLER = '(empty post_handler)';

/** The `handlers` launch attribute as JSON; a message naming what is wrong. */
export function readHandlerAssignments(raw: unknown): HandlerAssignments | string {
  const shape = "'handlers' must be an object such as {\"probed\": {\"pre\": \"my_pre\", \"post\": \"my_post\"}}";
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return shape;
  const out: HandlerAssignments = {};
  for (const [place, labels] of Object.entries(raw)) {
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return `${shape}: ${JSON.stringify(place)} has ${JSON.stringify(labels)}`;
    out[place] = {};
    for (const [kind, label] of Object.entries(labels)) {
      if (kind !== 'pre' && kind !== 'post') return `'handlers' of ${JSON.stringify(place)}: unknown key '${kind}' (pre, post)`;
      if (typeof label !== 'string' || label === '') return `'handlers' of ${JSON.stringify(place)}: '${kind}' must be a label name`;
      out[place]![kind] = label;
    }
  }
  return out;
}

/** Adds one `PLACE=LABEL` option value of `kboost run`; a message when it is malformed. */
export function addHandlerOption(into: HandlerAssignments, kind: HandlerKind, spec: string): string | null {
  const m = /^([^=]+)=(.+)$/.exec(spec);
  if (m === null) return `--${kind}-handler needs PLACE=LABEL (PLACE: a label, label+OFF or *), not ${JSON.stringify(spec)}`;
  (into[m[1]!] ??= {})[kind] = m[2]!;
  return null;
}

export interface ResolvedHandler { label: string; handler: ProbeHandler }

/** Assignments resolved to addresses: `every` applies to each probe, a place's own labels win per kind. */
export interface ResolvedHandlers {
  every: HandlerLabels;
  byAddress: Map<number, HandlerLabels>;
  emptyPost: boolean;
  symbols: ReadonlyMap<string, number>;
}

/** The address of a place (`label` or `label+OFF`, OFF decimal or 0x hex), or null. */
function placeAddress(place: string, symbols: ReadonlyMap<string, number>): number | null {
  const m = /^([^+\s]+)(?:\+(0x[0-9a-f]+|\d+))?$/i.exec(place.trim());
  const base = m !== null ? symbols.get(m[1]!) : undefined;
  return base === undefined ? null : (base + (m![2] !== undefined ? Number(m![2]) : 0)) >>> 0;
}

/** Resolves places and labels against the program's symbols; every unknown one is named. */
export function resolveHandlerAssignments(assignments: HandlerAssignments, symbols: ReadonlyMap<string, number>, emptyPost: boolean): ResolvedHandlers | { errors: string[] } {
  const errors: string[] = [];
  const resolved: ResolvedHandlers = { every: {}, byAddress: new Map(), emptyPost, symbols };
  for (const [place, labels] of Object.entries(assignments)) {
    for (const [kind, label] of Object.entries(labels)) {
      if (!symbols.has(label)) errors.push(`${kind}_handler of ${place}: unknown label '${label}'`);
    }
    if (place === '*') {
      resolved.every = { ...labels };
      continue;
    }
    const address = placeAddress(place, symbols);
    if (address === null) errors.push(`handlers: unknown probe place '${place}' (a label, label+OFF or *)`);
    else resolved.byAddress.set(address, { ...resolved.byAddress.get(address), ...labels });
  }
  return errors.length > 0 ? { errors } : resolved;
}

/** The labels of the handlers of a probe at `address` (the empty post_handler named as such). */
export function handlerLabelsAt(r: ResolvedHandlers | null, address: number): HandlerLabels {
  if (r === null) return {};
  const labels = { ...r.every, ...r.byAddress.get(address) };
  if (labels.post === undefined && r.emptyPost) labels.post = EMPTY_POST_HANDLER;
  return labels;
}

/**
 * The pre_handler and post_handler of a probe at `address`: `own` (the caller's, may be null) runs
 * first, then the user's assembly pre_handler, whose return value is the probe's; the post_handler
 * is the user's (or the empty one). Absent keys: no handler of that kind.
 */
export function probeHandlersAt(engine: KprobeEngine, r: ResolvedHandlers | null, address: number, own: ProbeHandler | null): { preHandler?: ProbeHandler; postHandler?: ProbeHandler } {
  const labels = handlerLabelsAt(r, address);
  const handler = (label: string | undefined): ProbeHandler | null => (label === undefined || r === null || !r.symbols.has(label) ? null : engine.assemblyHandler(r.symbols.get(label)!));
  const userPre = handler(labels.pre);
  const out: { preHandler?: ProbeHandler; postHandler?: ProbeHandler } = {};
  if (own !== null && userPre !== null) {
    out.preHandler = (ctx) => {
      own(ctx);
      return userPre(ctx);
    };
  } else if (own !== null || userPre !== null) out.preHandler = (own ?? userPre)!;
  if (labels.post !== undefined) out.postHandler = handler(labels.post) ?? ((): number => 0);
  return out;
}
