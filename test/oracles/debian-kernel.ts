// Locates the Debian i386 kernel the differential tests compare against (vmlinux, its objdump
// listing, the unpacked package), running scripts/fetch-debian-kernel.sh when the cache is empty.
// When the package cannot be had, callers get a reason to skip with instead of files. Also reads
// the .text section out of the ELF32 vmlinux (a few header fields suffice for that).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const KERNEL_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'debian-6.1.0-50-686');
const FETCH_SCRIPT = path.join(REPO_ROOT, 'scripts', 'fetch-debian-kernel.sh');

export interface DebianKernelFiles {
  vmlinux: string;
  /** `objdump -d -j .text vmlinux` */
  listing: string;
  /** The unpacked package: boot/, lib/modules/... */
  root: string;
}

export type DebianKernelLookup = { ok: true; files: DebianKernelFiles } | { ok: false; reason: string };

function cachedFiles(): DebianKernelFiles {
  return {
    vmlinux: path.join(KERNEL_CACHE_DIR, 'vmlinux'),
    listing: path.join(KERNEL_CACHE_DIR, 'vmlinux.objdump.txt'),
    root: path.join(KERNEL_CACHE_DIR, 'root'),
  };
}

function allPresent(files: DebianKernelFiles): boolean {
  const nonEmpty = (f: string) => fs.existsSync(f) && fs.statSync(f).size > 0;
  return nonEmpty(files.vmlinux) && nonEmpty(files.listing) && fs.existsSync(path.join(files.root, 'boot'));
}

let memo: DebianKernelLookup | undefined;

/** Finds the cached kernel, fetching it once per process if needed. */
export function findDebianKernel(): DebianKernelLookup {
  if (memo !== undefined) return memo;
  const files = cachedFiles();
  if (!allPresent(files)) {
    // stderr is kept for the skip reason; stdout (the summary of paths) is not needed.
    const run = spawnSync('bash', [FETCH_SCRIPT], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (run.status !== 0 || !allPresent(files)) {
      const lines = (run.stderr ?? '').trim().split('\n');
      const ours = lines.filter((l) => l.startsWith('fetch-debian-kernel:'));
      const why = run.error?.message ?? ours[ours.length - 1] ?? lines[lines.length - 1] ?? `exit ${run.status}`;
      memo = { ok: false, reason: `Debian kernel linux-image-6.1.0-50-686-unsigned:i386 unavailable: ${why || `exit ${run.status}`}` };
      return memo;
    }
  }
  memo = { ok: true, files };
  return memo;
}

export interface ElfSection {
  name: string;
  /** Virtual address (sh_addr). */
  address: number;
  fileOffset: number;
  size: number;
  /** The section's contents (a view into the file's buffer). */
  bytes: Uint8Array;
}

/** Reads one section of a little-endian ELF32 file by name; throws on anything else. */
export function readElf32Section(file: Uint8Array, name: string): ElfSection {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = file[0] === 0x7f && file[1] === 0x45 && file[2] === 0x4c && file[3] === 0x46;
  if (!magic || file[4] !== 1 || file[5] !== 1) throw new Error('not a little-endian ELF32 file');
  const shoff = view.getUint32(0x20, true);
  const shentsize = view.getUint16(0x2e, true);
  const shnum = view.getUint16(0x30, true);
  const shstrndx = view.getUint16(0x32, true);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      nameOffset: view.getUint32(at, true),
      address: view.getUint32(at + 12, true),
      fileOffset: view.getUint32(at + 16, true),
      size: view.getUint32(at + 20, true),
    };
  };
  const strtab = header(shstrndx);
  const nameAt = (offset: number) => {
    let end = strtab.fileOffset + offset;
    while (file[end] !== 0 && end < file.length) end++;
    return Buffer.from(file.buffer, file.byteOffset + strtab.fileOffset + offset, end - strtab.fileOffset - offset).toString('latin1');
  };
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    if (nameAt(h.nameOffset) !== name) continue;
    return {
      name,
      address: h.address,
      fileOffset: h.fileOffset,
      size: h.size,
      bytes: file.subarray(h.fileOffset, h.fileOffset + h.size),
    };
  }
  throw new Error(`no section ${name}`);
}

/** The .text section of the cached vmlinux. */
export function readVmlinuxText(files: DebianKernelFiles): ElfSection {
  return readElf32Section(new Uint8Array(fs.readFileSync(files.vmlinux)), '.text');
}
