/* Small text helpers shared by the runner's modules. */
#ifndef ZR_TEXT_H
#define ZR_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Copies src into dst (size n), always terminated; a cut never splits a
 * UTF-8 character. */
void zr_copy(char *dst, size_t n, const char *src);

/* A malloc'd string from a format; exits with a message when out of memory. */
char *zr_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Splits s in place at blanks into a malloc'd array of words (free the
 * array, not the words); NULL when out of memory. */
char **zr_split_words_alloc(char *s, int *nwords);

/* The words joined by single blanks, malloc'd. */
char *zr_join_words(char *const *words, int n);

/* The whole file, NUL-terminated, or NULL; *len gets its length if given. */
char *zr_read_file(const char *path, size_t *len);

/* A copy of the line of text that starts at p (without its newline). */
char *zr_line_dup(const char *p);

/* The last non-blank line of text, copied into buf. */
void zr_last_line(const char *text, char *buf, size_t n);

/* A whole decimal number within [min, max]: 0, or -1 for anything else
 * ("5x", "", overflow, out of range). */
int zr_parse_long(const char *s, long min, long max, long *out);

/* A finite decimal number within [min, max]: 0, or -1. */
int zr_parse_double(const char *s, double min, double max, double *out);

/* Writes s to f as one single-quoted shell word. */
#include <stdio.h>
void zr_fput_sh_word(FILE *f, const char *s);

/* A copy of text (n bytes) that is valid UTF-8: each invalid byte becomes
 * U+FFFD, so that a report with stray bytes is never dropped from JSON. */
char *zr_utf8_sanitize(const char *text, size_t n);

#endif
