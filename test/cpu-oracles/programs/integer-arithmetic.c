/* Integer arithmetic: signed and unsigned division and remainder (32 and 64 bit, through libgcc),
 * gcd, modular exponentiation, shifts of negative numbers; prints checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static uint32_t gcd(uint32_t a, uint32_t b) { while (b) { uint32_t t = a % b; a = b; b = t; } return a; }

static uint64_t powmod(uint64_t base, uint64_t exp, uint64_t mod) {
  uint64_t r = 1;
  base %= mod;
  while (exp) {
    if (exp & 1) r = r * base % mod;
    base = base * base % mod;
    exp >>= 1;
  }
  return r;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  int32_t sdiv = 0;
  uint32_t udiv = 0, g = 0;
  int64_t s64 = 0;
  for (int i = 1; i <= n; i++) {
    int32_t a = (int32_t)((uint32_t)i * 2654435761u);
    int32_t b = (i % 97) - 48;
    if (b == 0) b = 7;
    sdiv += a / b + a % b + (a >> (i & 31));
    udiv ^= (uint32_t)a / (uint32_t)(i + 3) + (uint32_t)a % (uint32_t)(i + 3);
    g += gcd((uint32_t)i * 12u, (uint32_t)(i + 18) * 8u);
    int64_t big = (int64_t)a * (int64_t)(i * 31 + 7);
    s64 += big / (int64_t)(b * 1000003) + big % 65521;
  }
  uint64_t pm = powmod(0x123456789ull, 65537, 4294967291ull);
  printf("arith n=%d sdiv=%d udiv=%08x gcd=%u s64=%lld powmod=%llu\n", n, sdiv, udiv, g, (long long)s64, (unsigned long long)pm);
  return 0;
}
