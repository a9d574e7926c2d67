// What `kboost disasm` says about inputs it cannot use, and its exit codes: 1 with
// `kboost: FILE: message` for bad input (not ELF, ELF64, another machine, truncated...), 2 for
// usage errors, 0 with the listing otherwise. Damaged files are made here from an object that
// `as --32` assembles (or, without binutils, a tiny hand-built ELF).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readElf32 } from '../../server/src/binfmt/elf32-reader';
import { hasCommand, makeTempDir, run, runCli, runCliProcess } from './cli-test-support';

/** An ELF32 i386 relocatable object with a .text section holding `push %ebp; ret`. */
function smallObject(dir: string): Buffer {
  const out = path.join(dir, 'small.o');
  if (hasCommand('as')) {
    const src = path.join(dir, 'small.s');
    fs.writeFileSync(src, '.text\n.globl f\n.type f,@function\nf: push %ebp\nret\n.size f,.-f\n');
    run('as', ['--32', src, '-o', out]);
    return fs.readFileSync(out);
  }
  return handBuiltObject();
}

/** Header, .text, .shstrtab and three section headers, built by hand. */
function handBuiltObject(): Buffer {
  const text = Buffer.from([0x55, 0xc3]);
  const shstrtab = Buffer.from('\0.text\0.shstrtab\0');
  const textOff = 52;
  const strOff = textOff + text.length;
  const shoff = (strOff + shstrtab.length + 3) & ~3;
  const file = Buffer.alloc(shoff + 3 * 40);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]).copy(file, 0);
  file.writeUInt16LE(1, 16); // ET_REL
  file.writeUInt16LE(3, 18); // EM_386
  file.writeUInt32LE(1, 20);
  file.writeUInt32LE(shoff, 32);
  file.writeUInt16LE(52, 40);
  file.writeUInt16LE(40, 46);
  file.writeUInt16LE(3, 48);
  file.writeUInt16LE(2, 50);
  text.copy(file, textOff);
  shstrtab.copy(file, strOff);
  const sh = (i: number, name: number, type: number, flags: number, off: number, size: number): void => {
    const at = shoff + i * 40;
    file.writeUInt32LE(name, at);
    file.writeUInt32LE(type, at + 4);
    file.writeUInt32LE(flags, at + 8);
    file.writeUInt32LE(off, at + 16);
    file.writeUInt32LE(size, at + 20);
    file.writeUInt32LE(1, at + 32);
  };
  sh(1, 1, 1, 6, textOff, text.length);
  sh(2, 7, 3, 0, strOff, shstrtab.length);
  return file;
}

