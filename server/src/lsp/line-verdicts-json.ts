// The answer to kboost/lineVerdicts (the verdict class of each instruction line, which the VS Code
// client paints as gutter marks and inline text after every change) as prepared JSON bytes:
// `{"profile":...,"lines":[{"line":L,"end":E,"verdict":"..."},...]}`, from the instructions'
// verdict keys, copying from the document's previous answer the entries that did not change. The
// VS Code client asks for the lines around the visible ones only (a range): those few entries are
// written afresh, so a large file is never sent whole.

import type { DocumentAnalysis } from '../editor/document-analysis';
import { verdictClass, type VerdictClass } from '../editor/verdict-presentation';
import { NO_VERDICT_KEY, probeOfVerdictKey } from '../editor/verdict-keys';
import type { ProfileId } from '../kprobes';
import { asciiBytes, digitCount, JsonByteBuilder, putBytes, putInt, rewriteDigits } from './json-byte-builder';
import { writeEntriesReusing, type WrittenEntries } from './json-entries-from-previous-version';
import { asciiJson, PreparedJson } from './prepared-json-content-encoder';

/** Room for a response's envelope (`{"jsonrpc":"2.0","id":...,"result":`). */
const ENVELOPE_ROOM = 128;
const LINE = asciiBytes('{"line":');
const END = asciiBytes(',"end":');
/** `,"verdict":"<class>"},` by class number (1 on), prepared once. */
const tails: Uint8Array[] = [new Uint8Array(0)];
const classNumbers = new Map<VerdictClass, number>();
/** Class numbers by verdict key. */
const classOfKey: number[] = [];

function classNumber(cls: VerdictClass): number {
  let n = classNumbers.get(cls);
  if (n === undefined) {
    classNumbers.set(cls, (n = tails.length));
    tails.push(asciiBytes(`,"verdict":${asciiJson(cls)}},`));
  }
  return n;
}

/** The class number of instruction i's verdict, from its key. */
function classIdAt(a: DocumentAnalysis, keys: Int32Array, i: number, profile: ProfileId): number {
  const key = keys[i]!;
  return key === NO_VERDICT_KEY ? classNumber(verdictClass(a.verdictAt(i, profile))) : (classOfKey[key] ??= classNumber(verdictClass(probeOfVerdictKey(key))));
}

/** The class number of each instruction's verdict. */
function classIds(a: DocumentAnalysis, profile: ProfileId): Int32Array {
  const keys = a.verdictKeys(profile);
  const ids = new Int32Array(a.table.count);
  for (let i = 0; i < ids.length; i++) ids[i] = classIdAt(a, keys, i, profile);
  return ids;
}

/** Writes instruction i's entry (its verdict's class number `id`), its comma included. */
function writeEntry(out: JsonByteBuilder, a: DocumentAnalysis, id: number, i: number): void {
  const t = a.table;
  const tail = tails[id]!;
  const buf = out.reserve(LINE.length + END.length + 32 + tail.length);
  const at = putInt(buf, putBytes(buf, out.position, LINE), t.line[i]!);
  out.position = putBytes(buf, putInt(buf, putBytes(buf, at, END), t.end[i]!), tail);
}

/** The head of the answer: `{"profile":...,"lines":`. */
function answerHead(out: JsonByteBuilder, profile: ProfileId): void {
  out.bytes(asciiBytes(`{"profile":${asciiJson(profile)},"lines":`));
}

/** The answer for the instruction lines from `fromLine` to `toLine` (both included). */
export function lineVerdictsInRangeJson(a: DocumentAnalysis, profile: ProfileId, fromLine: number, toLine: number): PreparedJson {
  const t = a.table;
  // Only the asked lines' classes: the client asks after every change and scroll.
  const keys = a.verdictKeys(profile);
  const out = new JsonByteBuilder(ENVELOPE_ROOM, 64 * Math.max(0, Math.min(t.count, toLine - fromLine + 1)));
  answerHead(out, profile);
  out.bytes(asciiBytes('['));
  let written = 0;
  for (let i = 0; i < t.count; i++) {
    if (t.line[i]! < fromLine || t.line[i]! > toLine) continue;
    writeEntry(out, a, classIdAt(a, keys, i, profile), i);
    written++;
  }
  // The last entry's comma closes the array.
  if (written > 0) out.position--;
  out.bytes(asciiBytes(']}'));
  const { buffer, start, end } = out.finish();
  return new PreparedJson(buffer, start, end);
}

/** The answer, and what the document's next answer may copy (its buffer is not written again). */
export function lineVerdictsJson(a: DocumentAnalysis, profile: ProfileId, previous: WrittenEntries | null = null): { json: PreparedJson; entries: WrittenEntries } {
  const t = a.table;
  const ids = classIds(a, profile);
  const out = new JsonByteBuilder(ENVELOPE_ROOM, 64 * t.count);
  answerHead(out, profile);
  const arrayStart = out.position;
  out.bytes(asciiBytes('['));
  const fresh = (i: number): void => writeEntry(out, a, ids[i]!, i);
  const patch = (buf: Buffer, entry: number, _i: number, was: number, line: number): void => rewriteDigits(buf, entry + LINE.length + digitCount(line), was, line);
  const entries = writeEntriesReusing(out, arrayStart, { count: t.count, line: t.line, start: t.start, end: t.end, ids, unkeyed: NONE, lineCount: a.lineCount }, previous, fresh, patch);
  out.bytes(asciiBytes('}'));
  const { buffer, start, end } = out.finish();
  entries.buffer = buffer;
  return { json: new PreparedJson(buffer, start, end), entries };
}

const NONE: ReadonlyMap<number, unknown> = new Map();
