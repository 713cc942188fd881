/* zmq-repro bench and compare: the figures (attempts, reproduction rate,
 * time to detect, clean runs, suite time) printed as a table and written as
 * JSON, so that two runs or two libzmq builds can be set side by side. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case_run.h"
#include "commands.h"
#include "defaults.h"
#include "documents.h"
#include "environment.h"
#include "figures.h"
#include "power.h"
#include "files.h"
#include "process.h"
#include "python_builds.h"
#include "text.h"

struct progress {
    int index, total;
    bool tty;
};

static void show_progress(const struct zr_case_run *run, const struct zr_attempt *a, void *user)
{
    struct progress *p = user;
    bool last = run->n == run->max_attempts;
    const char *mode = zr_modes[run->mode].name;
    if (p->tty)
        fprintf(stderr, "\r\033[K[%d/%d] %s [%s on %s] attempt %d/%d: %s (%.2f s)", p->index, p->total, run->spec->id,
                mode, run->build->name, run->n, run->max_attempts, a->verdict.outcome, a->verdict_s);
    else if (run->n == 1 || run->n % 10 == 0 || last || strcmp(a->verdict.outcome, run->attempts[0].verdict.outcome))
        fprintf(stderr, "[%d/%d] %s [%s on %s] attempt %d/%d: %s (%.2f s)\n", p->index, p->total, run->spec->id, mode,
                run->build->name, run->n, run->max_attempts, a->verdict.outcome, a->verdict_s);
    if (p->tty && last)
        fputc('\n', stderr);
}

struct item {
    const struct zr_case_spec *spec;
    int mode;
    struct zr_build build;
};

/* Every (case, mode, build) of the selection. */
static int expand(const struct zr_options *o, const struct zr_selection *sel, struct item **out, int *nout)
{
    struct item *items = calloc((size_t)sel->n * ZR_MAX_BUILDS + 1, sizeof *items);
    int n = 0;
    char err[1024];
    for (int i = 0; i < sel->n; i++) {
        if (sel->items[i].mode < 0) {
            fprintf(stderr, "zmq-repro: %s\n", sel->items[i].spec->error);
            continue;
        }
        struct zr_build builds[ZR_MAX_BUILDS];
        int nb = zr_builds_for_mode(o, &zr_modes[sel->items[i].mode], builds, ZR_MAX_BUILDS, err, sizeof err);
        if (nb < 0) {
            fprintf(stderr, "zmq-repro: %s\n", err);
            for (int k = 0; k < n; k++)
                zr_build_close(&items[k].build);
            free(items);
            return -1;
        }
        for (int b = 0; b < nb; b++)
            items[n++] = (struct item){ sel->items[i].spec, sel->items[i].mode, builds[b] };
    }
    *out = items;
    *nout = n;
    return 0;
}

static void table_line(char *buf, size_t len, const struct item *it, json_t *row)
{
    const char *id = it->spec->id, *mode = zr_modes[it->mode].name;
    const char *outcomes = json_string_value(json_object_get(row, "outcomes_text"));
    int n = (int)json_integer_value(json_object_get(row, "attempts"));
    int met = (int)json_integer_value(json_object_get(row, "meeting_expectation"));
    const char *status = json_string_value(json_object_get(row, "status"));
    /* The harness's own losses (ERROR, TIMEOUT) are counted apart: a rate is over the attempts it judged. */
    int errors = (int)json_integer_value(json_object_get(row, "errors"));
    int judged = n - errors;
    if (!strcmp(json_string_value(json_object_get(row, "judged_as")), "broken"))
        snprintf(buf, len, "%-48s %-6s %-14s %-6s %5d %6.1f%% %8.2f %8.2f  %s%s%s", id, mode, it->build.name, "broken",
                 judged, 100.0 * met / (judged > 0 ? judged : 1),
                 json_number_value(json_object_get(row, "median_detect_s")),
                 json_number_value(json_object_get(row, "worst_detect_s")), outcomes,
                 strcmp(status, "interrupted") ? "" : " ", strcmp(status, "interrupted") ? "" : "(interrupted)");
    else
        snprintf(buf, len, "%-48s %-6s %-14s %-6s %5d %4d/%-4d %6.2f %8.2f  %s%s", id, mode, it->build.name, "fixed",
                 judged, met, judged, json_number_value(json_object_get(row, "median_run_s")),
                 json_number_value(json_object_get(row, "worst_run_s")), outcomes,
                 strcmp(status, "interrupted") ? "" : " (interrupted)");
}

