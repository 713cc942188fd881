#include "catalog.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

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
        struct zr_case_spec *c = &cat->cases[cat->n];
        zr_case_spec_parse_file(g.gl_pathv[i], c);
        for (int j = 0; j < cat->n && !c->error; j++)
            if (cat->cases[j].id && c->id && !strcmp(cat->cases[j].id, c->id))
                c->error = zr_strdup_printf("%s:1: two cases are named %s (the other is %s): names are unique within "
                                            "a family, across C and Python; rename one",
                                            c->path, c->id, cat->cases[j].path);
        cat->nbad += c->error != NULL;
        cat->n++;
    }
    globfree(&g);
    return 0;
}

/* A fixed case's @twin names a broken case of the catalog: else the fixed
 * case's header is wrong (reported as any wrong header is). */
static void check_twins(struct zr_catalog *cat)
{
    for (int i = 0; i < cat->n; i++) {
        struct zr_case_spec *c = &cat->cases[i];
        if (c->error || !c->twin)
            continue;
        const struct zr_case_spec *t = zr_catalog_find(cat, c->twin);
        if (!t || t->error || t->variant != ZR_VARIANT_BROKEN) {
            c->error = zr_strdup_printf("%s:1: @twin %s: %s", c->path, c->twin,
                                        !t ? "no such case" : t->error ? "its header is wrong" : "it is not a broken case");
            cat->nbad++;
        }
    }
}

int zr_catalog_load(const char *source_dir, struct zr_catalog *cat, char *err, size_t errlen)
{
    char pattern[4096];
    cat->cases = NULL;
    cat->n = cat->nbad = 0;
    snprintf(pattern, sizeof pattern, "%s/cases/*/*.c", source_dir);
    if (add_matches(pattern, cat, err, errlen) != 0)
        return -1;
    /* pyclients/ext holds extension modules the Python cases import, not cases. */
    snprintf(pattern, sizeof pattern, "%s/pyclients/*/*.py", source_dir);
    if (add_matches(pattern, cat, err, errlen) != 0)
        return -1;
    if (cat->n == 0) {
        snprintf(err, errlen, "no case found under %s/cases or %s/pyclients", source_dir, source_dir);
        return -1;
    }
    check_twins(cat);
    return 0;
}

void zr_catalog_free(struct zr_catalog *cat)
{
    for (int i = 0; i < cat->n; i++)
        zr_case_spec_free(&cat->cases[i]);
    free(cat->cases);
    cat->cases = NULL;
    cat->n = cat->nbad = 0;
}

struct zr_case_spec *zr_catalog_add_outside(struct zr_catalog *cat, const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/') || (strcmp(dot, ".c") && strcmp(dot, ".py")))
        return NULL;
    struct zr_case_spec *more = realloc(cat->cases, (size_t)(cat->n + 1) * sizeof *more);
    if (!more)
        return NULL;
    cat->cases = more;
    struct zr_case_spec *c = &cat->cases[cat->n++];
    /* By its absolute path: the runner's children (a matrix's cells, a
     * bisection's steps in a libzmq checkout) find it from anywhere. */
    char *absolute = realpath(path, NULL);
    zr_case_spec_parse_outside(absolute ? absolute : path, c);
    free(absolute);
    for (int j = 0; j < cat->n - 1 && !c->error; j++)
        if (cat->cases[j].id && c->id && !strcmp(cat->cases[j].id, c->id))
            c->error = zr_strdup_printf("%s:1: the repository has a case named %s already (%s): give yours another "
                                        "name or @family",
                                        c->path, c->id, cat->cases[j].path);
    cat->nbad += c->error != NULL;
    return c;
}

const struct zr_case_spec *zr_catalog_find(const struct zr_catalog *cat, const char *name)
{
    char *absolute = realpath(name, NULL);
    for (int i = 0; absolute && i < cat->n; i++)
        if (cat->cases[i].outside && !strcmp(cat->cases[i].path, absolute)) {
            free(absolute);
            return &cat->cases[i];
        }
    free(absolute);
    for (int i = 0; i < cat->n; i++) {
        const struct zr_case_spec *c = &cat->cases[i];
        if (c->id && !strcmp(c->id, name))
            return c;
        size_t lp = strlen(c->path), ln = strlen(name);
        if (ln <= lp && !strcmp(c->path + lp - ln, name) && (ln == lp || c->path[lp - ln - 1] == '/'))
            return c;
    }
    return NULL;
}

bool zr_case_has_label(const struct zr_case_spec *spec, int mode, const char *label)
{
    return !strcmp(label, spec->family) || !strcmp(label, zr_language_name(spec->language)) ||
           !strcmp(label, zr_variant_name(spec->variant)) || !strcmp(label, zr_modes[mode].name);
}

bool zr_label_known(const struct zr_catalog *cat, const char *label)
{
    for (int i = 0; i < cat->n; i++)
        for (int m = 0; m < zr_nmodes; m++)
            if (!cat->cases[i].error && cat->cases[i].modes[m].enabled && zr_case_has_label(&cat->cases[i], m, label))
                return true;
    return false;
}

const char *zr_case_ref(const struct zr_case_spec *spec)
{
    return spec->outside ? spec->path : spec->id;
}
