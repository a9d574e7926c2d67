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

/** A CliIo over the process streams, buffering stdout into chunks of about 256 KiB. */
export function processIo(): CliIo {
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = (): void => {
    if (pendingLength === 0) return;
    process.stdout.write(pending.join(''));
    pending = [];
    pendingLength = 0;
  };
  return {
    out(text) {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= 1 << 18) flush();
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
