// The answer to kboost/lineVerdicts (the verdict class of each instruction line, which the VS Code
// client paints as gutter marks and inline text after every change) as prepared JSON bytes:
// `{"profile":...,"lines":[{"line":L,"end":E,"verdict":"..."},...]}`, one walk over the table. The
// client asks for the lines around the visible ones only: a large file is never sent whole.

import type { DocumentAnalysis } from '../editor/document-analysis';
import { verdictClass, type VerdictClass } from '../editor/verdict-presentation';
import type { ProfileId } from '../kprobes';
import { asciiBytes, JsonByteBuilder, putBytes, putInt } from './json-byte-builder';
import { asciiJson, PreparedJson } from './prepared-json-content-encoder';

/** Room for a response's envelope (`{"jsonrpc":"2.0","id":...,"result":`). */
const ENVELOPE_ROOM = 128;
const LINE = asciiBytes('{"line":');
const END = asciiBytes(',"end":');
const CLOSE = asciiBytes(']}');
/** `,"verdict":"<class>"}` by class, prepared once. */
const verdictTails = new Map<VerdictClass, Uint8Array>();

/** The instruction lines from `fromLine` to `toLine` (both included; all lines by default). */
export function lineVerdictsJson(a: DocumentAnalysis, profile: ProfileId, fromLine = 0, toLine = Infinity): PreparedJson {
  const t = a.table;
  const all = fromLine <= 0 && toLine === Infinity;
  const out = new JsonByteBuilder(ENVELOPE_ROOM, 64 * (all ? t.count : Math.max(0, Math.min(t.count, toLine - fromLine + 1))));
  out.bytes(asciiBytes(`{"profile":${asciiJson(profile)},"lines":[`));
  let first = true;
  for (let i = 0; i < t.count; i++) {
    if (!all && (t.line[i]! < fromLine || t.line[i]! > toLine)) continue;
    const cls = verdictClass(a.verdictAt(i, profile));
    let tail = verdictTails.get(cls);
    if (tail === undefined) verdictTails.set(cls, (tail = asciiBytes(`,"verdict":${asciiJson(cls)}}`)));
    const buf = out.reserve(1 + LINE.length + END.length + 32 + tail.length);
    let at = out.position;
    if (first) first = false;
    else buf[at++] = 0x2c; // ,
    at = putInt(buf, putBytes(buf, at, LINE), t.line[i]!);
    at = putInt(buf, putBytes(buf, at, END), t.end[i]!);
    out.position = putBytes(buf, at, tail);
  }
  out.bytes(CLOSE);
  const { buffer, start, end } = out.finish();
  return new PreparedJson(buffer, start, end);
}
