/* Small text helpers shared by the runner's modules. */
#ifndef ZR_TEXT_H
#define ZR_TEXT_H

#include <stddef.h>

/* Copies src into dst (size n), always terminated, cut if too long. */
void zr_copy(char *dst, size_t n, const char *src);

/* Splits s in place at blanks; returns the number of words (at most max). */
int zr_split_words(char *s, char **words, int max);

/* The whole file, NUL-terminated, or NULL; *len gets its length if given. */
char *zr_read_file(const char *path, size_t *len);

/* A copy of the line of text that starts at p (without its newline). */
char *zr_line_dup(const char *p);

/* The last non-blank line of text, copied into buf. */
void zr_last_line(const char *text, char *buf, size_t n);

#endif
