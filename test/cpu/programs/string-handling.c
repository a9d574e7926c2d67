/* String handling: strlen/strcpy/strcat/strcmp/strchr/strstr/memmove/sprintf/strtol/atoi. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

int main(int argc, char **argv) {
  char buffer[4096];
  char words[64][32];
  int count = 0;
  buffer[0] = 0;
  for (int i = 0; i < 64; i++) {
    snprintf(words[i], sizeof words[i], "w%03d-%x", (i * 37) % 101, i * 2654435761u);
    strcat(buffer, words[i]);
    strcat(buffer, i % 5 == 4 ? "\n" : " ");
    count++;
  }
  printf("length %zu words %d\n", strlen(buffer), count);
  unsigned hash = 5381;
  for (char *p = buffer; *p; p++) hash = hash * 33 + (unsigned char)toupper((unsigned char)*p);
  printf("hash %08x\n", hash);
  const char *found = strstr(buffer, "w050");
  printf("strstr offset %ld\n", found ? (long)(found - buffer) : -1L);
  printf("strchr newline %ld\n", (long)(strchr(buffer, '\n') - buffer));
  int less = 0;
  for (int i = 1; i < 64; i++) less += strcmp(words[i - 1], words[i]) < 0;
  printf("ascending pairs %d\n", less);
  memmove(buffer + 10, buffer, 100);
  buffer[120] = 0;
  printf("moved '%s'\n", buffer + 5);
  long total = 0;
  for (int i = 0; i < 64; i++) total += strtol(words[i] + 1, NULL, 10) + atoi(words[i] + 1);
  printf("numbers %ld argc %d first-arg %s\n", total, argc, argc > 1 ? argv[1] : "-");
  char reversed[64];
  size_t n = strlen(words[7]);
  for (size_t i = 0; i < n; i++) reversed[i] = words[7][n - 1 - i];
  reversed[n] = 0;
  printf("reversed %s\n", reversed);
  return 0;
}
