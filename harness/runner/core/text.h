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

/* True when met of n runs is at least num/den of them (n > 0); a count that
 * is not one (met < 0: no result was read, met > n) never is. */
bool zr_share_reached(long met, long n, long num, long den);

#include <stdio.h>

/* s as one shell word in single quotes (a ' becomes '\''), malloc'd. Every
 * name that goes into a shell script the harness writes (run.sh, C-Vise's
 * test) goes through here: a program named `y;touch B;$(touch B2).py` stays
 * one word. */
char *zr_sh_quote(const char *s);

/* Writes zr_sh_quote(s) to f. */
void zr_fput_sh_word(FILE *f, const char *s);

/* s with & < > " ' as character references, malloc'd: every text of an HTML
 * page (element content and attribute values alike) goes through here. */
char *zr_html_escape(const char *s);
void zr_fput_html(FILE *f, const char *s);

/* s as the text of one Markdown table cell, malloc'd: | and ` and \ are
 * backslash-escaped, < > & become character references (no raw HTML), and
 * a line break becomes a blank (it would end the row). */
char *zr_md_cell(const char *s);
void zr_fput_md_cell(FILE *f, const char *s);

/* s made safe to print on a terminal, malloc'd: control characters (also
 * newline, ESC, DEL and the C1 range) and bytes that are not UTF-8 become
 * \n, \t or \xNN, so that a program's output cannot move the cursor,
 * retitle the window or hide a line. */
char *zr_terminal_text(const char *s);
void zr_fput_terminal(FILE *f, const char *s);

/* True when the file name (the part after the last /) ends in suffix, e.g.
 * ".c": `tools.current/prog` is no C source. */
bool zr_name_has_suffix(const char *path, const char *suffix);

/* A copy of text (n bytes) that is valid UTF-8: each invalid byte becomes
 * U+FFFD, so that a report with stray bytes is never dropped from JSON. */
char *zr_utf8_sanitize(const char *text, size_t n);

#endif
