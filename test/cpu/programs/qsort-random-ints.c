/* qsort of pseudo-random ints (signed compare, 64-bit sums, division); prints checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static int compare(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int main(void) {
  enum { N = 20000 };
  static int values[N];
  uint32_t seed = 2463534242u;
  for (int i = 0; i < N; i++) {
    seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
    values[i] = (int)seed;
  }
  qsort(values, N, sizeof values[0], compare);
  int64_t sum = 0;
  uint32_t mix = 0;
  for (int i = 0; i < N; i++) {
    if (i > 0 && values[i - 1] > values[i]) { printf("not sorted at %d\n", i); return 1; }
    sum += values[i];
    mix = mix * 31 + (uint32_t)values[i];
  }
  printf("min %d max %d median %d\n", values[0], values[N - 1], values[N / 2]);
  printf("sum %lld mix %08x mean %lld\n", (long long)sum, mix, (long long)(sum / N));
  int64_t q = 0;
  for (int i = 1; i < 2000; i++) q += (int64_t)values[i] / (i * 7 + 1) + (uint64_t)(uint32_t)values[i] % 1000003u;
  printf("quotients %lld\n", (long long)q);
  return 0;
}
