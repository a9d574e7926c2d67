// The system preprocessor as an alternative to the built-in one: runs `gcc -E -x
// assembler-with-cpp` (or `cpp`) as a child process on the text, then reads its `# N "file" flags`
// line markers back, so each output line knows its (file, line) and the edited file's line.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AsmDiagnostic } from './statement-parser';
import { wholeLineRange, type ExpandedLine } from './expanded-source-lines';

const STDIN_NAME = '<stdin>';

/**
 * Output lines of the preprocessor mapped back through its line markers. `includedFile` is told
 * each file entered (flag 1) that is not a system header (flag 3) nor a `<built-in>` name.
 */
export function mapLineMarkers(
  output: string, mainFile: string, userLineCount: number, userLines: readonly string[], includedFile?: (path: string) => void, directory?: string,
): ExpandedLine[] {
  const out: ExpandedLine[] = [];
  let file = mainFile;
  let next = 0;
  /** Line of the main file that the current include was entered from. */
  let mainLine = 0;
  const isMain = (f: string): boolean => f === mainFile || f === STDIN_NAME;
  for (const text of output.split('\n')) {
    const m = /^# ([0-9]+) "((?:[^"\\]|\\.)*)"((?: [0-9]+)*)\s*$/.exec(text);
    if (m) {
      const written = m[2]!.replace(/\\(.)/g, '$1');
      // cpp names a header found beside the input relative to its working directory.
      const name = directory !== undefined && !written.startsWith('<') && !path.isAbsolute(written) ? path.join(directory, written) : written;
      const flags = m[3]!.trim().split(/\s+/);
      if (isMain(file) && flags.includes('1')) mainLine = next;
      if (includedFile !== undefined && flags.includes('1') && !flags.includes('3') && !isMain(name) && !name.startsWith('<')) includedFile(name);
      file = isMain(name) ? mainFile : name;
      next = Number(m[1]) - 1;
      continue;
    }
    const main = isMain(file);
    if (!file.startsWith('<')) {
      const userLine = Math.min(Math.max(main ? next : mainLine, 0), Math.max(userLineCount - 1, 0));
      const line: ExpandedLine = { text, file, line: next, userLine, verbatim: main && userLines[next] === text };
      if (!main) line.via = `${path.basename(file)}:${next + 1}`;
      out.push(line);
    }
    next++;
  }
  return out;
}

/** Runs the system preprocessor; on failure returns diagnostics from its stderr. */
export function preprocessWithSystemCpp(
  source: string,
  fileName: string,
  includePaths: readonly string[],
  command = 'gcc',
  includedFile?: (path: string) => void,
): { lines: ExpandedLine[]; diagnostics: AsmDiagnostic[] } {
  const userLines = source.split('\n');
  const args = ['-E', '-m32', '-x', 'assembler-with-cpp'];
  // The text goes through stdin, for which cpp looks up `#include "..."` in its working directory
  // first: run it in the file's folder, as `gcc -E file.S` would look there, with the include paths
  // made absolute so that they keep meaning what they meant here.
  const folder = fileName !== '' ? path.dirname(path.resolve(fileName)) : '';
  const directory = folder !== '' && existsSync(folder) ? folder : undefined;
  if (fileName !== '') args.push('-iquote', path.resolve(path.dirname(fileName)));
  for (const dir of includePaths) args.push('-I', path.resolve(dir));
  args.push('-');
  const r = spawnSync(command, args, { input: source, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 60_000, ...(directory !== undefined ? { cwd: directory } : {}) });
  const diagnostics: AsmDiagnostic[] = [];
  if (r.error) {
    diagnostics.push({ severity: 'error', message: `cannot run ${command}: ${r.error.message}`, line: 0, start: 0, end: 0 });
    return { lines: [], diagnostics };
  }
  // Messages about the text look like `<stdin>:LINE:COL: error: ...`.
  for (const m of (r.stderr ?? '').matchAll(/^(.*?):([0-9]+):(?:([0-9]+):)? (error|warning|fatal error): (.*)$/gm)) {
    const main = m[1] === STDIN_NAME || m[1] === fileName;
    const line = main ? Number(m[2]) - 1 : 0;
    const col = main && m[3] ? Number(m[3]) - 1 : undefined;
    const range = col !== undefined ? { start: col, end: Math.max(col, wholeLineRange(userLines[line]).end) } : wholeLineRange(userLines[line]);
    diagnostics.push({ severity: m[4] === 'warning' ? 'warning' : 'error', message: main ? m[5]! : `${m[1]}:${m[2]}: ${m[5]}`, line, ...range });
  }
  if (r.status !== 0 && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push({ severity: 'error', message: `${command} -E failed: ${(r.stderr ?? '').trim().split('\n')[0] ?? ''}`, line: 0, start: 0, end: 0 });
  }
  return { lines: r.status === 0 ? mapLineMarkers(r.stdout ?? '', fileName === '' ? STDIN_NAME : fileName, userLines.length, userLines, includedFile, directory) : [], diagnostics };
}
