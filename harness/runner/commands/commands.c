/* zmq-repro list, run, builds and build, and the selection of cases, modes
 * and builds they share with bench and matrix. */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_run.h"
#include "defaults.h"
#include "environment.h"
#include "files.h"
#include "process.h"
#include "stacks.h"
#include "python_builds.h"
#include "text.h"
#include "verdict_text.h"

int zr_worse_exit(int a, int b)
{
    static const int rank[] = { ZR_EXIT_HELD, ZR_EXIT_SKIPPED, ZR_EXIT_NOT_HELD, ZR_EXIT_USAGE };
    int ra = 0, rb = 0;
    for (int i = 0; i < 4; i++) {
        if (rank[i] == a)
            ra = i;
        if (rank[i] == b)
            rb = i;
    }
    return ra >= rb ? a : b;
}

static bool mode_wanted(const struct zr_options *o, const struct zr_case_spec *spec, int m)
{
    if (!spec->modes[m].enabled)
        return false;
    bool wanted = o->nmodes == 0;
    for (int i = 0; i < o->nmodes; i++)
        wanted |= o->modes[i] == &zr_modes[m];
    for (int i = 0; i < o->nlabels && wanted; i++)
        wanted = zr_case_has_label(spec, m, o->labels[i]);
    return wanted;
}

static int add(struct zr_selection *sel, const struct zr_case_spec *spec, int mode)
{
    struct zr_selected *more = realloc(sel->items, (size_t)(sel->n + 1) * sizeof *more);
    if (!more)
        return -1;
    sel->items = more;
    sel->items[sel->n++] = (struct zr_selected){ spec, mode };
    return 0;
}

int zr_select(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases,
              struct zr_selection *sel)
{
    memset(sel, 0, sizeof *sel);
    for (int i = 0; i < o->nlabels; i++)
        if (!zr_label_known(cat, o->labels[i])) {
            fprintf(stderr, "zmq-repro: no case has the label '%s' (labels: a family, c or python, broken or fixed, "
                            "or a mode: %s; see `zmq-repro list`)\n",
                    o->labels[i], zr_mode_names());
            return -1;
        }
    bool all = ncases == 0 || (ncases == 1 && !strcmp(cases[0], "all"));
    for (int k = 0; !all && k < ncases; k++)
        if (!zr_catalog_find(cat, cases[k])) {
            fprintf(stderr, "zmq-repro: no case named '%s' (see `zmq-repro list`)\n", cases[k]);
            return -1;
        }
    for (int i = 0; i < cat->n; i++) {
        const struct zr_case_spec *spec = &cat->cases[i];
        bool named = all;
        for (int k = 0; !all && k < ncases; k++)
            named |= zr_catalog_find(cat, cases[k]) == spec;
        if (!named)
            continue;
        if (spec->error) {
            /* A bad case is reported, never run and never silently left out. */
            if (add(sel, spec, -1) != 0)
                return -1;
            continue;
        }
        int before = sel->n;
        for (int m = 0; m < zr_nmodes; m++)
            if (mode_wanted(o, spec, m) && add(sel, spec, m) != 0)
                return -1;
        if (!all && sel->n == before) {
            fprintf(stderr, "zmq-repro: %s has no mode matching the options (its modes are in `zmq-repro list`)\n",
                    spec->id);
            return -1;
        }
    }
    if (sel->n == 0) {
        fprintf(stderr, "zmq-repro: no case matches the labels and modes (see `zmq-repro list`)\n");
        return -1;
    }
    return 0;
}

void zr_selection_free(struct zr_selection *sel)
{
    free(sel->items);
    memset(sel, 0, sizeof *sel);
}

int zr_builds_for_mode(const struct zr_options *o, const struct zr_mode *mode, struct zr_build *builds, int max,
                       char *err, size_t errlen)
{
    int n = 0;
    for (int i = 0; i < o->nbuilds && n < max; i++) {
        struct zr_build b;
        if (zr_build_open(o->builds[i], &b, err, errlen) != 0) {
            for (int k = 0; k < n; k++)
                zr_build_close(&builds[k]);
            return -1;
        }
        if (zr_build_unfit(&b, mode))
            zr_build_close(&b);
        else
            builds[n++] = b;
    }
    if (o->nbuilds > 0)
        return n;
    if (zr_build_open(mode->default_build, &builds[0], err, errlen) != 0)
        return -1;
    return 1;
}

