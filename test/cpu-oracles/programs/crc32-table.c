/* CRC-32 (IEEE, reflected, table-driven) over a generated buffer; prints the checksums.
 * An emulator oracle program: the output must be the same natively, under qemu-i386 and ours. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static uint32_t table[256];

static void make_table(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
}

static uint32_t crc32(const unsigned char *p, size_t len) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < len; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 40;
  static unsigned char buf[16384];
  uint32_t seed = 12345;
  for (size_t i = 0; i < sizeof buf; i++) {
    seed = seed * 1103515245u + 12345u;
    buf[i] = (unsigned char)(seed >> 16);
  }
  make_table();
  uint32_t total = 0;
  for (int r = 0; r < rounds; r++) {
    buf[r % sizeof buf] ^= (unsigned char)r;
    total ^= crc32(buf, sizeof buf) + (uint32_t)r;
  }
  printf("crc32 of 123456789: %08x\n", crc32((const unsigned char *)"123456789", 9));
  printf("crc32 rounds=%d total=%08x\n", rounds, total);
  return 0;
}
