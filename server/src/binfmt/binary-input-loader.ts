// Turns a path given on the command line into the bytes of an ELF32 file, undoing the wrappers
// kernels and modules come in: `.xz` (modules, `xz -k`), `.gz`, `.zst` (through the system
// `zstd`), and the x86 bzImage (`/boot/vmlinuz-*`) whose xz payload is the ELF `vmlinux`.
// The format is recognised by magic bytes, not by the file name.

import { promises as fs } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BinaryResult, failure, success } from './binary-input-result';
import { findBzImageXzPayload, isBzImage } from './bzimage-payload';
import { isElf } from './elf32-reader';
import { runSystemDecompressor } from './system-decompressor';
import { decompressXz, hasXzMagic } from './xz-input-decompression';

export type InputWrapper = 'xz' | 'gzip' | 'zstd' | 'bzImage';

export interface LoadedBinary {
  /** The ELF bytes (or, when no wrapper matched, the file's bytes as they are). */
  bytes: Uint8Array;
  /** The wrappers removed, outermost first; empty for a plain file. */
  unwrapped: InputWrapper[];
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Reads a file; the message names the problem the way a shell user expects. */
export async function readInputFile(path: string): Promise<BinaryResult<Uint8Array>> {
  try {
    const data = await fs.readFile(path);
    return success(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    switch (err.code) {
      case 'ENOENT': return failure('No such file or directory');
      case 'EISDIR': return failure('Is a directory');
      case 'EACCES': return failure('Permission denied');
      default: return failure(err.message);
    }
  }
}

function gunzip(bytes: Uint8Array): BinaryResult<Uint8Array> {
  try {
    const out = gunzipSync(bytes);
    return success(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  } catch (e) {
    return failure(`corrupt gzip data: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Removes one layer of wrapping, or returns null when `bytes` is not wrapped. */
async function unwrapOnce(bytes: Uint8Array): Promise<{ wrapper: InputWrapper; result: BinaryResult<Uint8Array> } | null> {
  if (hasXzMagic(bytes)) return { wrapper: 'xz', result: await decompressXz(bytes) };
  if (startsWith(bytes, GZIP_MAGIC)) return { wrapper: 'gzip', result: gunzip(bytes) };
  if (startsWith(bytes, ZSTD_MAGIC)) {
    return {
      wrapper: 'zstd',
      result: await runSystemDecompressor('zstd', ['-dc'], bytes, 'zstd-compressed input needs the system `zstd` command, which is not installed'),
    };
  }
  if (isBzImage(bytes)) {
    const payload = findBzImageXzPayload(bytes);
    if (typeof payload === 'string') return { wrapper: 'bzImage', result: failure(`Linux bzImage: ${payload}`) };
    const r = await decompressXz(payload.xz);
    const result = r.value === null ? failure<Uint8Array>(`Linux bzImage: xz payload at offset ${payload.fileOffset}: ${r.errors.join('; ')}`) : r;
    return { wrapper: 'bzImage', result };
  }
  return null;
}

/**
 * Bytes of the ELF inside `bytes`, after removing up to three wrappers (a bzImage inside a
 * gzip file is possible). Bytes that match no wrapper come back unchanged for the ELF reader
 * to judge.
 */
export async function unwrapBinary(bytes: Uint8Array): Promise<BinaryResult<LoadedBinary>> {
  const unwrapped: InputWrapper[] = [];
  let current = bytes;
  for (let depth = 0; depth < 3 && !isElf(current); depth++) {
    const step = await unwrapOnce(current);
    if (step === null) break;
    unwrapped.push(step.wrapper);
    if (step.result.value === null) return failure(step.result.errors.join('; '));
    current = step.result.value;
  }
  return success({ bytes: current, unwrapped });
}

export async function loadBinaryInput(path: string): Promise<BinaryResult<LoadedBinary>> {
  const file = await readInputFile(path);
  if (file.value === null) return failure(file.errors.join('; '));
  return unwrapBinary(file.value);
}
