/* CRC-32 (IEEE) of a pseudo-random buffer, bitwise and table-driven; prints the checksums. */
#include <stdio.h>
#include <stdint.h>

static uint32_t table[256];

static void build_table(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
}

int main(void) {
  static uint8_t buffer[200000];
  uint32_t seed = 12345;
  for (unsigned i = 0; i < sizeof buffer; i++) {
    seed = seed * 1103515245u + 12345u;
    buffer[i] = (uint8_t)(seed >> 16);
  }
  build_table();
  for (int round = 0; round < 5; round++) {
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned i = round; i < sizeof buffer; i++) crc = table[(crc ^ buffer[i]) & 0xFF] ^ (crc >> 8);
    printf("crc32 round %d: %08x\n", round, crc ^ 0xFFFFFFFFu);
  }
  uint32_t slow = 0xFFFFFFFFu;
  for (unsigned i = 0; i < 4096; i++) {
    slow ^= buffer[i];
    for (int k = 0; k < 8; k++) slow = (slow >> 1) ^ (0xEDB88320u & -(slow & 1));
  }
  printf("bitwise crc32 of 4096 bytes: %08x\n", slow ^ 0xFFFFFFFFu);
  return 0;
}
