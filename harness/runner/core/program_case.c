#include "program_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "defaults.h"
#include "outcomes.h"
#include "process.h"
#include "text.h"

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *zr_user_program_path(const char *name)
{
    if (strchr(name, '/') || access(name, F_OK) == 0)
        return access(name, F_OK) == 0 ? realpath(name, NULL) : NULL;
    return zr_find_program(name);
}

static bool mode_asked(const struct zr_program_request *r, int m)
{
    if (r->nmodes == 0)
        return true;
    for (int i = 0; i < r->nmodes; i++)
        if (r->modes[i] == &zr_modes[m])
            return true;
    return false;
}

static int fill(struct zr_case_spec *c, const struct zr_program_request *r, char *path, char *err, size_t errlen)
{
    struct zr_user_program *p = calloc(1, sizeof *p);
    p->argv = calloc((size_t)r->argc + 1, sizeof *p->argv);
    p->argc = r->argc;
    p->argv[0] = path;
    for (int i = 1; i < r->argc; i++)
        p->argv[i] = zr_strdup_printf("%s", r->argv[i]);
    p->expect = r->expect ? zr_strdup_printf("%s", r->expect) : NULL;
    p->timeout_s = r->timeout_s;
    p->stall_s = r->stall_s;
    p->compiled = zr_source_compiles(path);
    c->program = p;
    c->path = zr_strdup_printf("%s", path);
    c->name = zr_strdup_printf("%s", base_of(path));
    c->family = zr_strdup_printf("program");
    c->id = zr_strdup_printf("program/%s", c->name);
    c->outside = true;
    c->users_program = true;
    c->language = zr_name_has_suffix(path, ".py") ? ZR_LANG_PYTHON : ZR_LANG_C;
    c->server_mode = zr_strdup_printf("%s", r->server_mode ? r->server_mode : "none");
    c->server_delay_ms = ZR_DEFAULT_SERVER_DELAY_MS;
    for (int m = 0; m < zr_nmodes; m++) {
        if (!mode_asked(r, m))
            continue;
        struct zr_mode_spec *ms = &c->modes[m];
        if (zr_expect_parse_option(r->expect ? r->expect : "clean", &ms->expect, err, errlen) != 0)
            return -1;
        ms->enabled = true;
        ms->timeout_s = r->timeout_s > 0 ? r->timeout_s : zr_modes[m].default_timeout_s;
        ms->stall_s = r->stall_s >= 0 ? r->stall_s : ZR_DEFAULT_STALL_S;
        c->variant = zr_outcome_is_clean(ms->expect.items[0].outcome) ? ZR_VARIANT_FIXED : ZR_VARIANT_BROKEN;
    }
    return 0;
}

struct zr_case_spec *zr_catalog_add_program(struct zr_catalog *cat, const struct zr_program_request *r, char *err,
                                            size_t errlen)
{
    char *path = r->argc > 0 ? zr_user_program_path(r->argv[0]) : NULL;
    if (!path) {
        snprintf(err, errlen, "no program %s (a path, or a name on PATH)", r->argc > 0 ? r->argv[0] : "(none)");
        return NULL;
    }
    struct zr_case_spec *more = realloc(cat->cases, (size_t)(cat->n + 1) * sizeof *more);
    if (!more) {
        free(path);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cat->cases = more;
    struct zr_case_spec *c = &cat->cases[cat->n++];
    memset(c, 0, sizeof *c);
    if (fill(c, r, path, err, errlen) != 0) {
        zr_case_spec_free(c);
        cat->n--;
        return NULL;
    }
    return c;
}

/* A program's judging options, as the user gave them. */
static void program_options(const struct zr_user_program *p, const char *server, char **argv, int *n, char *buf,
                            size_t buflen)
{
    argv[(*n)++] = (char *)"--server";
    argv[(*n)++] = (char *)server;
    if (p->expect) {
        argv[(*n)++] = (char *)"--expect";
        argv[(*n)++] = p->expect;
    }
    size_t half = buflen / 2;
    if (p->timeout_s > 0) {
        snprintf(buf, half, "%.17g", p->timeout_s);
        argv[(*n)++] = (char *)"--timeout";
        argv[(*n)++] = buf;
    }
    if (p->stall_s >= 0) {
        if (p->stall_s == 0)
            snprintf(buf + half, buflen - half, "off");
        else
            snprintf(buf + half, buflen - half, "%.17g", p->stall_s);
        argv[(*n)++] = (char *)"--stall";
        argv[(*n)++] = buf + half;
    }
}

char **zr_case_child_argv(const struct zr_case_spec *spec, const char *command, char *const *options, char *buf,
                          size_t buflen)
{
    int nopts = 0;
    while (options[nopts])
        nopts++;
    int nprog = spec->program ? spec->program->argc + 10 : 1;
    char **argv = calloc((size_t)(nopts + nprog + 3), sizeof *argv);
    if (!argv)
        return NULL;
    int n = 0;
    argv[n++] = (char *)zr_self_path();
    argv[n++] = (char *)command;
    for (int i = 0; i < nopts; i++)
        argv[n++] = options[i];
    if (!spec->program) {
        argv[n++] = (char *)zr_case_ref(spec);
        return argv;
    }
    program_options(spec->program, spec->server_mode, argv, &n, buf, buflen);
    argv[n++] = (char *)"--";
    for (int i = 0; i < spec->program->argc; i++)
        argv[n++] = spec->program->argv[i];
    return argv;
}
