// The arguments each test program gets in the lockstep run, at two sizes: 'full' (the default:
// about 11.5 million instructions over all programs, over the 10 million; some 4-5
// minutes on two busy cores, since a single step costs ~25-40 us on a VM) and 'quick'
// (KBOOST_LOCKSTEP=quick: about 2 million, for a fast local check).
// Without arguments the programs run their full size (the whole-program test and the benchmark).

export type LockstepSize = 'quick' | 'full';

export const LOCKSTEP_ARGS: Record<string, Record<LockstepSize, string[]>> = {
  'base64-round-trip': { quick: ['1'], full: ['6'] },
  'bignum-factorial': { quick: ['15'], full: ['75'] },
  'bit-twiddling': { quick: ['400'], full: ['5000'] },
  'crc32-table': { quick: ['1'], full: ['8'] },
  'floating-point-series': { quick: ['800'], full: ['20000'] },
  'fnv-and-murmur-hashes': { quick: ['40'], full: ['500'] },
  'integer-arithmetic': { quick: ['300'], full: ['4000'] },
  'matrix-multiply-integers': { quick: ['1'], full: ['3'] },
  'qsort-integers': { quick: ['300'], full: ['800'] },
  'sha256-blocks': { quick: ['1'], full: ['9'] },
  'sieve-of-eratosthenes': { quick: ['1500'], full: ['25000'] },
  'string-handling': { quick: ['25'], full: ['350'] },
};

export function lockstepSize(): LockstepSize {
  return process.env.KBOOST_LOCKSTEP === 'quick' ? 'quick' : 'full';
}
