/* Sorts pseudo-random integers with libc qsort and with an insertion sort; prints checksums.
 * An emulator oracle program: indirect calls through the comparator, compares and branches. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static int compare_ints(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  int *v = malloc(sizeof(int) * (size_t)n);
  uint32_t s = 2463534242u;
  for (int i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >> 17; s ^= s << 5;
    v[i] = (int)(s % 2000001u) - 1000000;
  }
  qsort(v, (size_t)n, sizeof(int), compare_ints);
  uint32_t sum = 0;
  int sorted = 1;
  for (int i = 0; i < n; i++) {
    sum = sum * 31u + (uint32_t)v[i];
    if (i && v[i - 1] > v[i]) sorted = 0;
  }
  printf("qsort n=%d sorted=%d min=%d max=%d sum=%08x\n", n, sorted, v[0], v[n - 1], sum);
  int m = n < 2000 ? n : 2000;
  for (int i = 0; i < m; i++) v[i] = (int)((uint32_t)i * 2654435761u >> 7);
  for (int i = 1; i < m; i++) {
    int x = v[i], j = i - 1;
    while (j >= 0 && v[j] < x) { v[j + 1] = v[j]; j--; }
    v[j + 1] = x;
  }
  sum = 0;
  for (int i = 0; i < m; i++) sum += (uint32_t)v[i] ^ (uint32_t)i;
  printf("insertion sort m=%d first=%d sum=%08x\n", m, v[0], sum);
  free(v);
  return 0;
}
