#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
    fputs("zmq-repro: out of memory\n", stderr);
    exit(2);
}

void zr_copy(char *dst, size_t n, const char *src)
{
    if (n == 0)
        return;
    if (!src)
        src = "";
    size_t len = strlen(src);
    if (len >= n) {
        len = n - 1;
        /* Back off over UTF-8 continuation bytes so no character is split. */
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

char *zr_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int rc = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (rc < 0)
        out_of_memory();
    return s;
}

char **zr_split_words_alloc(char *s, int *nwords)
{
    size_t cap = 8;
    int n = 0;
    char **words = malloc(cap * sizeof *words);
    if (!words)
        return NULL;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if ((size_t)n + 1 >= cap) {
            char **more = realloc(words, 2 * cap * sizeof *words);
            if (!more) {
                free(words);
                return NULL;
            }
            words = more;
            cap *= 2;
        }
        words[n++] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s)
            *s++ = '\0';
    }
    words[n] = NULL;
    *nwords = n;
    return words;
}

char *zr_join_words(char *const *words, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(words[i]) + 1;
    char *s = malloc(len);
    if (!s)
        out_of_memory();
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, words[i]);
    }
    return s;
}

char *zr_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + used, 1, cap - used - 1, f);
        used += got;
        if (got == 0)
            break;
        if (used + 1 == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
}

char *zr_line_dup(const char *p)
{
    size_t n = strcspn(p, "\n");
    char *line = malloc(n + 1);
    if (!line)
        out_of_memory();
    memcpy(line, p, n);
    line[n] = '\0';
    return line;
}

void zr_last_line(const char *text, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!text)
        return;
    const char *end = text + strlen(text);
    while (end > text && isspace((unsigned char)end[-1]))
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    char *line = malloc((size_t)(end - start) + 1);
    if (!line)
        out_of_memory();
    memcpy(line, start, (size_t)(end - start));
    line[end - start] = '\0';
    zr_copy(buf, n, line);
    free(line);
}

int zr_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int zr_parse_double(const char *s, double min, double max, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

bool zr_share_reached(long met, long n, long num, long den)
{
    if (n <= 0 || met < 0 || met > n || den <= 0)
        return false;
    return met * den >= num * n;
}

/* The length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned min;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xE0) == 0xC0)
        len = 2, min = 0x80;
    else if ((p[0] & 0xF0) == 0xE0)
        len = 3, min = 0x800;
    else if ((p[0] & 0xF8) == 0xF0)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    unsigned cp = p[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

char *zr_utf8_sanitize(const char *text, size_t n)
{
    char *out = malloc(3 * n + 1);
    if (!out)
        out_of_memory();
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        size_t len = p[i] ? utf8_sequence(p + i, n - i) : 0;
        if (len) {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3); /* U+FFFD, also for a NUL byte */
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

/* --- Escaping for the places text goes: shell, HTML, Markdown, terminal. --- */

struct growing {
    char *s;
    size_t len, cap;
};

static void grow_put(struct growing *g, const char *bytes, size_t n)
{
    if (g->len + n + 1 > g->cap) {
        size_t cap = g->cap ? g->cap : 64;
        while (g->len + n + 1 > cap)
            cap *= 2;
        char *more = realloc(g->s, cap);
        if (!more)
            out_of_memory();
        g->s = more;
        g->cap = cap;
    }
    memcpy(g->s + g->len, bytes, n);
    g->len += n;
    g->s[g->len] = '\0';
}

static void grow_str(struct growing *g, const char *s)
{
    grow_put(g, s, strlen(s));
}

static char *grow_done(struct growing *g)
{
    if (!g->s)
        grow_put(g, "", 0);
    return g->s;
}

char *zr_sh_quote(const char *s)
{
    struct growing g = { 0 };
    grow_str(&g, "'");
    for (; s && *s; s++) {
        if (*s == '\'')
            grow_str(&g, "'\\''");
        else
            grow_put(&g, s, 1);
    }
    grow_str(&g, "'");
    return grow_done(&g);
}

void zr_fput_sh_word(FILE *f, const char *s)
{
    char *q = zr_sh_quote(s);
    fputs(q, f);
    free(q);
}

char *zr_html_escape(const char *s)
{
    struct growing g = { 0 };
    for (; s && *s; s++) {
        switch (*s) {
        case '<': grow_str(&g, "&lt;"); break;
        case '>': grow_str(&g, "&gt;"); break;
        case '&': grow_str(&g, "&amp;"); break;
        case '"': grow_str(&g, "&quot;"); break;
        case '\'': grow_str(&g, "&#39;"); break;
        default: grow_put(&g, s, 1);
        }
    }
    return grow_done(&g);
}

void zr_fput_html(FILE *f, const char *s)
{
    char *e = zr_html_escape(s);
    fputs(e, f);
    free(e);
}

char *zr_md_cell(const char *s)
{
    struct growing g = { 0 };
    for (; s && *s; s++) {
        switch (*s) {
        case '|': grow_str(&g, "\\|"); break;
        case '`': grow_str(&g, "\\`"); break;
        case '\\': grow_str(&g, "\\\\"); break;
        case '<': grow_str(&g, "&lt;"); break;
        case '>': grow_str(&g, "&gt;"); break;
        case '&': grow_str(&g, "&amp;"); break;
        case '\n':
        case '\r': grow_str(&g, " "); break;
        default: grow_put(&g, s, 1);
        }
    }
    return grow_done(&g);
}

void zr_fput_md_cell(FILE *f, const char *s)
{
    char *e = zr_md_cell(s);
    fputs(e, f);
    free(e);
}

char *zr_terminal_text(const char *s)
{
    struct growing g = { 0 };
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    char esc[8];
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence(p + i, n - i);
        /* U+0080..U+009F (C1 controls, CSI among them) are 0xC2 0x80..0x9F. */
        bool control = len == 0 || (len == 1 && (p[i] < 0x20 || p[i] == 0x7F)) ||
                       (len == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0);
        if (!control) {
            grow_put(&g, (const char *)p + i, len);
        } else if (p[i] == '\n') {
            grow_str(&g, "\\n");
        } else if (p[i] == '\t') {
            grow_str(&g, "\\t");
        } else {
            len = len ? len : 1; /* a stray byte alone, a C1 pair whole */
            for (size_t k = 0; k < len; k++) {
                snprintf(esc, sizeof esc, "\\x%02x", p[i + k]);
                grow_str(&g, esc);
            }
        }
        i += len;
    }
    return grow_done(&g);
}

void zr_fput_terminal(FILE *f, const char *s)
{
    char *e = zr_terminal_text(s);
    fputs(e, f);
    free(e);
}

bool zr_name_has_suffix(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t n = strlen(name), k = strlen(suffix);
    return n > k && !strcmp(name + n - k, suffix);
}