/* The place the figures go can be written: --json's file, else results/bench/. 0, or -1 with the cause printed. */
static int check_figures_place(const struct zr_options *o)
{
    char err[1024];
    if (o->json_out) {
        if (zr_check_writable_file(o->json_out, err, sizeof err) != 0) {
            fprintf(stderr, "zmq-repro: %s: name another file with --json\n", err);
            return -1;
        }
        return 0;
    }
    char *dir = zr_strdup_printf("%s/results/bench", o->setup.source_dir);
    int rc = zr_check_writable_dir(dir, err, sizeof err);
    free(dir);
    if (rc != 0) {
        fprintf(stderr, "zmq-repro: %s: name a file with --json\n", err);
        return -1;
    }
    return 0;
}

/* What a bench gathers: a row of figures per item, the builds they ran on,
 * a line of the table per item, and the exit status so far. */
struct bench {
    const struct zr_options *o;
    int attempts;
    json_t *rows, *builds;
    char (*lines)[600];
    int rc;
};

/* One item run its attempts: its figures, its line. */
static void bench_item(struct bench *bn, struct item *it, int i, struct progress *p)
{
    char err[1024];
    const struct zr_options *o = bn->o;
    if (zr_interrupted()) {
        snprintf(bn->lines[i], sizeof bn->lines[i], "%-48s %-6s %-14s not run (interrupted)", it->spec->id,
                 zr_modes[it->mode].name, it->build.name);
        return;
    }
    const char *na = zr_python_case_na(&o->setup, it->spec, it->mode);
    if (na) {
        snprintf(bn->lines[i], sizeof bn->lines[i], "%-48s %-6s %-14s n/a: %s", it->spec->id, zr_modes[it->mode].name,
                 it->build.name, na);
        bn->rc = zr_worse_exit(bn->rc, ZR_EXIT_SKIPPED);
        return;
    }
    json_t *env = zr_preflight(&o->setup, it->spec, it->mode, &it->build, err, sizeof err);
    if (!env) {
        fprintf(stderr, "zmq-repro: %s [%s on %s]: %s\n", it->spec->id, zr_modes[it->mode].name, it->build.name, err);
        bn->rc = ZR_EXIT_USAGE;
        snprintf(bn->lines[i], sizeof bn->lines[i], "%-48s %-6s %-14s ERROR %s", it->spec->id, zr_modes[it->mode].name,
                 it->build.name, err);
        return;
    }
    json_t *info = json_deep_copy(it->build.info);
    json_object_set_new(bn->builds, it->build.name, info);
    struct zr_case_run run;
    zr_case_run(&o->setup, it->spec, it->mode, &it->build, bn->attempts, true, show_progress, p, &run);
    json_t *row = zr_figures(&run);
    json_object_set(row, "environment", env);
    if (it->spec->twin)
        json_object_set_new(row, "twin", json_string(it->spec->twin));
    json_array_append(bn->rows, row);
    table_line(bn->lines[i], sizeof bn->lines[i], it, row);
    json_decref(row);
    if (run.status == ZR_HARNESS_ERROR)
        bn->rc = ZR_EXIT_USAGE;
    else
        bn->rc = zr_worse_exit(bn->rc, run.status == ZR_NOT_HELD ? ZR_EXIT_NOT_HELD : ZR_EXIT_HELD);
    zr_case_run_free(&run);
    json_decref(env);
}

/* Where one case was detected in more than one mode: how the modes compare,
 * by the median time to detect and by the time per reproduction (every
 * judged attempt's time over the reproductions: what a user waits, which the
 * median of the failing attempts alone hides when a mode's rate is lower). */
