// Where the CLI writes, and its exit codes. Commands write through a CliIo so tests can run
// them in-process and read what they printed; the real entry wraps process.stdout/stderr with
// a buffer, since a listing of a kernel is millions of small lines.

export const EXIT_OK = 0;
/** The input could not be used (not ELF, truncated, unknown symbol...). */
export const EXIT_BAD_INPUT = 1;
/** The command line itself is wrong. */
export const EXIT_USAGE = 2;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Writes what `out` buffered. */
  flush(): void;
}

/** Bytes of stdout buffered before a write. */
const CHUNK = 1 << 18;

/**
 * A CliIo over the process streams, encoding stdout straight into chunks of 256 KiB: joining
 * millions of small strings and encoding the result cost more than the listing itself.
 */
export function processIo(): CliIo {
  let chunk = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  const flush = (): void => {
    if (used === 0) return;
    // The chunk goes to the stream as it is (a write may be queued): start a new one.
    process.stdout.write(chunk.subarray(0, used));
    chunk = Buffer.allocUnsafe(CHUNK);
    used = 0;
  };
  return {
    out(text) {
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (used + text.length * 3 > CHUNK) {
        flush();
        if (text.length * 3 > CHUNK) return void process.stdout.write(text);
      }
      used += chunk.write(text, used, 'utf8');
    },
    err(text) {
      flush();
      process.stderr.write(text);
    },
    flush,
  };
}

/** A CliIo that keeps everything in memory (tests). */
export function memoryIo(): CliIo & { stdout(): string; stderr(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    flush: () => undefined,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