function write(dir: string, name: string, bytes: Buffer | string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

async function expectBadInput(file: string, message: string | RegExp): Promise<void> {
  const r = await runCli(['disasm', file]);
  assert.equal(r.code, 1, `${file}: exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '', `${file}: nothing on stdout`);
  if (typeof message === 'string') assert.equal(r.stderr, `kboost: ${file}: ${message}\n`);
  else assert.match(r.stderr, message);
}

test('inputs that are not ELF32 i386 are refused with a clear message and exit code 1', async (t) => {
  const dir = makeTempDir(t);
  const obj = smallObject(dir);
  await expectBadInput(write(dir, 'notes.txt', 'just some text\n'), 'not an ELF file');
  await expectBadInput(write(dir, 'empty', ''), 'not an ELF file');
  await expectBadInput(path.join(dir, 'missing.o'), 'No such file or directory');
  await expectBadInput(dir, 'Is a directory');

  // An ELF64 file: the system's own /bin/true on x86-64, or the object with its class changed.
  const elf64 = fs.existsSync('/bin/true') && fs.readFileSync('/bin/true')[4] === 2 && fs.readFileSync('/bin/true').readUInt16LE(18) === 62
    ? '/bin/true'
    : write(dir, 'elf64.o', Buffer.concat([obj.subarray(0, 4), Buffer.from([2]), obj.subarray(5, 18), Buffer.from([62, 0]), obj.subarray(20)]));
  await expectBadInput(elf64, 'ELF64 file (x86-64): kboost reads ELF32 i386 only');

  const arm = Buffer.from(obj);
  arm.writeUInt16LE(40, 18);
  await expectBadInput(write(dir, 'arm.o', arm), 'ELF32 for machine EM_ARM (40), not i386');
  const bigEndian = Buffer.from(obj);
  bigEndian[5] = 2;
  await expectBadInput(write(dir, 'be.o', bigEndian), /big-endian ELF32 file .*little-endian ELF32 i386 only/);
  const core = Buffer.from(obj);
  core.writeUInt16LE(4, 16);
  await expectBadInput(write(dir, 'core', core), /ELF32 file of type ET_CORE \(4\): kboost reads executables, shared objects and relocatable objects/);
  await expectBadInput(write(dir, 'header.o', obj.subarray(0, 30)), 'truncated ELF header (30 bytes, an ELF32 header has 52)');
});

test('truncated files are named as such', async (t) => {
  const dir = makeTempDir(t);
  const obj = smallObject(dir);
  const shoff = obj.readUInt32LE(32);
  // Section headers sit at the end of the file, so cutting the file loses them first.
  await expectBadInput(write(dir, 'cut.o', obj.subarray(0, shoff + 50)), /^kboost: .*cut\.o: truncated section header table \(\d+ headers end at 0x[0-9a-f]+, the file has 0x[0-9a-f]+ bytes\)\n$/);
  await expectBadInput(write(dir, 'cut2.o', obj.subarray(0, shoff - 4)), /truncated section header table \(it starts at 0x[0-9a-f]+, the file has 0x[0-9a-f]+ bytes\)/);
  // A .text whose bytes lie past the end of the file.
  const parsed = readElf32(new Uint8Array(obj));
  assert.ok(parsed.value !== null);
  const textIndex = parsed.value.sections.findIndex((s) => s.name === '.text');
  const moved = Buffer.from(obj);
  moved.writeUInt32LE(obj.length + 0x100, shoff + textIndex * 40 + 16);
  await expectBadInput(write(dir, 'moved.o', moved), /truncated file: section \.text \(offset 0x[0-9a-f]+, size 0x2\) extends past the end of the file/);
});

test('compressed inputs that do not hold ELF say what was unpacked', async (t) => {
  if (!hasCommand('xz')) return t.skip('xz is not installed');
  const dir = makeTempDir(t);
  const text = write(dir, 'words.txt', 'not a program\n'.repeat(20));
  run('xz', ['-k', text]);
  await expectBadInput(`${text}.xz`, 'not an ELF file (after xz decompression)');
  const xz = fs.readFileSync(`${text}.xz`);
  await expectBadInput(write(dir, 'cut.xz', xz.subarray(0, xz.length - 20)), /truncated \.xz data/);
  const corrupt = Buffer.from(xz);
  corrupt[40] = (corrupt[40] ?? 0) ^ 0xff;
  await expectBadInput(write(dir, 'corrupt.xz', corrupt), /corrupt \.xz data|not a valid \.xz stream|truncated \.xz data/);
});

test('symbol and System.map problems are reported with exit code 1', async (t) => {
  const dir = makeTempDir(t);
  const obj = write(dir, 'small.o', smallObject(dir));
  const missing = await runCli(['disasm', '--symbol', 'no_such_function', obj]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `kboost: ${obj}: symbol 'no_such_function' not found in the listed sections\n`);
  const stub = write(dir, 'System.map', 'ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n');
  const stubRun = await runCli(['disasm', '--system-map', stub, obj]);
  assert.equal(stubRun.code, 1);
  assert.match(stubRun.stderr, /System\.map: no usable symbols: it is Debian's stub/);
  const noSection = await runCli(['disasm', '-j', '.nothing', obj]);
  assert.equal(noSection.code, 1);
  assert.match(noSection.stderr, /no section named '\.nothing'/);
});

test('usage errors exit with 2 and point to --help', async (t) => {
  const dir = makeTempDir(t);
  const obj = write(dir, 'small.o', smallObject(dir));
  for (const args of [
    ['disasm'],
    ['disasm', obj, obj],
    ['disasm', '--bogus', obj],
    ['disasm', '-M', 'sparc', obj],
    ['disasm', '--start-address', 'here', obj],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^kboost disasm: .*\nTry 'kboost disasm --help'\.\n$/, args.join(' '));
  }
  assert.equal((await runCli(['frobnicate'])).code, 2);
  assert.equal((await runCli([])).code, 2);
  const help = await runCli(['disasm', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: kboost disasm FILE/);
  const mainHelp = await runCli(['--help']);
  assert.equal(mainHelp.code, 0);
  assert.match(mainHelp.stdout, /disasm FILE/);
});

test('the kboost process itself exits with 0, 1 and 2', (t) => {
  const dir = makeTempDir(t);
  const obj = write(dir, 'small.o', smallObject(dir));
  const ok = runCliProcess(['disasm', obj]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Disassembly of section \.text:\n\n00000000 <(f|\.text)>:\n   0:\t55 {19}\tpush   %ebp\n   1:\tc3 {19}\tret\n$/);
  const bad = runCliProcess(['disasm', write(dir, 'x.txt', 'hello')]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, `kboost: ${path.join(dir, 'x.txt')}: not an ELF file\n`);
  assert.equal(runCliProcess(['disasm']).code, 2);
});