static void print_mode_comparison(json_t *rows)
{
    size_t ri, rk;
    json_t *r1, *r2;
    bool header = false;
    json_array_foreach(rows, ri, r1) {
        json_array_foreach(rows, rk, r2) {
            if (rk <= ri || strcmp(json_string_value(json_object_get(r1, "case")), json_string_value(json_object_get(r2, "case"))))
                continue;
            json_t *d1 = json_object_get(r1, "median_detect_s"), *d2 = json_object_get(r2, "median_detect_s");
            if (!json_is_number(d1) || !json_is_number(d2) || json_number_value(d1) <= 0)
                continue;
            if (!header) {
                printf("\nmedian time to detect, mode against mode (then the time per reproduction, every attempt "
                       "counted):\n");
                header = true;
            }
            printf("  %-48s %s on %s %.3f s / %s on %s %.3f s = %.2f", json_string_value(json_object_get(r1, "case")),
                   json_string_value(json_object_get(r2, "mode")), json_string_value(json_object_get(r2, "build")),
                   json_number_value(d2), json_string_value(json_object_get(r1, "mode")),
                   json_string_value(json_object_get(r1, "build")), json_number_value(d1),
                   json_number_value(d2) / json_number_value(d1));
            json_t *p1 = json_object_get(r1, "time_per_detect_s"), *p2 = json_object_get(r2, "time_per_detect_s");
            if (json_is_number(p1) && json_is_number(p2) && json_number_value(p1) > 0)
                printf("; per reproduction %.3f s / %.3f s = %.2f", json_number_value(p2), json_number_value(p1),
                       json_number_value(p2) / json_number_value(p1));
            printf("\n");
        }
    }
}

/* What a fixed case's clean runs rule out: its broken twin's rate under the
 * same mode and build (when this bench ran it), and the chance that that
 * many clean runs would have missed a bug that frequent. */
static void print_power(json_t *rows, const struct zr_catalog *cat)
{
    size_t i, k;
    json_t *fixed, *twin;
    bool header = false;
    json_array_foreach(rows, i, fixed) {
        const char *name = json_string_value(json_object_get(fixed, "twin"));
        if (!name || strcmp(json_string_value(json_object_get(fixed, "judged_as")), "fixed"))
            continue;
        if (!header) {
            printf("\nwhat the clean runs rule out (the broken twin's rate, same mode and build):\n");
            header = true;
        }
        const char *mode = json_string_value(json_object_get(fixed, "mode"));
        const char *build = json_string_value(json_object_get(fixed, "build"));
        bool found = false;
        json_array_foreach(rows, k, twin) {
            if (strcmp(json_string_value(json_object_get(twin, "case")), name) ||
                strcmp(json_string_value(json_object_get(twin, "mode")), mode) ||
                strcmp(json_string_value(json_object_get(twin, "build")), build))
                continue;
            found = true;
            struct zr_power power;
            if (!zr_power_of(fixed, twin, &power)) {
                printf("  %-48s %-6s no clean run, or no judged run of its twin: nothing to rule out\n",
                       json_string_value(json_object_get(fixed, "case")), mode);
                continue;
            }
            char *sentence = zr_power_sentence(&power);
            printf("  %-48s %-6s %s\n", json_string_value(json_object_get(fixed, "case")), mode, sentence);
            free(sentence);
        }
        const struct zr_case_spec *twin_spec = found ? NULL : zr_catalog_find(cat, name);
        const struct zr_mode *m = zr_mode_find(mode);
        if (!found && twin_spec && m && !twin_spec->modes[zr_mode_index(m)].enabled)
            printf("  %-48s %-6s its twin %s has no %s run: nothing to measure the clean runs against in this mode\n",
                   json_string_value(json_object_get(fixed, "case")), mode, name, mode);
        else if (!found)
            printf("  %-48s %-6s its twin %s was not in this bench: run both for the power of the clean runs\n",
                   json_string_value(json_object_get(fixed, "case")), mode, name);
    }
}

static void print_table(const struct bench *bn, const struct zr_catalog *cat, int nitems, double suite)
{
    printf("\n%-48s %-6s %-14s %-6s %5s %7s %8s %8s  %s\n", "CASE", "MODE", "BUILD", "KIND", "RUNS", "RATE", "MEDIAN_S",
           "WORST_S", "OUTCOMES");
    printf("%-48s %-6s %-14s %-6s %5s %7s %8s %8s\n", "", "", "", "", "", "(clean)", "(run)", "");
    for (int i = 0; i < nitems; i++)
        printf("%s\n", bn->lines[i]);
    print_mode_comparison(bn->rows);
    print_power(bn->rows, cat);
    printf("\nsuite time: %.1f s%s\n", suite, zr_interrupted() ? " (interrupted)" : "");
    printf("RUNS: the attempts the harness judged; its own losses (ERROR, TIMEOUT) are in the outcomes, not counted.\n");
    printf("broken: RATE = attempts showing the expected outcome; MEDIAN_S/WORST_S = time to detect.\n"
           "fixed:  RATE = clean runs of all runs; MEDIAN_S/WORST_S = run time.\n");
}

