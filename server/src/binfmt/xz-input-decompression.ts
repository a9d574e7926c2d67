// Decompression of `.xz` inputs (`.ko.xz` modules, the payload of a bzImage) into plain bytes.
//
// The npm package `xz-decompress` (xz-embedded compiled to WebAssembly, no native build) does the
// work in-process. It lacks the BCJ branch filters, and Linux compresses its bzImage payload with
// the x86 BCJ filter, so when the package reports an unsupported option the system `xz -dc` runs
// instead; without `xz` installed that case ends in a message saying so.

import { XzReadableStream } from 'xz-decompress';
import { BinaryResult, failure, success } from './binary-input-result';
import { runSystemDecompressor } from './system-decompressor';

export const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] as const;

export function hasXzMagic(bytes: Uint8Array, at = 0): boolean {
  return bytes.length >= at + 6 && XZ_MAGIC.every((b, i) => bytes[at + i] === b);
}

/** xz-embedded's return codes, as the package reports them ("error code N"). */
const XZ_ERROR_TEXT: Record<number, string> = {
  2: 'the .xz stream uses an integrity check this decoder does not support',
  3: 'out of memory while decompressing the .xz stream',
  4: 'the .xz stream needs more memory than the decoder allows',
  5: 'not a valid .xz stream',
  6: 'the .xz stream uses a filter this decoder does not support',
  7: 'corrupt .xz data',
  8: 'truncated .xz data (the stream ends early or has trailing bytes)',
};
const XZ_OPTIONS_ERROR = 6;

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function decompressInProcess(bytes: Uint8Array): Promise<{ bytes: Uint8Array } | { code: number | null; message: string }> {
  try {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const reader = new XzReadableStream(source).getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
    return { bytes: concat(chunks, total) };
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    const m = /error code (\d+)/.exec(text);
    const code = m === null ? null : Number(m[1]);
    return { code, message: code !== null && XZ_ERROR_TEXT[code] !== undefined ? XZ_ERROR_TEXT[code]! : `xz decompression failed: ${text}` };
  }
}

/** Decompresses one .xz stream. Never rejects: problems come back as messages. */
export async function decompressXz(bytes: Uint8Array): Promise<BinaryResult<Uint8Array>> {
  if (!hasXzMagic(bytes)) return failure('not a valid .xz stream (no xz magic bytes)');
  const r = await decompressInProcess(bytes);
  if ('bytes' in r) return success(r.bytes);
  if (r.code === XZ_OPTIONS_ERROR) {
    // `--single-stream` ignores bytes after the first stream (a bzImage payload has some).
    return runSystemDecompressor('xz', ['-dc', '--single-stream'], bytes,
      'the .xz stream uses a filter the built-in decoder lacks (Linux kernel images use the x86 BCJ filter), and the system `xz` command is not installed (install xz-utils)');
  }
  return failure(r.message);
}
