/* Base64-encodes generated data, decodes it again and compares; prints lengths and checksums.
 * An emulator oracle program: table lookups, shifts and byte packing. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t encode(const unsigned char *in, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
    out[o++] = ALPHABET[v >> 18 & 63];
    out[o++] = ALPHABET[v >> 12 & 63];
    out[o++] = i + 1 < len ? ALPHABET[v >> 6 & 63] : '=';
    out[o++] = i + 2 < len ? ALPHABET[v & 63] : '=';
  }
  out[o] = 0;
  return o;
}

static size_t decode(const char *in, size_t len, unsigned char *out) {
  signed char rev[256];
  memset(rev, -1, sizeof rev);
  for (int i = 0; i < 64; i++) rev[(unsigned char)ALPHABET[i]] = (signed char)i;
  size_t o = 0;
  for (size_t i = 0; i + 3 < len; i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      char ch = in[i + k];
      if (ch == '=') { pad++; v <<= 6; } else v = v << 6 | (uint32_t)rev[(unsigned char)ch];
    }
    out[o++] = (unsigned char)(v >> 16);
    if (pad < 2) out[o++] = (unsigned char)(v >> 8);
    if (pad < 1) out[o++] = (unsigned char)v;
  }
  return o;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 60;
  static unsigned char data[3000], back[3000];
  static char text[4100];
  uint32_t sum = 0;
  int ok = 1;
  for (int r = 0; r < rounds; r++) {
    size_t len = sizeof data - (size_t)r * 7 % 200;
    for (size_t i = 0; i < len; i++) data[i] = (unsigned char)(i * 131 + (size_t)r * 17);
    size_t tl = encode(data, len, text);
    size_t bl = decode(text, tl, back);
    if (bl != len || memcmp(data, back, len) != 0) ok = 0;
    for (size_t i = 0; i < tl; i += 13) sum = sum * 31u + (unsigned char)text[i];
  }
  encode((const unsigned char *)"kboost", 6, text);
  printf("base64 rounds=%d ok=%d sum=%08x sample=%s\n", rounds, ok, sum, text);
  return 0;
}
