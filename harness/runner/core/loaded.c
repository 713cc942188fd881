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
        char version[64], runtimes[64] = "";
        bool parsed = sscanf(line, "LOADED pid=%d version=%63s runtimes=%63s path=%n", &pid, version, runtimes,
                             &consumed) == 3 && consumed > 0;
        if (!parsed) {
            runtimes[0] = '\0';
            consumed = 0;
            parsed = sscanf(line, "LOADED pid=%d version=%63s path=%n", &pid, version, &consumed) == 2 && consumed > 0;
        }
        if (parsed) {
            struct zr_loaded *more = realloc(*out, (size_t)(n + 1) * sizeof *more);
            if (!more)
                break;
            *out = more;
            (*out)[n++] = (struct zr_loaded){
                .pid = pid, .version = zr_strdup_printf("%s", version),
                .path = zr_strdup_printf("%.*s", (int)strcspn(line + consumed, "\n"), line + consumed),
                .known = runtimes[0] != '\0', .tsan = strstr(runtimes, "tsan,") != NULL,
                .owner = strstr(runtimes, "owner,") != NULL, .python = strstr(runtimes, "python,") != NULL,
            };
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

struct zr_runtimes zr_loaded_runtimes(const struct zr_loaded *l, int n)
{
    struct zr_runtimes r = { .all_known = n > 0 };
    for (int i = 0; i < n; i++) {
        r.all_known &= l[i].known;
        r.tsan |= l[i].tsan;
        r.owner |= l[i].owner;
        r.python |= l[i].python;
    }
    return r;
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
