// Reads the assembler fixtures of test/fixtures/asm: source files whose comments carry their
// expectations under the line they concern: `#= <hex bytes>` for the bytes of the line above,
// `#! <text>` for an error the line above must report, and `#! <text> @S-E` for one that must
// also cover columns S to E of that line (0-based, E excluded, a tab counting one: the range of
// the Image's diagnostic; `kboost asm` prints S + 1 as the column). `.S` fixtures go through the
// built-in C preprocessor first, which takes these comments for null directives.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ASM_FIXTURE_DIRECTORY = path.resolve(__dirname, '..', 'fixtures', 'asm');

export interface LineExpectation {
  /** 0-based line the expectation is about (the last non-expectation line above it). */
  line: number;
  kind: 'bytes' | 'error';
  text: string;
  /** For an error: the columns its range must cover, when the fixture states them. */
  range?: { start: number; end: number };
}

export interface AsmFixture {
  name: string;
  source: string;
  expectations: LineExpectation[];
}

export function readAsmFixtures(): AsmFixture[] {
  return readdirSync(ASM_FIXTURE_DIRECTORY)
    .filter((f) => f.endsWith('.s') || f.endsWith('.S'))
    .sort()
    .map((name) => {
      const source = readFileSync(path.join(ASM_FIXTURE_DIRECTORY, name), 'utf8');
      const expectations: LineExpectation[] = [];
      let subject = -1;
      source.split('\n').forEach((line, i) => {
        const m = /^\s*#([=!])\s?(.*)$/.exec(line);
        const range = m?.[1] === '!' ? /^(.*?)\s+@(\d+)-(\d+)$/.exec(m[2]!.trim()) : null;
        if (range) expectations.push({ line: subject, kind: 'error', text: range[1]!, range: { start: Number(range[2]), end: Number(range[3]) } });
        else if (m) expectations.push({ line: subject, kind: m[1] === '=' ? 'bytes' : 'error', text: m[2]!.trim() });
        else subject = i;
      });
      return { name, source, expectations };
    });
}
