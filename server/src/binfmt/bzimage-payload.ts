// Finding the compressed kernel inside a Linux x86 bzImage (`/boot/vmlinuz-*`).
//
// A bzImage starts with the real-mode setup code, whose header ("HdrS" at 0x202) gives the number
// of setup sectors and, from boot protocol 2.08 on, the offset and length of the compressed
// payload within the protected-mode part. Debian's i386 kernels compress it with xz; the payload
// ends with the decompressed size as a 32-bit word, which is not part of the xz stream. When the
// header is missing or points elsewhere, the first xz magic in the file is used instead.

import { hasXzMagic } from './xz-input-decompression';

const SETUP_SECTS = 0x1f1;
const HEADER_MAGIC = 0x202; // "HdrS"
const PROTOCOL_VERSION = 0x206;
const PAYLOAD_OFFSET = 0x248;
const PAYLOAD_LENGTH = 0x24c;

/** True when `bytes` carries the boot-sector signature and the "HdrS" setup header. */
export function isBzImage(bytes: Uint8Array): boolean {
  return (
    bytes.length > PAYLOAD_LENGTH + 4 &&
    bytes[0x1fe] === 0x55 &&
    bytes[0x1ff] === 0xaa &&
    bytes[HEADER_MAGIC] === 0x48 && bytes[HEADER_MAGIC + 1] === 0x64 &&
    bytes[HEADER_MAGIC + 2] === 0x72 && bytes[HEADER_MAGIC + 3] === 0x53
  );
}

export interface BzImagePayload {
  /** The xz stream (possibly followed by a few trailing bytes). */
  xz: Uint8Array;
  /** Where it starts in the file, for messages. */
  fileOffset: number;
  /** How it was found. */
  foundBy: 'setup header' | 'magic search';
}

/** Locates the xz payload; returns a message when the image has none. */
export function findBzImageXzPayload(bytes: Uint8Array): BzImagePayload | string {
  if (isBzImage(bytes)) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = view.getUint16(PROTOCOL_VERSION, true);
    const setupSectors = bytes[SETUP_SECTS] === 0 ? 4 : bytes[SETUP_SECTS]!;
    if (version >= 0x208) {
      const start = (setupSectors + 1) * 512 + view.getUint32(PAYLOAD_OFFSET, true);
      const length = view.getUint32(PAYLOAD_LENGTH, true);
      if (hasXzMagic(bytes, start) && start + length <= bytes.length) {
        // The payload's last 4 bytes hold the decompressed size; drop them when the xz footer
        // magic "YZ" sits right before them.
        let end = start + length;
        if (length >= 6 && bytes[end - 6] === 0x59 && bytes[end - 5] === 0x5a) end -= 4;
        return { xz: bytes.subarray(start, end), fileOffset: start, foundBy: 'setup header' };
      }
    }
  }
  const at = findXzMagic(bytes);
  if (at < 0) return 'no xz-compressed payload found (only xz-compressed bzImages are supported)';
  return { xz: bytes.subarray(at), fileOffset: at, foundBy: 'magic search' };
}

function findXzMagic(bytes: Uint8Array): number {
  for (let i = bytes.indexOf(0xfd); i >= 0; i = bytes.indexOf(0xfd, i + 1)) {
    if (hasXzMagic(bytes, i)) return i;
  }
  return -1;
}
