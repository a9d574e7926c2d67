/* Counts primes with a byte sieve and a bit sieve; prints counts and a checksum of the primes.
 * An emulator oracle program: byte stores, bit operations and nested loops. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200000;
  unsigned char *sieve = malloc((size_t)n + 1);
  memset(sieve, 1, (size_t)n + 1);
  sieve[0] = sieve[1] = 0;
  for (int i = 2; (long)i * i <= n; i++)
    if (sieve[i]) for (int j = i * i; j <= n; j += i) sieve[j] = 0;
  int count = 0;
  uint32_t sum = 0;
  for (int i = 0; i <= n; i++) if (sieve[i]) { count++; sum = sum * 7u + (uint32_t)i; }
  uint32_t *bits = calloc((size_t)n / 32 + 1, 4);
  for (int i = 2; (long)i * i <= n; i++)
    if (!(bits[i >> 5] >> (i & 31) & 1)) for (int j = i * i; j <= n; j += i) bits[j >> 5] |= 1u << (j & 31);
  int count2 = 0;
  for (int i = 2; i <= n; i++) count2 += !(bits[i >> 5] >> (i & 31) & 1);
  printf("sieve n=%d primes=%d bitsieve=%d sum=%08x\n", n, count, count2, sum);
  free(sieve);
  free(bits);
  return 0;
}
