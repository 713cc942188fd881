/* A case header's first sentence (case_summary.h). */
#include "case_summary.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define SUMMARY_MAX 160

/* The header's text, its comment marks taken off, lines joined by spaces,
 * up to its first blank line or @tag. */
static char *header_text(FILE *f)
{
    char line[1024];
    char *out = zr_strdup_printf("%s", "");
    bool c_comment = false, started = false;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!started) {
            if (!strncmp(p, "#!", 2) || !strncmp(p, "# -*-", 5) || !*p)
                continue; /* a script's first line, or its encoding */
            if (!strncmp(p, "/*", 2)) {
                c_comment = true;
                p += 2;
            } else if (*p == '#') {
                p++;
            } else {
                break;
            }
            started = true;
        } else if (c_comment) {
            if (*p == '*' && p[1] != '/')
                p++;
        } else if (*p == '#') {
            p++;
        } else {
            break;
        }
        const char *end = c_comment ? strstr(p, "*/") : NULL;
        while (*p == ' ')
            p++;
        if (!*p || *p == '@')
            break;
        char *t = zr_strdup_printf("%s%s%.*s", out, out[0] ? " " : "", end ? (int)(end - p) : (int)strlen(p), p);
        free(out);
        out = t;
        if (end || strlen(out) > 4 * SUMMARY_MAX)
            break;
    }
    return out;
}

char *zr_case_summary(const char *path)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return zr_strdup_printf("%s", "");
    char *text = header_text(f);
    fclose(f);
    /* The first sentence: up to ". " or ": " (or the end). */
    size_t n = strlen(text);
    for (size_t i = 0; i + 1 < n; i++)
        if ((text[i] == '.' || text[i] == ':') && text[i + 1] == ' ') {
            n = i;
            break;
        }
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '.' || text[n - 1] == ':'))
        n--;
    char *s;
    if (n > SUMMARY_MAX) {
        /* Cut at a word, and say so. */
        size_t cut = SUMMARY_MAX;
        while (cut > SUMMARY_MAX / 2 && text[cut] != ' ')
            cut--;
        s = zr_strdup_printf("%.*s...", (int)cut, text);
    } else {
        s = zr_strdup_printf("%.*s", (int)n, text);
    }
    free(text);
    return s;
}
