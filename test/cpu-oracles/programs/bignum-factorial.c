/* Computes N! in base 10^4 limbs and the digit sum of 2^(20N/3) (300! and 2^2000 by default);
 * prints digits and checksums.
 * An emulator oracle program: multiply-and-carry loops with div/mod by constants. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 300;
  if (n < 2 || n > 1500) n = 300; /* the limb and digit arrays hold up to 1500! and 2^10000 */
  static uint32_t limb[2000];
  int used = 1;
  limb[0] = 1;
  for (int k = 2; k <= n; k++) {
    uint32_t carry = 0;
    for (int i = 0; i < used; i++) {
      uint32_t v = limb[i] * (uint32_t)k + carry;
      limb[i] = v % 10000;
      carry = v / 10000;
    }
    while (carry) { limb[used++] = carry % 10000; carry /= 10000; }
  }
  uint32_t digitsum = 0;
  for (int i = 0; i < used; i++) { uint32_t v = limb[i]; while (v) { digitsum += v % 10; v /= 10; } }
  printf("factorial %d: limbs=%d top=%u digitsum=%u\n", n, used, limb[used - 1], digitsum);
  static unsigned char dec[4000];
  int exponent = n * 20 / 3;
  int len = 1;
  dec[0] = 1;
  for (int k = 0; k < exponent; k++) {
    int carry = 0;
    for (int i = 0; i < len; i++) { int v = dec[i] * 2 + carry; dec[i] = (unsigned char)(v % 10); carry = v / 10; }
    if (carry) dec[len++] = (unsigned char)carry;
  }
  int s = 0;
  for (int i = 0; i < len; i++) s += dec[i];
  printf("2^%d: digits=%d digitsum=%d\n", exponent, len, s);
  return 0;
}
