/* Bit manipulation: population counts, bit scans, rotates, byte swaps and 64-bit shifts, written so
 * that gcc emits bsf/bsr, shld/shrd, rol/ror, bswap and setcc; prints checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static int popcount(uint32_t x) { int c = 0; while (x) { x &= x - 1; c++; } return c; }
static uint32_t rotl(uint32_t x, int r) { return (x << (r & 31)) | (x >> ((32 - r) & 31)); }

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 30000;
  uint32_t acc = 0, x = 0x12345678;
  uint64_t wide = 0x0123456789abcdefull;
  int pops = 0, scans = 0, sets = 0;
  for (int i = 0; i < n; i++) {
    x = x * 1664525u + 1013904223u;
    pops += popcount(x);
    scans += __builtin_ctz(x | 1) + (31 - __builtin_clz(x | 1));
    acc ^= rotl(x, i) + __builtin_bswap32(x);
    wide = (wide << (i % 63)) | (wide >> (64 - i % 63 - 1) >> 1);
    wide ^= (uint64_t)x << 17;
    sets += (int32_t)x < 0;
    sets += x > acc;
  }
  printf("bits n=%d pops=%d scans=%d acc=%08x wide=%016llx sets=%d\n", n, pops, scans, acc, (unsigned long long)wide, sets);
  return 0;
}
