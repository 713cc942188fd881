#include "catalog.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_matches(const char *pattern, struct zr_catalog *cat, char *err, size_t errlen)
{
    glob_t g;
    int rc = glob(pattern, 0, NULL, &g);
    if (rc == GLOB_NOMATCH)
        return 0;
    if (rc != 0) {
        snprintf(err, errlen, "cannot list %s", pattern);
        return -1;
    }
    struct zr_case_spec *more = realloc(cat->cases, (cat->n + g.gl_pathc) * sizeof *more);
    if (!more) {
        globfree(&g);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cat->cases = more;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        if (zr_case_spec_parse_file(g.gl_pathv[i], &cat->cases[cat->n], err, errlen) != 0) {
            globfree(&g);
            return -1;
        }
        for (int j = 0; j < cat->n; j++)
            if (!strcmp(cat->cases[j].id, cat->cases[cat->n].id)) {
                snprintf(err, errlen, "two cases are named %s: %s and %s", cat->cases[j].id, cat->cases[j].path,
                         g.gl_pathv[i]);
                globfree(&g);
                return -1;
            }
        cat->n++;
    }
    globfree(&g);
    return 0;
}

int zr_catalog_load(const char *source_dir, struct zr_catalog *cat, char *err, size_t errlen)
{
    char pattern[1024];
    cat->cases = NULL;
    cat->n = 0;
    snprintf(pattern, sizeof pattern, "%s/cases/*/*.c", source_dir);
    if (add_matches(pattern, cat, err, errlen) != 0)
        return -1;
    /* pyclients/ext holds extension modules the Python cases import, not cases. */
    snprintf(pattern, sizeof pattern, "%s/pyclients/*/*.py", source_dir);
    return add_matches(pattern, cat, err, errlen);
}

void zr_catalog_free(struct zr_catalog *cat)
{
    free(cat->cases);
    cat->cases = NULL;
    cat->n = 0;
}

const struct zr_case_spec *zr_catalog_find(const struct zr_catalog *cat, const char *name)
{
    for (int i = 0; i < cat->n; i++) {
        const struct zr_case_spec *c = &cat->cases[i];
        const char *tail = strstr(c->path, name);
        if (!strcmp(c->id, name) || (tail && !strcmp(tail, name) && (tail == c->path || tail[-1] == '/')))
            return c;
    }
    return NULL;
}

bool zr_case_has_label(const struct zr_case_spec *spec, enum zr_mode mode, const char *label)
{
    return !strcmp(label, spec->family) || !strcmp(label, zr_language_name(spec->language)) ||
           !strcmp(label, zr_variant_name(spec->variant)) || !strcmp(label, zr_mode_name(mode));
}
