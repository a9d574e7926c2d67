// Architecture invariant of the debug adapter: only server/src/dap imports @vscode/debugadapter,
// and in dap/ only the DebugSession subclass does (kboost-debug-session.ts); the session model and
// its helpers import no protocol package at all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { importedSpecifiers } from './imported-specifiers';

const SERVER_SRC = path.resolve(__dirname, '..', '..', 'server', 'src');
const PROTOCOL_TRANSLATOR = path.join(SERVER_SRC, 'dap', 'kboost-debug-session.ts');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
  });
}

test('only dap/kboost-debug-session.ts imports the debug adapter packages', () => {
  const importers = walk(SERVER_SRC).filter((f) => importedSpecifiers(readFileSync(f, 'utf8')).some((s) => /^@vscode\/debug/.test(s)));
  assert.deepEqual(importers, [PROTOCOL_TRANSLATOR]);
});

test('the session model and its helpers in dap/ import no protocol or editor package', () => {
  const model = walk(path.join(SERVER_SRC, 'dap')).filter((f) => f !== PROTOCOL_TRANSLATOR);
  assert.ok(model.some((f) => f.endsWith('probed-program-session.ts')));
  for (const f of model) assert.deepEqual(importedSpecifiers(readFileSync(f, 'utf8')).filter((s) => /^(vscode|@vscode\/)/.test(s)), [], f);
});
