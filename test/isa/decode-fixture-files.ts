// Reads the decode fixtures under test/fixtures/decode/: one instruction per line, written as
// `hex bytes | AT&T text as objdump prints it | Intel text as objdump -M intel prints it`.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface DecodeFixture {
  file: string;
  line: number;
  bytes: Uint8Array;
  att: string;
  intel: string;
}

export const DECODE_FIXTURE_DIR = path.resolve(__dirname, '..', 'fixtures', 'decode');

export function readDecodeFixtures(): DecodeFixture[] {
  const fixtures: DecodeFixture[] = [];
  for (const file of readdirSync(DECODE_FIXTURE_DIR).filter((f) => f.endsWith('.txt')).sort()) {
    const lines = readFileSync(path.join(DECODE_FIXTURE_DIR, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const [hex = '', att = '', intel = ''] = trimmed.split('|').map((part) => part.trim());
      const bytes = Uint8Array.from(hex.split(/\s+/).map((b) => parseInt(b, 16)));
      fixtures.push({ file, line: i + 1, bytes, att, intel });
    });
  }
  return fixtures;
}
