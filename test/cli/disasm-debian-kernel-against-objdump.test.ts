// `kboost disasm` on Debian's real i386 kernel package against objdump: modules (.ko, and the
// same modules xz-compressed the way the kernel compresses them), the bzImage (/boot/vmlinuz-*,
// whose xz payload kboost unpacks itself), and --symbol/--system-map on the stripped vmlinux with
// the shared kallsyms, whose oracle is objdump over a copy of vmlinux given the same symbols by
// objcopy. The package comes from scripts/fetch-debian-kernel.sh (test/oracles/debian-kernel.ts);
// without it the tests skip and say why.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { findDebianKernel } from '../oracles/debian-kernel';
import {
  KALLSYMS, compareListings, describeComparison, hasCommand, makeTempDir, run, runBytes, runCli,
} from './cli-test-support';

const MIN_TEXT_AGREEMENT = 0.98;

function listFiles(dir: string, suffixes: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (suffixes.some((s) => e.name.endsWith(s))) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/** Every n-th entry, so the sample spreads over the whole tree and stays the same run to run. */
function spreadSample<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

function kernelOrSkip(t: { skip(message: string): void }) {
  if (!hasCommand('objdump')) {
    t.skip('objdump is not installed');
    return null;
  }
  const k = findDebianKernel();
  if (!k.ok) {
    t.skip(k.reason);
    return null;
  }
  return k.files;
}

test('kboost disasm of Debian kernel modules matches objdump -d', async (t) => {
  const files = kernelOrSkip(t);
  if (files === null) return;
  const modules = listFiles(path.join(files.root, 'lib', 'modules'), ['.ko', '.ko.xz']);
  assert.ok(modules.length > 100, `only ${modules.length} modules in the package tree`);
  const dir = makeTempDir(t);
  let instructions = 0;
  let sameText = 0;
  let lines = 0;
  for (const [i, module] of spreadSample(modules, 24).entries()) {
    // objdump cannot read .ko.xz; give it the decompressed module.
    let plain = module;
    if (module.endsWith('.xz')) {
      plain = path.join(dir, `m${i}.ko`);
      fs.writeFileSync(plain, runBytes('xz', ['-dc', module]));
    }
    const args = i % 4 === 0 ? ['-r'] : i % 4 === 1 ? ['-M', 'intel'] : [];
    const expected = run('objdump', ['-d', ...args, plain]);
    const ours = await runCli(['disasm', ...args, module]);
    assert.equal(ours.code, 0, `${module}: ${ours.stderr}`);
    // The header names the file; with a .ko.xz the two tools were given different names.
    const c = compareListings(expected, ours.stdout, 2);
    assert.deepEqual(c.layoutDifferences, [], `${path.basename(module)} ${args.join(' ')}: layout differs from objdump`);
    for (const d of c.textDifferences.slice(0, 3)) t.diagnostic(`${path.basename(module)}: ${d}`);
    instructions += c.instructions;
    sameText += c.sameText;
    lines += c.lines;
  }
  t.diagnostic(`24 modules: ${lines} lines with identical layout; instruction text ${sameText}/${instructions} (${((100 * sameText) / instructions).toFixed(3)}%) identical`);
  assert.ok(sameText >= MIN_TEXT_AGREEMENT * instructions);
});

test('kboost disasm reads xz-compressed modules (.ko.xz) as the plain module', async (t) => {
  const files = kernelOrSkip(t);
  if (files === null) return;
  if (!hasCommand('xz')) return t.skip('xz is not installed');
  const dir = makeTempDir(t);
  const modules = spreadSample(listFiles(path.join(files.root, 'lib', 'modules'), ['.ko']), 3);
  for (const [i, module] of modules.entries()) {
    const copy = path.join(dir, `module${i}.ko`);
    fs.copyFileSync(module, copy);
    // The options of the kernel's `make modules_install` with CONFIG_MODULE_COMPRESS_XZ.
    run('xz', ['--check=crc32', '--lzma2=dict=1MiB', '-k', copy]);
    const plain = await runCli(['disasm', copy]);
    const packed = await runCli(['disasm', `${copy}.xz`]);
    assert.equal(packed.code, 0, packed.stderr);
    assert.equal(packed.stdout.split('\n')[1], `${copy}.xz:     file format elf32-i386`);
    assert.equal(packed.stdout.split('\n').slice(2).join('\n'), plain.stdout.split('\n').slice(2).join('\n'));
    const expected = run('objdump', ['-d', copy]);
    assert.deepEqual(compareListings(expected, packed.stdout, 2).layoutDifferences, []);
  }
});

test('kboost disasm reads the bzImage (/boot/vmlinuz-*) like the vmlinux inside it', async (t) => {
  const files = kernelOrSkip(t);
  if (files === null) return;
  const boot = path.join(files.root, 'boot');
  const vmlinuz = fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
  assert.ok(vmlinuz !== undefined, 'no vmlinuz in the package');
  const range = ['0xc1234000', '0xc1244000'];
  const ours = await runCli(['disasm', '--start-address', range[0]!, '--stop-address', range[1]!, path.join(boot, vmlinuz)]);
  if (ours.code !== 0 && /xz/.test(ours.stderr) && !hasCommand('xz')) return t.skip(`needs the system xz: ${ours.stderr.trim()}`);
  assert.equal(ours.code, 0, ours.stderr);
  const expected = run('objdump', ['-d', `--start-address=${range[0]}`, `--stop-address=${range[1]}`, files.vmlinux]);
  const c = compareListings(expected, ours.stdout, 2);
  t.diagnostic(describeComparison('vmlinuz 64 KiB of .text', c));
  assert.deepEqual(c.layoutDifferences, []);
  assert.ok(c.instructions > 10000);
  assert.ok(c.sameText >= MIN_TEXT_AGREEMENT * c.instructions);
});

test('kboost disasm --symbol with --system-map on the stripped vmlinux matches objdump given the same symbols', async (t) => {
  const files = kernelOrSkip(t);
  if (files === null) return;
  if (!fs.existsSync(KALLSYMS)) return t.skip(`no ${KALLSYMS} (the shared data folder beside the repository)`);
  if (!hasCommand('objcopy') || !hasCommand('readelf')) return t.skip('objcopy/readelf are not installed');
  const dir = makeTempDir(t);

  // The oracle: a copy of vmlinux carrying the kallsyms symbols in a real ELF symbol table.
  const sections = run('readelf', ['-SW', files.vmlinux]).split('\n').flatMap((line) => {
    const m = /\]\s+(\S+)\s+(PROGBITS|NOBITS)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(line);
    return m === null ? [] : [{ name: m[1]!, start: parseInt(m[3]!, 16), size: parseInt(m[4]!, 16) }];
  });
  const addArgs: string[] = [];
  for (const line of gunzipSync(fs.readFileSync(KALLSYMS)).toString().split('\n')) {
    const [addr, type, name] = line.split(/\s+/);
    if (addr === undefined || type === undefined || name === undefined || name === '') continue;
    const a = parseInt(addr, 16);
    const s = sections.find((x) => a >= x.start && a < x.start + x.size) ?? sections.find((x) => a === x.start + x.size);
    if (s === undefined) continue;
    const kind = 'TtWw'.includes(type) ? 'function' : 'object';
    const binding = type === 'T' || type === 'D' ? 'global' : type === 'W' || type === 'w' ? 'weak' : 'local';
    addArgs.push(`--add-symbol ${name}=${s.name}:0x${(a - s.start).toString(16)},${kind},${binding}`);
  }
  assert.ok(addArgs.length > 40000, `only ${addArgs.length} kallsyms symbols fall in vmlinux sections`);
  fs.writeFileSync(path.join(dir, 'symbols.args'), addArgs.join('\n'));
  const symbolized = path.join(dir, 'vmlinux.symbolized');
  run('objcopy', [`@${path.join(dir, 'symbols.args')}`, files.vmlinux, symbolized]);

  // schedule and do_int3 are global, perf_pmu_commit_txn is a local (t) symbol.
  for (const name of ['schedule', 'do_int3', 'kprobe_ftrace_handler', 'perf_pmu_commit_txn']) {
    const expected = run('objdump', ['-d', `--disassemble=${name}`, symbolized]);
    const ours = await runCli(['disasm', '--symbol', name, '--system-map', KALLSYMS, files.vmlinux]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(ours.stdout, new RegExp(`\n[0-9a-f]{8} <${name}>:\n`));
    const c = compareListings(expected, ours.stdout, 2);
    t.diagnostic(describeComparison(`--symbol ${name}`, c));
    assert.deepEqual(c.layoutDifferences, [], `--symbol ${name}: labels or layout differ`);
  }

  // startup_32 shares c1000000 with _stext and _text; objdump labels the address _stext and
  // `--disassemble=startup_32` lists nothing. kboost lists the code under that label and says so.
  const alias = await runCli(['disasm', '--symbol', 'startup_32', '--system-map', KALLSYMS, files.vmlinux]);
  assert.equal(alias.code, 0, alias.stderr);
  assert.match(alias.stderr, /'startup_32' shares its address with '_stext'/);
  assert.equal(alias.stdout, (await runCli(['disasm', '--symbol', '_stext', '--system-map', KALLSYMS, files.vmlinux])).stdout);
  assert.match(alias.stdout, /\nc1000000 <_stext>:\nc1000000:\t8b 0d /);

  // A stretch of .text with every label and branch annotation.
  const range = ['0xc1600000', '0xc1608000'];
  const expected = run('objdump', ['-d', `--start-address=${range[0]}`, `--stop-address=${range[1]}`, symbolized]);
  const ours = await runCli(['disasm', '--system-map', KALLSYMS, '--start-address', range[0]!, '--stop-address', range[1]!, files.vmlinux]);
  const c = compareListings(expected, ours.stdout, 2);
  t.diagnostic(describeComparison('32 KiB of .text with kallsyms symbols', c));
  assert.deepEqual(c.layoutDifferences, []);
  assert.ok(c.sameText >= MIN_TEXT_AGREEMENT * c.instructions);
  assert.ok(/call   [0-9a-f]{8} <[^>]+>/.test(ours.stdout), 'branch targets are annotated with symbols');
});
