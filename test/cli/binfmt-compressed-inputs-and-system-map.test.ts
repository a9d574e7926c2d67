// The input layer's unpacking (xz through the xz-decompress package or the system xz for the
// BCJ filter, gzip, the bzImage payload) checked against the `xz`/`gzip` tools and the real
// Debian bzImage, and the System.map / kallsyms parser on the shared kallsyms file.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { unwrapBinary } from '../../server/src/binfmt/binary-input-loader';
import { findBzImageXzPayload, isBzImage } from '../../server/src/binfmt/bzimage-payload';
import { loadSystemMap, parseSystemMap } from '../../server/src/binfmt/system-map-parser';
import { decompressXz } from '../../server/src/binfmt/xz-input-decompression';
import { findDebianKernel } from '../oracles/debian-kernel';
import { KALLSYMS, hasCommand, makeTempDir, runBytes } from './cli-test-support';

/** Bytes that compress but are not trivial: a little pseudo-random machine-code-like data. */
function sampleBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = i % 7 === 0 ? 0xe8 : (x >>> 16) & 0x3f;
  }
  return b;
}

test('decompressXz undoes xz with its default, CRC32 and x86 BCJ settings', async (t) => {
  if (!hasCommand('xz')) return t.skip('xz is not installed');
  const dir = makeTempDir(t);
  const plain = sampleBytes(300000);
  const file = path.join(dir, 'data.bin');
  fs.writeFileSync(file, plain);
  for (const flags of [[], ['--check=crc32', '--lzma2=dict=1MiB'], ['--check=crc32', '--x86', '--lzma2'], ['-9e']]) {
    const packed = runBytes('xz', ['-c', ...flags, file]);
    const r = await decompressXz(new Uint8Array(packed));
    assert.deepEqual(r.errors, [], flags.join(' '));
    assert.ok(r.value !== null && Buffer.from(r.value).equals(plain), `xz ${flags.join(' ')}: round trip`);
  }
  const notXz = await decompressXz(new Uint8Array([1, 2, 3]));
  assert.equal(notXz.value, null);
  assert.match(notXz.errors[0]!, /not a valid \.xz stream/);
});

test('gzip and nested wrappers are removed by magic bytes, not by name', async () => {
  const elfLike = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), sampleBytes(1000)]);
  const r = await unwrapBinary(new Uint8Array(gzipSync(elfLike)));
  assert.ok(r.value !== null);
  assert.deepEqual(r.value.unwrapped, ['gzip']);
  assert.ok(Buffer.from(r.value.bytes).equals(elfLike));
  const plain = await unwrapBinary(new Uint8Array(elfLike));
  assert.deepEqual(plain.value?.unwrapped, []);
  const corrupt = gzipSync(elfLike);
  corrupt[corrupt.length - 6] ^= 0xff;
  const bad = await unwrapBinary(new Uint8Array(corrupt));
  assert.equal(bad.value, null);
  assert.match(bad.errors[0]!, /corrupt gzip data/);
});

test('the bzImage payload is found through the setup header and unpacks to the vmlinux', async (t) => {
  const k = findDebianKernel();
  if (!k.ok) return t.skip(k.reason);
  const boot = path.join(k.files.root, 'boot');
  const name = fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz-'))!;
  const image = new Uint8Array(fs.readFileSync(path.join(boot, name)));
  assert.ok(isBzImage(image));
  const payload = findBzImageXzPayload(image);
  assert.ok(typeof payload !== 'string', String(payload));
  assert.equal(payload.foundBy, 'setup header');
  // The fetch script found the same stream by its magic bytes.
  const magicAt = Buffer.from(image).indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  assert.equal(payload.fileOffset, magicAt);
  const r = await unwrapBinary(image);
  if (r.value === null && !hasCommand('xz')) return t.skip(`needs the system xz: ${r.errors.join('; ')}`);
  assert.ok(r.value !== null, r.errors.join('; '));
  assert.deepEqual(r.value.unwrapped, ['bzImage']);
  assert.ok(Buffer.from(r.value.bytes).equals(fs.readFileSync(k.files.vmlinux)), 'payload = the vmlinux scripts/fetch-debian-kernel.sh extracted with xz');
});

test('System.map and kallsyms text is parsed, with messages for what it skips', () => {
  const r = parseSystemMap([
    'c1000000 T startup_32',
    'c1000000 T _stext',
    'c1911120 T schedule',
    'f8a01000 t my_probe_handler\t[my_module]',
    'ffffffff81000000 T x86_64_symbol',
    'this line is wrong',
    '',
  ].join('\n'));
  assert.ok(r.value !== null);
  assert.deepEqual(r.value.map((s) => [s.address, s.type, s.name, s.module]), [
    [0xc1000000, 'T', 'startup_32', null],
    [0xc1000000, 'T', '_stext', null],
    [0xc1911120, 'T', 'schedule', null],
    [0xf8a01000, 't', 'my_probe_handler', 'my_module'],
  ]);
  assert.deepEqual(r.errors, [
    "1 line(s) are not 'address type name' (first at line 6); skipped",
    '1 symbol(s) have addresses wider than 32 bits; skipped',
  ]);
  assert.match(parseSystemMap('0000000000000000 T a\n00000000 t b\n').errors[0]!, /all symbol addresses are zero/);
  assert.match(parseSystemMap('').errors[0]!, /no usable symbols/);
});

test('the shared kallsyms of Debian 6.1.0-50-686 loads from its .gz', async (t) => {
  if (!fs.existsSync(KALLSYMS)) return t.skip(`no ${KALLSYMS}`);
  const r = await loadSystemMap(KALLSYMS);
  assert.ok(r.value !== null, r.errors.join('; '));
  assert.deepEqual(r.errors, []);
  assert.equal(r.value.length, 45166);
  assert.ok(r.value.every((s, i) => i === 0 || r.value![i - 1]!.address <= s.address));
  const schedule = r.value.find((s) => s.name === 'schedule');
  assert.deepEqual(schedule, { address: 0xc1911120, type: 'T', name: 'schedule', module: null });
});
