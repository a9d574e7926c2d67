// Generated output is current: docs/opcode-map.md equals what the opcode table renders now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderOpcodeMap } from '../../scripts/opcode-map-markdown';

test('docs/opcode-map.md is generated from the current table (run npm run generate)', () => {
  const committed = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'opcode-map.md'), 'utf8');
  assert.ok(committed === renderOpcodeMap(), 'docs/opcode-map.md is stale: run `npm run generate`');
});
