/* 64-bit integer arithmetic (libgcc division helpers, double shifts), bit scans and a switch table. */
#include <stdio.h>
#include <stdint.h>

static unsigned classify(unsigned v) {
  switch (v % 9) {
  case 0: return v * 3;
  case 1: return v ^ 0x5a5a;
  case 2: return v >> 3;
  case 3: return v + 77;
  case 4: return ~v;
  case 5: return v * v;
  case 6: return v - 1000;
  case 7: return v << 5;
  default: return v / 7;
  }
}

int main(void) {
  uint64_t a = 0x123456789abcdefULL, b = 0xfedcba987ULL;
  int64_t s = -0x7edcba9876543LL;
  uint64_t acc = 0;
  for (int i = 0; i < 3000; i++) {
    a = a * 6364136223846793005ULL + 1442695040888963407ULL;
    acc += a / (b + i) + a % (b | 1) + (a >> (i % 63)) + (a << (i % 61));
    s = s / 3 + (int64_t)(a >> 7) % 1000003 - (s >> 5);
  }
  printf("acc %016llx s %lld\n", (unsigned long long)acc, (long long)s);
  unsigned bits = 0, scans = 0;
  for (unsigned v = 1; v < 100000; v += 37) {
    bits += __builtin_popcount(v);
    scans += __builtin_clz(v) + __builtin_ctz(v);
  }
  printf("bits %u scans %u\n", bits, scans);
  unsigned sw = 0;
  for (unsigned v = 0; v < 50000; v++) sw += classify(v * 2654435761u);
  printf("switch %08x\n", sw);
  return 0;
}