/* The figures document written to --json's file or into results/bench/: 0, or -1 with the cause printed. */
static int write_figures(const struct zr_options *o, json_t *doc)
{
    char err[1024];
    int rc = 0;
    if (o->json_out) {
        if (zr_write_json_atomically(o->json_out, doc, err, sizeof err) != 0) {
            fprintf(stderr, "zmq-repro: %s\n", err);
            rc = -1;
        } else {
            printf("figures: %s\n", o->json_out);
        }
        return rc;
    }
    char path[2048];
    char *dir = zr_strdup_printf("%s/results/bench", o->setup.source_dir);
    if (zr_write_result(dir, "bench", doc, path, sizeof path, err, sizeof err) == 0)
        printf("figures: %s\n", path);
    else {
        fprintf(stderr, "zmq-repro: %s\n", err);
        rc = -1;
    }
    free(dir);
    return rc;
}

int zr_cmd_bench(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases)
{
    if (check_figures_place(o) != 0)
        return ZR_EXIT_USAGE;
    struct zr_selection sel;
    if (zr_select(o, cat, ncases, cases, &sel) != 0)
        return ZR_EXIT_USAGE;
    struct item *items;
    int nitems;
    if (expand(o, &sel, &items, &nitems) != 0) {
        zr_selection_free(&sel);
        return ZR_EXIT_USAGE;
    }
    struct bench bn = { o, o->attempts ? o->attempts : ZR_BENCH_ATTEMPTS, json_array(), json_object(), NULL,
                        nitems == 0 ? ZR_EXIT_USAGE : ZR_EXIT_HELD };
    for (int i = 0; i < sel.n; i++)
        if (sel.items[i].mode < 0)
            bn.rc = ZR_EXIT_USAGE;
    struct progress p = { 0, nitems, isatty(2) };
    double start = zr_now();
    fprintf(stderr, "bench: %d case-mode-builds, %d attempts each\n", nitems, bn.attempts);
    bn.lines = calloc((size_t)nitems + 1, sizeof *bn.lines);
    for (int i = 0; i < nitems; i++) {
        p.index = i + 1;
        bench_item(&bn, &items[i], i, &p);
    }
    double suite = zr_now() - start;
    print_table(&bn, cat, nitems, suite);
    char stamp[32];
    zr_utc_stamp(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ");
    json_t *doc = json_pack("{s:i, s:s, s:s, s:i, s:f, s:f, s:b, s:o, s:o, s:o}", "schema", ZR_SCHEMA_BENCH, "kind", "bench",
                            "finished_at", stamp, "attempts", bn.attempts, "suite_s", round(suite * 10) / 10, "multiplier",
                            o->setup.multiplier, "interrupted", zr_interrupted() != 0, "host", zr_host_json(), "builds",
                            bn.builds, "cases", bn.rows);
    if (write_figures(o, doc) != 0)
        bn.rc = ZR_EXIT_USAGE;
    json_decref(doc);
    free(bn.lines);
    for (int i = 0; i < nitems; i++)
        zr_build_close(&items[i].build);
    free(items);
    zr_selection_free(&sel);
    if (zr_interrupted()) {
        fprintf(stderr, "zmq-repro: interrupted; the figures of what finished are kept\n");
        return zr_interrupted_exit_code();
    }
    return bn.rc;
}

/* --- compare --- */

/* A bench file, checked against its schema (core/documents.c): every
 * field compare reads is there, of its type. NULL with why printed. */
static json_t *load_bench(const char *path)
{
    char err[1024];
    json_t *doc = zr_document_load(path, ZR_DOCUMENT_BENCH, err, sizeof err);
    if (!doc) {
        fprintf(stderr, "zmq-repro: compare: ");
        zr_fput_terminal(stderr, err);
        fprintf(stderr, "\n");
        return NULL;
    }
    json_t *rows = json_object_get(doc, "cases");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        for (size_t k = 0; k < i; k++) {
            json_t *other = json_array_get(rows, k);
            if (!strcmp(json_string_value(json_object_get(other, "case")), json_string_value(json_object_get(row, "case"))) &&
                !strcmp(json_string_value(json_object_get(other, "mode")), json_string_value(json_object_get(row, "mode")))) {
                /* The document's own text: escaped for the terminal. */
                char *line = zr_strdup_printf("%s holds %s [%s] on several builds", path,
                                              json_string_value(json_object_get(row, "case")),
                                              json_string_value(json_object_get(row, "mode")));
                fprintf(stderr, "zmq-repro: ");
                zr_fput_terminal(stderr, line);
                fprintf(stderr, ": compare sets two files of one build each side by side; for several builds use "
                                "`zmq-repro matrix`\n");
                free(line);
                json_decref(doc);
                return NULL;
            }
        }
    }
    return doc;
}

