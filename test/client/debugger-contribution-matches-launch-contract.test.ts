// The `debuggers` contribution of package.json against the debug adapter's launch contract (type
// "kboost", request "launch", its attributes, types and defaults), and samples/.vscode/launch.json
// against that schema (ajv, the JSON-schema validator @vscode/vsce already installs, reading
// launch.json as VS Code does, with comments, through jsonc-parser). The schema and the adapter's
// own reader of a launch (server/src/dap/launch-configuration.ts) must agree on the defaults and on
// which values they accept. The entry label the client picks for a file without launch.json is
// checked against the assembler's symbol table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { assemble } from '../../server/src/asm';
import { readLaunchConfiguration } from '../../server/src/dap/launch-configuration';
import { entryLabelOf, launchConfigurationFor, LAUNCH_PROFILES } from '../../client/src/launch-configuration-for-file';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SAMPLES = path.join(REPO_ROOT, 'samples');
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

interface SchemaProperty { type?: string; enum?: string[]; default?: unknown; description?: string; additionalProperties?: unknown }
const debuggers = manifest.contributes.debuggers as Array<{
  type: string; label: string; languages: string[];
  configurationAttributes: { launch: { required: string[]; properties: Record<string, SchemaProperty> } };
  initialConfigurations: Array<Record<string, unknown>>;
  configurationSnippets: Array<{ label: string; body: Record<string, unknown> }>;
}>;
const kboost = debuggers.find((d) => d.type === 'kboost')!;
const launchSchema = kboost.configurationAttributes.launch;

/** The launch contract the adapter implements: attribute, JSON type (integer: a whole number), allowed values, default. */
const CONTRACT: Record<string, { type: string; enum?: string[]; default?: unknown }> = {
  program: { type: 'string' },
  entry: { type: 'string', default: '_start' },
  profile: { type: 'string', enum: ['rfc-2.6.15', 'linux-2.6.18', 'linux-6.1'], default: 'linux-6.1' },
  preemption: { type: 'string', enum: ['on', 'off'] },
  optprobes: { type: 'string', enum: ['on', 'off'] },
  optimizeDelay: { type: 'integer' },
  registers: { type: 'object' },
  stopOnEntry: { type: 'boolean', default: false },
  limit: { type: 'integer', default: 100_000_000 },
  handlers: { type: 'object' },
  postHandler: { type: 'boolean', default: false },
};

/** VS Code's own attributes of every configuration, added to the schema as its launch.json schema does. */
const COMMON = { type: { const: 'kboost' }, request: { const: 'launch' }, name: { type: 'string' } };
const validateLaunch = new Ajv({ strict: false, allErrors: true }).compile({
  type: 'object',
  required: ['type', 'request', 'name', ...launchSchema.required],
  properties: { ...launchSchema.properties, ...COMMON },
});

function schemaErrors(config: unknown): string {
  return validateLaunch(config) ? '' : JSON.stringify(validateLaunch.errors);
}

