/* A little x87 floating point: sums, products, division, int<->double conversion, compares. */
#include <stdio.h>

int main(void) {
  double sum = 0.0, product = 1.0;
  float f = 0.5f;
  for (int i = 1; i <= 50; i++) {
    sum += 1.0 / i;
    product *= 1.0 + 1.0 / (i * i);
    f = f * 1.5f - 0.25f;
    if (f > 1000.0f) f = f / 1024.0f;
  }
  int truncated = (int)(sum * 1000.0);
  long long big = (long long)(product * 1e6);
  printf("harmonic %.6f product %.6f f %.4f\n", sum, product, (double)f);
  printf("truncated %d big %lld\n", truncated, big);
  double values[8] = {3.5, -2.25, 10.0, 0.125, -7.0, 4.75, 1e3, -0.5};
  double max = values[0], min = values[0];
  for (int i = 1; i < 8; i++) { if (values[i] > max) max = values[i]; if (values[i] < min) min = values[i]; }
  printf("max %g min %g\n", max, min);
  unsigned u = 3000000000u;
  double du = u;
  printf("unsigned %.1f back %u\n", du, (unsigned)(du / 2));
  return 0;
}
