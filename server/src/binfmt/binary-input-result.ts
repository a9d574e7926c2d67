// The result shape of every reader in binfmt/: a value plus messages, never an exception.
//
// Binary inputs come from users (any file can be passed to `kboost disasm`), so a reader reports
// what is wrong in words a user can act on. `value` is null when nothing usable could be read;
// messages beside a value are warnings about parts that were skipped.

export interface BinaryResult<T> {
  value: T | null;
  errors: string[];
}

export function failure<T>(message: string): BinaryResult<T> {
  return { value: null, errors: [message] };
}

export function success<T>(value: T, warnings: string[] = []): BinaryResult<T> {
  return { value, errors: warnings };
}

/** `0x1f` style hex for messages. */
export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}
