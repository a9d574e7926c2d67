/* A little floating point (x87 under gcc -m32): series sums, a square root by Newton's method,
 * float/int conversions and compares; prints rounded results and checksums. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  double pi4 = 0, harmonic = 0;
  for (int k = 0; k < n; k++) {
    pi4 += (k % 2 ? -1.0 : 1.0) / (2.0 * k + 1.0);
    harmonic += 1.0 / (k + 1);
  }
  double x = 2.0, r = 1.0;
  for (int i = 0; i < 30; i++) r = 0.5 * (r + x / r);
  float f = 0.0f;
  long conv = 0;
  int above = 0;
  for (int i = 0; i < n; i++) {
    f += (float)i * 0.001f;
    conv += (long)(f * 3.5f);
    if ((double)f > harmonic) above++;
  }
  printf("fp n=%d pi=%.9f harmonic=%.9f sqrt2=%.12f f=%.3f conv=%ld above=%d\n", n, 4 * pi4, harmonic, r, (double)f, conv, above);
  return 0;
}