int zr_cmd_list(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases)
{
    struct zr_selection sel;
    if (zr_select(o, cat, ncases, cases, &sel) != 0)
        return ZR_EXIT_USAGE;
    int rc = ZR_EXIT_HELD;
    printf("%-50s %-7s %-7s %-7s %s\n", "CASE", "LANG", "VARIANT", "MODE", "EXPECTS");
    for (int i = 0; i < sel.n; i++) {
        const struct zr_case_spec *c = sel.items[i].spec;
        if (sel.items[i].mode < 0) {
            printf("%-50s BAD     %s\n", c->id, c->error);
            rc = ZR_EXIT_USAGE;
            continue;
        }
        const struct zr_mode_spec *m = &c->modes[sel.items[i].mode];
        char expected[512];
        zr_expectations_format(&m->expect, expected, sizeof expected);
        printf("%-50s %-7s %-7s %-7s %s", c->id, zr_language_name(c->language), zr_variant_name(c->variant),
               zr_modes[sel.items[i].mode].name, expected);
        if (c->fixed_in) {
            zr_expectations_format(&c->fixed_expect, expected, sizeof expected);
            printf("  (from libzmq %s: %s)", c->fixed_in, expected);
        }
        if (m->inherited)
            printf("  (by its %s lines)", zr_modes[sel.items[i].mode].else_as);
        printf("\n");
    }
    if (rc != ZR_EXIT_HELD)
        fprintf(stderr, "zmq-repro: some case headers are wrong (BAD above): see cases/README.md\n");
    zr_selection_free(&sel);
    return rc;
}

/* One case in one mode on one build: preflight, attempts, result file, and
 * the lines a user pastes into an upstream issue. */
static int run_one(const struct zr_options *o, const struct zr_case_spec *spec, int mode, const struct zr_build *build)
{
    char err[1024];
    const char *tag = zr_modes[mode].name;
    const char *na = zr_python_case_na(&o->setup, spec, mode);
    if (na) {
        printf("n/a %s [%s on %s, %s]: %s\n", spec->id, tag, build->name, o->setup.python_build->name, na);
        fflush(stdout);
        return ZR_EXIT_SKIPPED;
    }
    json_t *environment = zr_preflight(&o->setup, spec, mode, build, err, sizeof err);
    if (!environment) {
        printf("ERROR %s [%s on %s]: %s\n", spec->id, tag, build->name, err);
        fflush(stdout);
        return ZR_EXIT_USAGE;
    }
    struct zr_judgement j = zr_case_judgement_here(&o->setup, spec, mode, build);
    char expected[512];
    zr_expectations_format(j.expect, expected, sizeof expected);
    printf("%s [%s] %s %s%s, expects %s\n", spec->id, tag, zr_language_name(spec->language),
           zr_variant_name(spec->variant), j.fixed_upstream      ? " (fixed upstream in this version: judged as fixed)"
           : j.predates_bug      ? " (this version predates the bug: judged as fixed)"
           : j.python_unaffected ? " (this Python cannot show the bug: judged as fixed)"
           : j.python_shows      ? " (what this Python shows instead: @python-shows)"
           : j.version_unknown   ? " (this build's release is unknown: runs, not judged)"
                                 : "",
           expected);
    if (j.version_unknown) {
        printf("  not judged: ");
        zr_fput_terminal(stdout, j.unknown_why);
        putchar('\n');
    }
    printf("  libzmq: build %s, %s %s (%s)\n", build->name, zr_build_field(build, "version"),
           zr_build_instrumented(build) ? "instrumented" : "plain", zr_build_field(build, "origin"));
    json_t *python = json_object_get(environment, "python");
    if (python)
        printf("  python: %s%s%s %s, pyzmq %s\n", json_string_value(json_object_get(python, "build")) ?
               json_string_value(json_object_get(python, "build")) : "", json_object_get(python, "build") ? " " : "",
               json_string_value(json_object_get(python, "executable")),
               json_string_value(json_object_get(python, "version")), json_string_value(json_object_get(python, "pyzmq")));
    /* Said before the attempts, not found after a watchdog fired. */
    if (zr_stack_tool_check(o->setup.stack_tool, err, sizeof err) != 0)
        printf("  note: %s\n", err);
    fflush(stdout);

    bool broken = j.as == ZR_VARIANT_BROKEN;
    int attempts = o->attempts ? o->attempts : broken ? ZR_RUN_ATTEMPTS_BROKEN : ZR_RUN_RUNS_FIXED;
    struct zr_case_run run;
    zr_case_run(&o->setup, spec, mode, build, attempts, o->keep_going, o->quiet ? NULL : zr_print_attempt_line, NULL,
                &run);
    zr_print_verdict(&run, spec->id);

    if (!o->no_results && run.n > 0) {
        json_t *doc = zr_case_run_json(&run, environment);
        char stem[512], path[2048];
        snprintf(stem, sizeof stem, "%s-%s-%s-%s", spec->family, spec->name, tag, build->name);
        if (zr_write_result(o->results_dir, stem, doc, path, sizeof path, err, sizeof err) == 0)
            printf("  result: %s\n", path);
        else
            printf("  result not written: %s\n", err);
        json_decref(doc);
    }
    /* The report that proves the verdict: the reproduction of a broken case,
     * or whatever made a fixed case fail. */
    if (!o->quiet)
        zr_print_report(&run);
    int rc = zr_exit_code_of(run.status);
    zr_case_run_free(&run);
    json_decref(environment);
    return rc;
}

