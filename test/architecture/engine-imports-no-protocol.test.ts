// Architecture invariant: the engine (isa/, asm/, cpu/, kprobes/) imports no protocol or editor
// package and nothing from the layers that translate to protocols (lsp/, dap/, cli/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { importedSpecifiers } from './imported-specifiers';

const SERVER_SRC = path.resolve(__dirname, '..', '..', 'server', 'src');
const ENGINE_DIRS = ['isa', 'asm', 'cpu', 'kprobes'];
const FORBIDDEN_PACKAGE = /^(vscode|vscode-languageserver.*|vscode-languageclient.*|vscode-jsonrpc.*|@vscode\/.*)$/;
const FORBIDDEN_LAYER = /(^|\/)(lsp|dap|cli)(\/|$)/;

function violations(file: string): string[] {
  const found: string[] = [];
  for (const spec of importedSpecifiers(readFileSync(file, 'utf8'))) {
    if (FORBIDDEN_PACKAGE.test(spec)) found.push(`${file}: imports package '${spec}'`);
    if (spec.startsWith('.')) {
      const target = path.relative(SERVER_SRC, path.resolve(path.dirname(file), spec));
      if (FORBIDDEN_LAYER.test(target)) found.push(`${file}: imports protocol layer '${spec}'`);
    }
  }
  return found;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
  });
}

test('the import scanner sees every import form', () => {
  const sample = `import { a } from 'vscode';\nimport type { B } from "../lsp/x";\nconst c = require('@vscode/debugadapter');\nimport 'vscode-languageserver/node';\nexport { d } from './d';`;
  assert.deepEqual(importedSpecifiers(sample), ['vscode', '../lsp/x', '@vscode/debugadapter', 'vscode-languageserver/node', './d']);
});

test('isa/, asm/, cpu/ and kprobes/ import no protocol or editor code', () => {
  const files = ENGINE_DIRS.flatMap((d) => walk(path.join(SERVER_SRC, d)));
  assert.ok(files.length > 0, 'no engine sources found');
  assert.deepEqual(files.flatMap(violations), []);
});