static json_t *find_row(json_t *rows, const char *id, const char *mode)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (!strcmp(json_string_value(json_object_get(row, "case")), id) &&
            !strcmp(json_string_value(json_object_get(row, "mode")), mode))
            return row;
    }
    return NULL;
}

static void describe(json_t *row, char *buf, size_t len)
{
    if (!row) {
        snprintf(buf, len, "-");
        return;
    }
    double rate = json_number_value(json_object_get(row, "rate"));
    json_t *detect = json_object_get(row, "median_detect_s");
    if (json_is_number(detect))
        snprintf(buf, len, "%5.1f%% %6.2fs", 100 * rate, json_number_value(detect));
    else
        snprintf(buf, len, "%5.1f%% of %lld", 100 * rate, (long long)json_integer_value(json_object_get(row, "attempts")));
}

int zr_cmd_compare(const char *old_path, const char *new_path)
{
    json_t *old_doc = load_bench(old_path);
    if (!old_doc)
        return ZR_EXIT_USAGE;
    json_t *new_doc = load_bench(new_path);
    if (!new_doc) {
        json_decref(old_doc);
        return ZR_EXIT_USAGE;
    }
    json_t *docs[2] = { old_doc, new_doc };
    for (int d = 0; d < 2; d++) {
        const char *name;
        json_t *b;
        json_object_foreach(json_object_get(docs[d], "builds"), name, b) {
            /* Names and origins from another machine's file: escaped for the terminal. */
            char *line = zr_strdup_printf("%s libzmq: %-16s %s (%s)", d ? "new" : "old", name,
                                          json_string_value(json_object_get(b, "version")),
                                          json_string_value(json_object_get(b, "origin")));
            zr_fput_terminal(stdout, line);
            putchar('\n');
            free(line);
        }
    }
    printf("\n%-50s %-6s %-18s %-18s %s\n", "CASE", "MODE", "OLD", "NEW", "");
    int changed = 0;
    json_t *old_rows = json_object_get(old_doc, "cases"), *new_rows = json_object_get(new_doc, "cases");
    for (int d = 0; d < 2; d++) {
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(docs[d], "cases"), i, row) {
            const char *id = json_string_value(json_object_get(row, "case"));
            const char *mode = json_string_value(json_object_get(row, "mode"));
            json_t *o = find_row(old_rows, id, mode), *n = find_row(new_rows, id, mode);
            if (d == 1 && o)
                continue; /* already printed from the old side */
            char a[64], b[64];
            describe(o, a, sizeof a);
            describe(n, b, sizeof b);
            /* A verdict changes when a rate crosses between none, some and all. */
            double ro = o ? json_number_value(json_object_get(o, "rate")) : -1;
            double rn = n ? json_number_value(json_object_get(n, "rate")) : -1;
            int co = ro <= 0 ? 0 : ro >= 1 ? 2 : 1, cn = rn <= 0 ? 0 : rn >= 1 ? 2 : 1;
            bool differs = !o || !n || co != cn;
            changed += differs;
            char *line = zr_strdup_printf("%-50s %-6s %-18s %-18s %s", id, mode, a, b, differs ? "<- changed" : "");
            zr_fput_terminal(stdout, line);
            putchar('\n');
            free(line);
        }
    }
    printf("\n%d of the case-modes changed between the two runs.\n", changed);
    json_decref(old_doc);
    json_decref(new_doc);
    return changed ? ZR_EXIT_NOT_HELD : ZR_EXIT_HELD;
}
