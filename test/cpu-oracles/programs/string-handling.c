/* String handling with libc: strlen, strcpy, strcat, strchr, strstr, memcmp, sprintf, strtol;
 * prints checksums. An emulator oracle program: string instructions and libc's string code. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <ctype.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3000;
  char buf[256], word[64];
  uint32_t sum = 0;
  long parsed = 0;
  for (int i = 0; i < n; i++) {
    snprintf(word, sizeof word, "w%dx%X", i, (unsigned)(i * 2654435761u));
    strcpy(buf, "prefix:");
    strcat(buf, word);
    strcat(buf, ":suffix");
    size_t len = strlen(buf);
    char *colon = strchr(buf + 7, ':');
    char *x = strstr(buf, "x");
    for (char *p = buf; *p; p++) *p = (char)toupper((unsigned char)*p);
    sum = sum * 33u + (uint32_t)len + (uint32_t)(colon - buf) + (uint32_t)(x ? x - buf : 0);
    sum ^= (uint32_t)memcmp(buf, "PREFIX:W1", 9) & 0xff;
    parsed += strtol(word + 1, NULL, 10);
    memmove(buf + 1, buf, len);
    sum += (unsigned char)buf[len];
  }
  char rev[64];
  const char *s = "the quick brown fox jumps over the lazy dog";
  size_t l = strlen(s);
  for (size_t i = 0; i < l; i++) rev[i] = s[l - 1 - i];
  rev[l] = 0;
  printf("strings n=%d sum=%08x parsed=%ld rev=%s\n", n, sum, parsed, rev);
  return 0;
}
