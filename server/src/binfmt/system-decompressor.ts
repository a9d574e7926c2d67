// Runs a system decompressor (`xz -dc`, `zstd -dc`) over bytes held in memory, for the formats
// or filters the in-process decoders lack. Resolves with the output or a message; never rejects.

import { spawn } from 'node:child_process';
import { BinaryResult, failure, success } from './binary-input-result';

export function runSystemDecompressor(
  command: string,
  args: string[],
  input: Uint8Array,
  missingMessage: string,
): Promise<BinaryResult<Uint8Array>> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve(failure(`cannot run ${command}: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // The child may stop reading early (corrupt data); its exit status tells what happened.
    child.stdin.on('error', () => undefined);
    child.on('error', (e: NodeJS.ErrnoException) => {
      resolve(failure(e.code === 'ENOENT' ? missingMessage : `cannot run ${command}: ${e.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) {
        const out = Buffer.concat(chunks);
        resolve(success(new Uint8Array(out.buffer, out.byteOffset, out.byteLength)));
      } else {
        const why = stderr.trim().replace(/^\S+: \(stdin\): /, '') || `exit code ${code}`;
        resolve(failure(`${command} ${args.join(' ')} failed: ${why}`));
      }
    });
    child.stdin.end(input);
  });
}
