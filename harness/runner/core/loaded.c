#include "loaded.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int zr_loaded_parse(const char *text, struct zr_loaded **out)
{
    *out = NULL;
    int n = 0;
    for (const char *line = text; line && *line;) {
        int pid, consumed = 0;
        char version[64];
        if (sscanf(line, "LOADED pid=%d version=%63s path=%n", &pid, version, &consumed) == 2 && consumed > 0) {
            struct zr_loaded *more = realloc(*out, (size_t)(n + 1) * sizeof *more);
            if (!more)
                break;
            *out = more;
            (*out)[n++] = (struct zr_loaded){ pid, zr_strdup_printf("%s", version),
                                              zr_strdup_printf("%.*s", (int)strcspn(line + consumed, "\n"),
                                                               line + consumed) };
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return n;
}

void zr_loaded_free(struct zr_loaded *l, int n)
{
    for (int i = 0; i < n; i++) {
        free(l[i].version);
        free(l[i].path);
    }
    free(l);
}

const struct zr_loaded *zr_loaded_of(const struct zr_loaded *l, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (l[i].pid == pid)
            return &l[i];
    return NULL;
}

bool zr_loaded_is_build(const struct zr_build *build, const char *path)
{
    if (!path)
        return false;
    char *have = realpath(path, NULL), *want = realpath(zr_build_field(build, "library"), NULL);
    bool same = have && want && !strcmp(have, want);
    free(have);
    free(want);
    return same;
}
