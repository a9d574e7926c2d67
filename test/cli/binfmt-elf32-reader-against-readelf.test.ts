// The ELF32 reader (server/src/binfmt) against `readelf -SW`, `-sW` and `-rW` on objects built
// here and on the real kernel's modules and vmlinux: every section header, every symbol and the
// relocation counts must agree.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readElf32 } from '../../server/src/binfmt/elf32-reader';
import { readSectionRelocations } from '../../server/src/binfmt/elf32-relocations';
import type { Elf32File } from '../../server/src/binfmt/elf32-types';
import { findDebianKernel } from '../oracles/debian-kernel';
import { gccM32Problem, hasCommand, makeTempDir, run } from './cli-test-support';

const TYPE_NAMES: Record<string, number> = {
  NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, HASH: 5, DYNAMIC: 6, NOTE: 7, NOBITS: 8, REL: 9,
  DYNSYM: 11, INIT_ARRAY: 14, FINI_ARRAY: 15, GROUP: 17,
};

function readElfFile(file: string): Elf32File {
  const r = readElf32(new Uint8Array(fs.readFileSync(file)));
  assert.ok(r.value !== null, `${file}: ${r.errors.join('; ')}`);
  assert.deepEqual(r.errors, [], `${file}: warnings`);
  return r.value;
}

function checkSections(file: string, elf: Elf32File): void {
  const rows = run('readelf', ['-SW', file]).split('\n').flatMap((line) => {
    const m = /^\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+([0-9a-f]{8})\s+([0-9a-f]{6,})\s+([0-9a-f]{6,})\s+[0-9a-f]{2}\s+(\S*)\s/.exec(line);
    return m === null ? [] : [m];
  });
  assert.equal(rows.length, elf.sections.length, `${file}: section count`);
  for (const m of rows) {
    const s = elf.sections[Number(m[1])]!;
    assert.equal(s.name, m[2] === 'NULL' ? '' : m[2], `${file}: name of section ${m[1]}`);
    if (TYPE_NAMES[m[3]!] !== undefined) assert.equal(s.type, TYPE_NAMES[m[3]!], `${file}: type of ${s.name}`);
    assert.equal(s.address, parseInt(m[4]!, 16), `${file}: address of ${s.name}`);
    assert.equal(s.offset, parseInt(m[5]!, 16), `${file}: offset of ${s.name}`);
    assert.equal(s.size, parseInt(m[6]!, 16), `${file}: size of ${s.name}`);
    const flags = m[7]!;
    assert.equal((s.flags & 4) !== 0, flags.includes('X'), `${file}: X flag of ${s.name}`);
    assert.equal((s.flags & 2) !== 0, flags.includes('A'), `${file}: A flag of ${s.name}`);
  }
}

function checkSymbols(file: string, elf: Elf32File): number {
  const typeName = { notype: 'NOTYPE', object: 'OBJECT', func: 'FUNC', section: 'SECTION', file: 'FILE', common: 'COMMON', tls: 'TLS', ifunc: 'IFUNC', other: '?' };
  const bindName = { local: 'LOCAL', global: 'GLOBAL', weak: 'WEAK', unique: 'UNIQUE', other: '?' };
  const rows = run('readelf', ['-sW', file]).split('\n').flatMap((line) => {
    const m = /^\s*(\d+):\s+([0-9a-f]{8})\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s?(.*)$/.exec(line);
    return m === null ? [] : [m];
  }).filter((m) => m[1] !== '0');
  assert.equal(rows.length, elf.symbols.length, `${file}: symbol count`);
  rows.forEach((m, i) => {
    const s = elf.symbols[i]!;
    const ndx = m[6]!;
    assert.equal(s.tableIndex, Number(m[1]), `${file}: symbol ${i + 1} index`);
    assert.equal(s.value, parseInt(m[2]!, 16), `${file}: value of ${s.name}`);
    assert.equal(s.size, m[3]!.startsWith('0x') ? parseInt(m[3]!, 16) : Number(m[3]), `${file}: size of ${s.name}`);
    assert.equal(typeName[s.type], m[4], `${file}: type of ${s.name}`);
    assert.equal(bindName[s.binding], m[5], `${file}: binding of ${s.name}`);
    const expectNdx = ndx === 'UND' ? 0 : ndx === 'ABS' ? 0xfff1 : ndx === 'COM' ? 0xfff2 : Number(ndx);
    assert.equal(s.sectionIndex, expectNdx, `${file}: section of ${s.name}`);
    // readelf shows a section symbol under its section's name.
    const name = s.type === 'section' && s.name === '' ? elf.sections[s.sectionIndex]!.name : s.name;
    assert.equal(name, m[7]!.trim(), `${file}: name of symbol ${i + 1}`);
  });
  return rows.length;
}

function checkRelocationCounts(file: string, elf: Elf32File): void {
  const counts = new Map<string, number>();
  for (const m of run('readelf', ['-rW', file]).matchAll(/Relocation section '\.rel(\S+)' at offset 0x[0-9a-f]+ contains (\d+) entr/g)) {
    counts.set(m[1]!, Number(m[2]));
  }
  for (const [target, count] of counts) {
    const section = elf.sections.find((s) => s.name === target);
    assert.ok(section !== undefined, `${file}: relocated section ${target}`);
    const r = readSectionRelocations(elf, section);
    assert.deepEqual(r.errors, []);
    assert.equal(r.relocations.length, count, `${file}: relocations of ${target}`);
  }
}

test('ELF32 reader agrees with readelf on objects built here', (t) => {
  if (!hasCommand('readelf') || !hasCommand('as')) return t.skip('binutils are not installed');
  const dir = makeTempDir(t);
  const objects = [path.join(dir, 'edge.o')];
  run('as', ['--32', path.join(__dirname, 'fixtures', 'listing-edge-cases.s'), '-o', objects[0]!]);
  if (gccM32Problem(dir) === null) {
    objects.push(path.join(dir, 'sample.o'));
    run('gcc', ['-m32', '-O2', '-c', path.join(__dirname, 'fixtures', 'listing-sample.c'), '-o', objects[1]!]);
  }
  for (const file of objects) {
    const elf = readElfFile(file);
    assert.equal(elf.kind, 'relocatable');
    checkSections(file, elf);
    assert.ok(checkSymbols(file, elf) > 5);
    checkRelocationCounts(file, elf);
  }
});

test('ELF32 reader agrees with readelf on the Debian kernel and its modules', (t) => {
  if (!hasCommand('readelf')) return t.skip('readelf is not installed');
  const k = findDebianKernel();
  if (!k.ok) return t.skip(k.reason);
  const vmlinux = readElfFile(k.files.vmlinux);
  assert.equal(vmlinux.kind, 'executable');
  assert.equal(vmlinux.symbols.length, 0, 'the vmlinux inside the bzImage is stripped');
  assert.ok(vmlinux.programHeaders.length > 0);
  checkSections(k.files.vmlinux, vmlinux);
  const modules = run('find', [path.join(k.files.root, 'lib', 'modules'), '-name', '*.ko']).trim().split('\n').sort();
  for (const module of [modules[0]!, modules[Math.floor(modules.length / 2)]!, modules[modules.length - 1]!]) {
    const elf = readElfFile(module);
    checkSections(module, elf);
    checkSymbols(module, elf);
    checkRelocationCounts(module, elf);
  }
});
