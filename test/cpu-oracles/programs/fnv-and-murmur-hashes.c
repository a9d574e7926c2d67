/* FNV-1a (32 and 64 bit) and a multiply-xorshift mix over generated keys; prints the hashes.
 * An emulator oracle program: 32x32 and 64-bit multiplies (mul, imul, adc chains). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static uint32_t fnv1a32(const char *s, int len) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < len; i++) { h ^= (unsigned char)s[i]; h *= 16777619u; }
  return h;
}

static uint64_t fnv1a64(const char *s, int len) {
  uint64_t h = 14695981039346656037ull;
  for (int i = 0; i < len; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ull; }
  return h;
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  char key[32];
  uint32_t a = 0;
  uint64_t b = 0, c = 0;
  for (int i = 0; i < n; i++) {
    int len = snprintf(key, sizeof key, "key-%d-%x", i, i * 7);
    a ^= fnv1a32(key, len);
    b += fnv1a64(key, len);
    c ^= mix64((uint64_t)i * 0x9e3779b97f4a7c15ull);
  }
  printf("fnv n=%d fnv32=%08x fnv64=%016llx mix=%016llx\n", n, a, (unsigned long long)b, (unsigned long long)c);
  return 0;
}