test('package.json contributes the kboost debugger for i386 assembly, with breakpoints', () => {
  assert.equal(debuggers.filter((d) => d.type === 'kboost').length, 1);
  assert.deepEqual(kboost.languages, ['i386-asm']);
  assert.ok(kboost.label.length > 0);
  assert.ok((manifest.contributes.breakpoints as Array<{ language: string }>).some((b) => b.language === 'i386-asm'));
  const languages = (manifest.contributes.languages as Array<{ id: string }>).map((l) => l.id);
  assert.ok(languages.includes('i386-asm'));
  // The extension must be running when VS Code resolves a kboost launch, even with no assembly file open.
  assert.ok((manifest.activationEvents as string[]).includes('onDebugResolve:kboost'));
  const command = (manifest.contributes.commands as Array<{ command: string }>).find((c) => c.command === 'kboost.debugKprobesInFile');
  assert.ok(command, 'the "Debug kprobes in this file" command is contributed');
  const client = readFileSync(path.join(REPO_ROOT, 'client', 'src', 'kprobe-debugging.ts'), 'utf8');
  assert.match(client, /registerCommand\('kboost\.debugKprobesInFile'/);
});

test('the launch schema has exactly the contract attributes, types, values and defaults, each described', () => {
  assert.deepEqual(launchSchema.required, ['program']);
  assert.deepEqual(Object.keys(launchSchema.properties).sort(), Object.keys(CONTRACT).sort());
  for (const [name, want] of Object.entries(CONTRACT)) {
    const got = launchSchema.properties[name]!;
    assert.equal(got.type, want.type, `${name}: type`);
    assert.deepEqual(got.enum, want.enum, `${name}: enum`);
    if (want.default !== undefined) assert.deepEqual(got.default, want.default, `${name}: default`);
    assert.ok((got.description ?? '').length > 20, `${name}: a description`);
  }
  // Values the contract allows pass, others fail: the schema really constrains what it describes.
  const base = { type: 'kboost', request: 'launch', name: 'x', program: 'a.S' };
  assert.equal(schemaErrors({ ...base, registers: { eax: 5, ecx: '0x10' }, preemption: 'off', optimizeDelay: 0, stopOnEntry: true, limit: 10, handlers: { '*': { post: 'p' } }, postHandler: true }), '');
  assert.notEqual(schemaErrors({ type: 'kboost', request: 'launch', name: 'x' }), '', 'program is required');
});

test('the schema and the adapter agree on the defaults and on which values are accepted', () => {
  const read = readLaunchConfiguration({ program: 'a.S' });
  assert.ok(!('error' in read), JSON.stringify(read));
  for (const [name, want] of Object.entries(CONTRACT)) {
    if (want.default !== undefined) assert.deepEqual((read as unknown as Record<string, unknown>)[name], launchSchema.properties[name]!.default, `${name}: the adapter's default`);
  }
  const base = { type: 'kboost', request: 'launch', name: 'x', program: 'a.S' };
  const registers = Object.keys((launchSchema.properties.registers as { properties: Record<string, unknown> }).properties);
  const cases: Array<Record<string, unknown>> = [
    {}, { entry: 'probed' }, { profile: 'rfc-2.6.15' }, { profile: 'linux-2.6.18' }, { profile: 'linux-5.4' }, { profile: 7 },
    { preemption: 'on' }, { preemption: 'off' }, { preemption: 'yes' }, { optprobes: 'off' }, { optprobes: 'maybe' },
    { optimizeDelay: 0 }, { optimizeDelay: 61_200_000 }, { optimizeDelay: -1 }, { optimizeDelay: 1.5 }, { optimizeDelay: '0' },
    { limit: 1 }, { limit: 0 }, { limit: 2.5 }, { limit: '10' }, { stopOnEntry: true }, { stopOnEntry: false },
    ...registers.map((r) => ({ registers: { [r]: 5 } })), ...registers.map((r) => ({ registers: { [r]: '0xffffffff' } })),
    { registers: { eax: '-1' } }, { registers: { eax: -5 } }, { registers: { eax: 'five' } }, { registers: { eax: '0x' } },
    { registers: { eax: 0x100000000 } }, { registers: { eax: 1.5 } }, { registers: { foo: 1 } }, { registers: { eip: 1 } }, { registers: [1] },
    { program: 'a.c' }, { program: '' },
    { handlers: {} }, { handlers: { probed: { pre: 'my_pre' } } }, { handlers: { 'probed+3': { post: 'my_post' }, '*': { pre: 'a', post: 'b' } } },
    { handlers: { probed: {} } }, { handlers: { probed: { pre: '' } } }, { handlers: { probed: { pre: 5 } } }, { handlers: { probed: { mid: 'x' } } },
    { handlers: { probed: 'my_pre' } }, { handlers: ['probed'] }, { handlers: 'probed' },
    { postHandler: true }, { postHandler: false }, { postHandler: 'on' }, { postHandler: 1 },
  ];
  for (const c of cases) {
    const schemaSays = schemaErrors({ ...base, ...c }) === '';
    const adapterSays = !('error' in readLaunchConfiguration({ ...base, ...c }));
    assert.equal(schemaSays, adapterSays, `${JSON.stringify(c)}: schema ${schemaSays ? 'accepts' : 'rejects'}, adapter ${adapterSays ? 'accepts' : 'rejects'}`);
  }
});

test('initial configurations and snippets are valid launches', () => {
  assert.ok(kboost.initialConfigurations.length > 0);
  for (const c of kboost.initialConfigurations) assert.equal(schemaErrors(c), '', JSON.stringify(c));
  for (const s of kboost.configurationSnippets) {
    // A snippet body's strings hold tab stops (`${1:name}`, `${3|a,b|}`): fill them with their first
    // value. `^"\\${file}"` is VS Code's way to write a value verbatim: `${file}`.
    const filled = JSON.parse(JSON.stringify(s.body).replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1'), (_k, v: unknown) =>
      typeof v === 'string' && v.startsWith('^"') && v.endsWith('"') ? v.slice(2, -1).replace(/\\\$/g, '$') : v);
    assert.equal(schemaErrors(filled), '', `${s.label}: ${JSON.stringify(filled)}`);
  }
});

interface SampleLaunch { type: string; name: string; program: string; entry?: string; profile?: string; preemption?: string }

function sampleLaunches(): SampleLaunch[] {
  const errors: ParseError[] = [];
  const launch = parseJsonc(readFileSync(path.join(SAMPLES, '.vscode', 'launch.json'), 'utf8'), errors) as { version: string; configurations: SampleLaunch[] };
  assert.deepEqual(errors, [], 'launch.json parses (JSON with comments, as VS Code reads it)');
  assert.equal(launch.version, '0.2.0');
  return launch.configurations;
}

/** The defined global symbols of an assembled file, in address order (one .text section here). */
function definedGlobals(text: string): string[] {
  return assemble(text).symbols.filter((s) => s.binding === 'global' && s.defined && s.section !== null).sort((a, b) => a.value - b.value).map((s) => s.name);
}

test('samples/.vscode/launch.json validates against the schema and names real files and entry labels', () => {
  const configurations = sampleLaunches();
  assert.ok(configurations.length >= 3);
  for (const c of configurations) {
    assert.equal(schemaErrors(c), '', c.name);
    const read = readLaunchConfiguration({ ...c, program: c.program.replace('${file}', 'active.S') });
    assert.ok(!('error' in read), `${c.name}: the adapter reads it: ${JSON.stringify(read)}`);
    if (c.program === '${file}') continue;
    // npm start and the end-to-end test open a copy of samples/ as the workspace folder.
    const file = c.program.replace('${workspaceFolder}', SAMPLES);
    assert.ok(existsSync(file), `${c.name}: ${c.program} exists in samples/`);
    assert.ok(definedGlobals(readFileSync(file, 'utf8')).includes(c.entry ?? '_start'), `${c.name}: entry ${c.entry} is a defined global label`);
  }
  // One configuration per kernel generation for the walkthrough (boosted and single-stepped hits).
  const walkthrough = configurations.filter((c) => c.program.endsWith('/probe-hit-walkthrough.S'));
  assert.deepEqual([...new Set(walkthrough.map((c) => c.profile))].sort(), [...LAUNCH_PROFILES].sort());
  assert.equal(new Set(configurations.map((c) => c.name)).size, configurations.length, 'names are unique');
});

test('the entry label of a file without launch.json: _start, else the first defined global label', () => {
  const texts = readdirSync(SAMPLES).filter((f) => /\.(S|s|asm)$/.test(f)).map((f) => readFileSync(path.join(SAMPLES, f), 'utf8'));
  texts.push(
    '\t.text\n\t.globl later, first\nfirst:\n\tnop\nlater:\n\tret\n',
    '\t.text\n\t.global undefined_here\n\t.globl f\nhelper:\n\tnop\nf:\tret\n',
    '\t.text\n\t.globl f\nf:\n\tnop\n_start:\n\thlt\n',
    '\t.text\nlocal_only:\n\tret\n',
  );
  for (const text of texts) {
    const globals = definedGlobals(text);
    const defined = assemble(text).symbols.some((s) => s.name === '_start' && s.defined);
    const want = defined ? '_start' : globals[0] ?? '_start';
    assert.equal(entryLabelOf(text), want, text.slice(0, 120));
  }
  const c = launchConfigurationFor('/ws/probe-hit-walkthrough.S', readFileSync(path.join(SAMPLES, 'probe-hit-walkthrough.S'), 'utf8'), 'linux-2.6.18');
  assert.equal(schemaErrors(c), '');
  assert.deepEqual([c.name, c.entry, c.profile], ['kboost: probe-hit-walkthrough.S (linux-2.6.18)', '_start', 'linux-2.6.18']);
  assert.deepEqual([c.preemption, c.optprobes, c.postHandler], [undefined, undefined, undefined], 'default settings add nothing');
  // The editor's kernel settings carry over where they are not the default, as the adapter reads them.
  const k = launchConfigurationFor('/ws/a.S', '_start:\n\thlt\n', 'linux-6.1', { preemption: 'off', optprobes: 'default', postHandler: true });
  assert.equal(schemaErrors(k), '');
  assert.deepEqual([k.preemption, k.optprobes, k.postHandler], ['off', undefined, true]);
  const read = readLaunchConfiguration(k);
  assert.ok(!('error' in read) && read.preemption === false && read.optprobes === null && read.postHandler, JSON.stringify(read));
});
