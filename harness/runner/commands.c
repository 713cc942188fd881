/* zmq-repro list and run, and the selection of cases and modes they share
 * with bench. */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_run.h"
#include "environment.h"
#include "text.h"

int zr_selected_modes(const struct zr_options *o, const struct zr_case_spec *spec, enum zr_mode *modes)
{
    int n = 0;
    for (int m = 0; m < ZR_MODE_COUNT; m++) {
        if (!spec->modes[m].enabled)
            continue;
        bool wanted = o->nmodes == 0;
        for (int i = 0; i < o->nmodes; i++)
            wanted |= o->modes[i] == (enum zr_mode)m;
        for (int i = 0; i < o->nlabels && wanted; i++)
            wanted = zr_case_has_label(spec, (enum zr_mode)m, o->labels[i]);
        if (wanted)
            modes[n++] = (enum zr_mode)m;
    }
    return n;
}

int zr_cmd_list(const struct zr_options *o, const struct zr_catalog *cat)
{
    printf("%-52s %-7s %-7s %-7s %s\n", "CASE", "LANG", "VARIANT", "MODE", "EXPECTS");
    for (int i = 0; i < cat->n; i++) {
        const struct zr_case_spec *c = &cat->cases[i];
        enum zr_mode modes[ZR_MODE_COUNT];
        int n = zr_selected_modes(o, c, modes);
        for (int k = 0; k < n; k++) {
            char expected[256];
            zr_expectations_format(&c->modes[modes[k]], expected, sizeof expected);
            printf("%-52s %-7s %-7s %-7s %s\n", c->id, zr_language_name(c->language), zr_variant_name(c->variant),
                   zr_mode_name(modes[k]), expected);
        }
    }
    return ZR_EXIT_HELD;
}

static void print_attempt(const struct zr_case_run *run, const struct zr_attempt *a, void *user)
{
    (void)user;
    printf("  attempt %d/%d: %s%s%s (%.2f s)\n", run->n, run->max_attempts, a->verdict.outcome,
           a->verdict.signature[0] ? " " : "", a->verdict.signature, a->verdict_s);
    fflush(stdout);
}

static void print_indented(const char *text)
{
    const char *line = text;
    while (line && *line) {
        size_t n = strcspn(line, "\n");
        printf("    %.*s\n", (int)n, line);
        line += n;
        if (*line)
            line++;
    }
}

/* One case in one mode: preflight, attempts, result file, and the lines a
 * user pastes into an upstream issue. */
static int run_one(const struct zr_options *o, const struct zr_case_spec *spec, enum zr_mode mode)
{
    char err[1024];
    const char *tag = zr_mode_name(mode);
    json_t *environment = zr_preflight(&o->setup, spec, mode, err, sizeof err);
    if (!environment) {
        printf("ERROR %s [%s]: %s\n", spec->id, tag, err);
        fflush(stdout);
        return ZR_EXIT_USAGE;
    }
    const struct zr_mode_spec *m = &spec->modes[mode];
    char expected[256];
    zr_expectations_format(m, expected, sizeof expected);
    json_t *libzmq = json_object_get(environment, "libzmq");
    json_t *python = json_object_get(environment, "python");
    printf("%s [%s] %s %s, expects %s\n", spec->id, tag, zr_language_name(spec->language),
           zr_variant_name(spec->variant), expected);
    printf("  libzmq: %s (%s)\n", json_string_value(json_object_get(libzmq, "name")),
           json_string_value(json_object_get(libzmq, "origin")));
    if (python)
        printf("  python: %s %s, pyzmq %s, libzmq loaded from %s\n",
               json_string_value(json_object_get(python, "executable")),
               json_string_value(json_object_get(python, "version")),
               json_string_value(json_object_get(python, "pyzmq")),
               json_string_value(json_object_get(python, "libzmq_loaded")));
    fflush(stdout);

    int attempts = o->attempts ? o->attempts : spec->variant == ZR_VARIANT_BROKEN ? 5 : 3;
    struct zr_case_run run;
    zr_case_run(&o->setup, spec, mode, attempts, o->keep_going, o->quiet ? NULL : print_attempt, NULL, &run);

    static const char *const words[] = { "PASS", "FAIL", "ERROR" };
    printf("%s %s [%s]: %s\n", words[run.status], spec->id, tag, run.status_text);

    if (!o->no_results) {
        json_t *doc = zr_case_run_json(&run, environment);
        char stem[256], path[1400];
        snprintf(stem, sizeof stem, "%s-%s-%s", spec->family, spec->name, tag);
        if (zr_write_result(o->results_dir, stem, doc, path, sizeof path, err, sizeof err) == 0)
            printf("  result: %s\n", path);
        else
            printf("  result not written: %s\n", err);
        json_decref(doc);
    }
    /* The report that proves the verdict: the reproduction of a broken case,
     * or whatever made a fixed case fail. */
    if (!o->quiet && run.deciding >= 0 && run.attempts[run.deciding].verdict.report) {
        printf("  report of attempt %d:\n", run.deciding + 1);
        print_indented(run.attempts[run.deciding].verdict.report);
    }
    fflush(stdout);
    int rc = run.status == ZR_HELD ? ZR_EXIT_HELD : run.status == ZR_NOT_HELD ? ZR_EXIT_NOT_HELD : ZR_EXIT_USAGE;
    zr_case_run_free(&run);
    json_decref(environment);
    return rc;
}

static int run_modes(const struct zr_options *o, const struct zr_case_spec *spec, int *worst)
{
    enum zr_mode modes[ZR_MODE_COUNT];
    int n = zr_selected_modes(o, spec, modes);
    for (int k = 0; k < n; k++) {
        int rc = run_one(o, spec, modes[k]);
        /* An environment error outranks a failed expectation. */
        if (rc == ZR_EXIT_USAGE || (rc == ZR_EXIT_NOT_HELD && *worst == ZR_EXIT_HELD))
            *worst = rc;
    }
    return n;
}

int zr_cmd_run(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases)
{
    int worst = ZR_EXIT_HELD;
    bool all = ncases == 1 && !strcmp(cases[0], "all");
    if (ncases == 0 && o->nlabels == 0 && o->nmodes == 0) {
        fprintf(stderr, "zmq-repro: run needs cases or labels: zmq-repro run shared-socket/broken_send_recv_threads, "
                        "zmq-repro run -L shared-socket, or zmq-repro run all\n");
        return ZR_EXIT_USAGE;
    }
    if (ncases == 0 || all) {
        int ran = 0;
        for (int i = 0; i < cat->n; i++)
            ran += run_modes(o, &cat->cases[i], &worst);
        if (ran == 0) {
            fprintf(stderr, "zmq-repro: no case matches the labels and modes (see `zmq-repro list`)\n");
            return ZR_EXIT_USAGE;
        }
        return worst;
    }
    for (int i = 0; i < ncases; i++) {
        const struct zr_case_spec *spec = zr_catalog_find(cat, cases[i]);
        if (!spec) {
            fprintf(stderr, "zmq-repro: no case named '%s' (see `zmq-repro list`)\n", cases[i]);
            return ZR_EXIT_USAGE;
        }
        if (run_modes(o, spec, &worst) == 0) {
            fprintf(stderr, "zmq-repro: %s has no mode matching the options (its modes are in `zmq-repro list`)\n",
                    spec->id);
            return ZR_EXIT_USAGE;
        }
    }
    return worst;
}
