/* malloc/free of a linked list and a binary tree, recursion, and formatted output of doubles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node { int key; struct node *left, *right; };

static struct node *insert(struct node *t, int key) {
  if (!t) { t = calloc(1, sizeof *t); t->key = key; return t; }
  if (key < t->key) t->left = insert(t->left, key); else t->right = insert(t->right, key);
  return t;
}
static int depth(const struct node *t) { if (!t) return 0; int l = depth(t->left), r = depth(t->right); return 1 + (l > r ? l : r); }
static long sum(const struct node *t) { return t ? t->key + sum(t->left) + sum(t->right) : 0; }
static void release(struct node *t) { if (t) { release(t->left); release(t->right); free(t); } }
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
  struct node *root = NULL;
  unsigned seed = 99;
  for (int i = 0; i < 5000; i++) { seed = seed * 1664525u + 1013904223u; root = insert(root, (int)(seed >> 8)); }
  printf("depth %d sum %ld\n", depth(root), sum(root));
  release(root);
  char *blocks[100];
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 100; i++) { blocks[i] = malloc(16 + (i * 37 + round) % 3000); memset(blocks[i], i, 16); }
    for (int i = 0; i < 100; i += 2) free(blocks[i]);
    for (int i = 1; i < 100; i += 2) free(blocks[i]);
  }
  char *big = malloc(1 << 20);
  memset(big, 7, 1 << 20);
  printf("big %d fib %d\n", big[12345] + big[(1 << 20) - 1], fib(22));
  free(big);
  printf("%.3f %e %g %10.4f %-8.2f|\n", 3.14159265, 12345.678, 0.0001234, -2.5, 1e6 / 3);
  printf("%5d|%-5d|%05d|%x|%o|%c|%s\n", 42, 42, 42, 255, 8, 'k', "done");
  return 0;
}