int zr_cmd_run(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases)
{
    if (ncases == 0 && o->nlabels == 0 && o->nmodes == 0) {
        fprintf(stderr, "zmq-repro: run needs cases or labels: zmq-repro run shared-socket/broken_send_recv_threads, "
                        "zmq-repro run -L shared-socket, or zmq-repro run all\n");
        return ZR_EXIT_USAGE;
    }
    char err[1024];
    if (!o->no_results && zr_check_writable_dir(o->results_dir, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s: the results could not be kept; name another folder with --results, or "
                        "--no-results\n",
                err);
        return ZR_EXIT_USAGE;
    }
    struct zr_selection sel;
    if (zr_select(o, cat, ncases, cases, &sel) != 0)
        return ZR_EXIT_USAGE;
    int worst = ZR_EXIT_HELD;
    for (int i = 0; i < sel.n && !zr_interrupted(); i++) {
        const struct zr_case_spec *spec = sel.items[i].spec;
        if (sel.items[i].mode < 0) {
            printf("ERROR %s: %s\n", spec->id, spec->error);
            worst = zr_worse_exit(worst, ZR_EXIT_USAGE);
            continue;
        }
        const struct zr_mode *mode = &zr_modes[sel.items[i].mode];
        struct zr_build builds[ZR_MAX_BUILDS];
        int nb = zr_builds_for_mode(o, mode, builds, ZR_MAX_BUILDS, err, sizeof err);
        if (nb < 0) {
            printf("ERROR %s [%s]: %s\n", spec->id, mode->name, err);
            worst = zr_worse_exit(worst, ZR_EXIT_USAGE);
            continue;
        }
        if (nb == 0)
            printf("skip %s [%s]: none of the builds named with -b can run in %s mode\n", spec->id, mode->name,
                   mode->name);
        for (int b = 0; b < nb; b++) {
            if (!zr_interrupted())
                worst = zr_worse_exit(worst, run_one(o, spec, sel.items[i].mode, &builds[b]));
            zr_build_close(&builds[b]);
        }
    }
    zr_selection_free(&sel);
    if (zr_interrupted()) {
        fprintf(stderr, "zmq-repro: interrupted; the results of what finished are kept\n");
        return zr_interrupted_exit_code();
    }
    return worst;
}

