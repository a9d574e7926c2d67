/* Multiplies integer matrices and takes a checksum of the products; prints it.
 * An emulator oracle program: imul, indexed addressing and loop-carried sums. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define N 40

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 6;
  static int32_t a[N][N], b[N][N], c[N][N];
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) { a[i][j] = (i * 37 + j * 11) % 101 - 50; b[i][j] = (i * 13 - j * 7) % 89; }
  uint32_t check = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        int32_t s = 0;
        for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
        c[i][j] = s;
      }
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) { check = check * 17u + (uint32_t)c[i][j]; a[i][j] = c[i][j] % 1000; }
  }
  printf("matrix rounds=%d check=%08x c00=%d\n", rounds, check, c[0][0]);
  return 0;
}