static void print_build(const struct zr_build *b, void *user)
{
    (void)user;
    if (zr_build_is_python(b)) {
        printf("%-22s %-8s %-7s %-21s %s, pyzmq %s\n", b->name, zr_build_field(b, "python_version"), "python", "(--python)",
               zr_build_field(b, "origin"), zr_build_field(b, "pyzmq_version"));
        return;
    }
    char modes[128] = "";
    for (int m = 0; m < zr_nmodes; m++)
        if (!zr_build_unfit(b, &zr_modes[m])) {
            size_t used = strlen(modes);
            snprintf(modes + used, sizeof modes - used, "%s%s", used ? "," : "", zr_modes[m].name);
        }
    printf("%-22s %-8s %-7s %-21s %s\n", b->name, zr_build_field(b, "version"), zr_build_field(b, "flavour"), modes,
           zr_build_field(b, "origin"));
}

int zr_cmd_builds(const struct zr_options *o, int nargs, char **args)
{
    char err[512];
    if (o->prune) {
        if (nargs > 0) {
            fprintf(stderr, "zmq-repro: builds --prune takes no names\n");
            return ZR_EXIT_USAGE;
        }
        long long freed = zr_builds_prune();
        printf("freed %.1f MB in %s\n", freed / 1e6, zr_cache_dir());
        return ZR_EXIT_HELD;
    }
    if (nargs > 0) {
        /* Named builds: where each is (its lib/ holds libzmq.so.5), for scripts. */
        for (int i = 0; i < nargs; i++) {
            struct zr_build b;
            int opened = zr_source_is_python(args[i]) ? zr_python_build_open(args[i], &b, err, sizeof err)
                                                      : zr_build_open(args[i], &b, err, sizeof err);
            if (opened != 0) {
                fprintf(stderr, "zmq-repro: %s\n", err);
                return ZR_EXIT_USAGE;
            }
            printf("%s\n", b.prefix);
            zr_build_close(&b);
        }
        return ZR_EXIT_HELD;
    }
    printf("%-22s %-8s %-7s %-21s %s\n", "NAME", "VERSION", "FLAVOUR", "MODES", "ORIGIN");
    if (zr_builds_each(print_build, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return ZR_EXIT_USAGE;
    }
    printf("(cache: %s)\n", zr_cache_dir());
    return ZR_EXIT_HELD;
}

static int make_one(const struct zr_options *o, const char *source, const char *flavour, const char *name)
{
    struct zr_build_request r = { o->setup.build_script, source, flavour, name, o->rebuild, NULL };
    struct zr_build b;
    char err[1024];
    if (zr_build_make(&r, &b, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: build of %s failed: %s\n", source, err);
        return zr_interrupted() ? zr_interrupted_exit_code() : ZR_EXIT_USAGE;
    }
    if (zr_build_is_python(&b))
        printf("%s: Python %s, pyzmq %s from %s\n  %s\n", b.name, zr_build_field(&b, "python_version"),
               zr_build_field(&b, "pyzmq_version"), zr_build_field(&b, "origin"), zr_build_field(&b, "python"));
    else
        printf("%s: libzmq %s (%s) from %s\n  %s\n", b.name, zr_build_field(&b, "version"),
               zr_build_field(&b, "flavour"), zr_build_field(&b, "origin"), zr_build_field(&b, "library"));
    zr_build_close(&b);
    return ZR_EXIT_HELD;
}

int zr_cmd_build(const struct zr_options *o, int nargs, char **args)
{
    if (o->defaults) {
        if (nargs != 0) {
            fprintf(stderr, "zmq-repro: build --defaults takes no SOURCE\n");
            return ZR_EXIT_USAGE;
        }
        /* The builds the modes use when none is named. */
        int rc = make_one(o, "system", "binary", "system");
        if (rc == ZR_EXIT_HELD)
            rc = make_one(o, "debian", "tsan", "debian-tsan");
        return rc;
    }
    if (nargs != 1) {
        fprintf(stderr, "zmq-repro: build takes one SOURCE: system, debian, debian-binary:SUITE, a libzmq source "
                        "folder, a tarball, or a git URL[#REF] (or --defaults; see --help)\n");
        return ZR_EXIT_USAGE;
    }
    return make_one(o, args[0], o->flavour, o->build_name);
}
