/* zmq-repro bench and compare: the figures (attempts, reproduction rate,
 * time to detect, clean runs, suite time) printed as a table and written as
 * JSON, so that two runs or two libzmq builds can be set side by side. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "case_run.h"
#include "commands.h"
#include "environment.h"
#include "process.h"
#include "text.h"

struct progress {
    int index, total;
    bool tty;
};

static void show_progress(const struct zr_case_run *run, const struct zr_attempt *a, void *user)
{
    struct progress *p = user;
    bool last = run->n == run->max_attempts;
    if (p->tty)
        fprintf(stderr, "\r\033[K[%d/%d] %s [%s] attempt %d/%d: %s (%.2f s)", p->index, p->total, run->spec->id,
                zr_mode_name(run->mode), run->n, run->max_attempts, a->verdict.outcome, a->verdict_s);
    else if (run->n == 1 || run->n % 10 == 0 || last || strcmp(a->verdict.outcome, run->attempts[0].verdict.outcome))
        fprintf(stderr, "[%d/%d] %s [%s] attempt %d/%d: %s (%.2f s)\n", p->index, p->total, run->spec->id,
                zr_mode_name(run->mode), run->n, run->max_attempts, a->verdict.outcome, a->verdict_s);
    if (p->tty && last)
        fputc('\n', stderr);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static json_t *number_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(round(v * 1000) / 1000);
}

/* The figures of one case and mode. */
static json_t *figures(const struct zr_case_run *run, char *outcomes, size_t len)
{
    const struct zr_mode_spec *m = &run->spec->modes[run->mode];
    double *detect = calloc((size_t)run->n + 1, sizeof *detect), *times = calloc((size_t)run->n + 1, sizeof *times);
    int ndetect = 0, errors = 0;
    double worst = NAN;
    json_t *counts = json_object(), *signatures = json_object();
    for (int i = 0; i < run->n; i++) {
        const struct zr_attempt *a = &run->attempts[i];
        times[i] = a->verdict_s;
        if (!strcmp(a->verdict.outcome, "ERROR"))
            errors++;
        if (zr_expectation_met(m, a->verdict.outcome, a->verdict.signature)) {
            detect[ndetect++] = a->verdict_s;
            if (isnan(worst) || a->verdict_s > worst)
                worst = a->verdict_s;
        }
        json_t *c = json_object_get(counts, a->verdict.outcome);
        json_object_set_new(counts, a->verdict.outcome, json_integer(c ? json_integer_value(c) + 1 : 1));
        /* Which signatures: a rate below 100% must be explainable. */
        char key[300];
        snprintf(key, sizeof key, "%s %s", a->verdict.outcome, a->verdict.signature);
        c = json_object_get(signatures, key);
        json_object_set_new(signatures, key, json_integer(c ? json_integer_value(c) + 1 : 1));
    }
    outcomes[0] = '\0';
    const char *key;
    json_t *value;
    json_object_foreach(counts, key, value) {
        size_t used = strlen(outcomes);
        snprintf(outcomes + used, len - used, "%s%s:%lld", used ? " " : "", key, (long long)json_integer_value(value));
    }
    bool broken = run->spec->variant == ZR_VARIANT_BROKEN;
    char expected[256];
    zr_expectations_format(m, expected, sizeof expected);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:o}", "case", run->spec->id, "mode",
                          zr_mode_name(run->mode), "language", zr_language_name(run->spec->language), "variant",
                          zr_variant_name(run->spec->variant), "expect", expected, "attempts", run->n,
                          "meeting_expectation", run->met, "errors", errors, "rate",
                          run->n ? (double)run->met / run->n : 0.0, "outcomes", counts);
    double med_detect = median(detect, ndetect);
    json_object_set_new(j, "median_detect_s", broken ? number_or_null(med_detect) : json_null());
    json_object_set_new(j, "worst_detect_s", broken ? number_or_null(worst) : json_null());
    json_object_set_new(j, "median_run_s", number_or_null(median(times, run->n)));
    json_object_set_new(j, "signatures", signatures);
    json_object_set_new(j, "wall_s", json_real(round(run->wall_s * 1000) / 1000));
    free(detect);
    free(times);
    return j;
}

int zr_cmd_bench(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases)
{
    struct item {
        const struct zr_case_spec *spec;
        enum zr_mode mode;
    } *items = calloc((size_t)cat->n * ZR_MODE_COUNT, sizeof *items);
    int nitems = 0;
    for (int i = 0; i < cat->n; i++) {
        const struct zr_case_spec *spec = &cat->cases[i];
        bool named = ncases == 0;
        for (int k = 0; k < ncases; k++)
            named |= zr_catalog_find(cat, cases[k]) == spec;
        if (!named)
            continue;
        enum zr_mode modes[ZR_MODE_COUNT];
        int n = zr_selected_modes(o, spec, modes);
        for (int k = 0; k < n; k++)
            items[nitems++] = (struct item){ spec, modes[k] };
    }
    for (int k = 0; k < ncases; k++)
        if (!zr_catalog_find(cat, cases[k])) {
            fprintf(stderr, "zmq-repro: no case named '%s' (see `zmq-repro list`)\n", cases[k]);
            free(items);
            return ZR_EXIT_USAGE;
        }
    if (nitems == 0) {
        fprintf(stderr, "zmq-repro: no case matches (see `zmq-repro list`)\n");
        free(items);
        return ZR_EXIT_USAGE;
    }

    int attempts = o->attempts ? o->attempts : 20;
    struct progress p = { 0, nitems, isatty(2) };
    json_t *rows = json_array(), *builds = json_object();
    double start = zr_now();
    int rc = ZR_EXIT_HELD;
    fprintf(stderr, "bench: %d case-modes, %d attempts each\n", nitems, attempts);
    char (*lines)[400] = calloc((size_t)nitems, sizeof *lines);
    for (int i = 0; i < nitems; i++) {
        char err[1024];
        p.index = i + 1;
        json_t *env = zr_preflight(&o->setup, items[i].spec, items[i].mode, err, sizeof err);
        if (!env) {
            fprintf(stderr, "zmq-repro: %s [%s]: %s\n", items[i].spec->id, zr_mode_name(items[i].mode), err);
            rc = ZR_EXIT_USAGE;
            snprintf(lines[i], sizeof lines[i], "%-50s %-6s ERROR %s", items[i].spec->id, zr_mode_name(items[i].mode), err);
            continue;
        }
        json_object_set(builds, zr_mode_name(items[i].mode), json_object_get(env, "libzmq"));
        struct zr_case_run run;
        zr_case_run(&o->setup, items[i].spec, items[i].mode, attempts, true, show_progress, &p, &run);
        char outcomes[256];
        json_t *row = figures(&run, outcomes, sizeof outcomes);
        json_object_set(row, "environment", env);
        json_array_append_new(rows, row);
        bool broken = items[i].spec->variant == ZR_VARIANT_BROKEN;
        double med = json_number_value(json_object_get(row, broken ? "median_detect_s" : "median_run_s"));
        double worst = json_number_value(json_object_get(row, broken ? "worst_detect_s" : "median_run_s"));
        if (broken)
            snprintf(lines[i], sizeof lines[i], "%-50s %-6s %-6s %5d %6.1f%% %8.2f %8.2f  %s", items[i].spec->id,
                     zr_mode_name(items[i].mode), "broken", run.n, 100.0 * run.met / (run.n ? run.n : 1), med, worst,
                     outcomes);
        else
            snprintf(lines[i], sizeof lines[i], "%-50s %-6s %-6s %5d %4d/%-4d %6.2f %8s  %s", items[i].spec->id,
                     zr_mode_name(items[i].mode), "fixed", run.n, run.met, run.n, med, "-", outcomes);
        if (run.status == ZR_HARNESS_ERROR)
            rc = ZR_EXIT_USAGE;
        else if (run.status == ZR_NOT_HELD && rc == ZR_EXIT_HELD)
            rc = ZR_EXIT_NOT_HELD;
        zr_case_run_free(&run);
        json_decref(env);
    }
    double suite = zr_now() - start;

    printf("\n%-50s %-6s %-6s %5s %7s %8s %8s  %s\n", "CASE", "MODE", "KIND", "RUNS", "RATE", "MEDIAN_S", "WORST_S",
           "OUTCOMES");
    printf("%-50s %-6s %-6s %5s %7s %8s %8s  %s\n", "", "", "", "", "(clean)", "(run)", "", "");
    for (int i = 0; i < nitems; i++)
        printf("%s\n", lines[i]);
    printf("\nsuite time: %.1f s\n", suite);
    printf("broken: RATE = attempts showing the expected outcome; MEDIAN_S/WORST_S = time to detect.\n"
           "fixed:  RATE = clean runs of all runs; MEDIAN_S = median run time.\n");

    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *doc = json_pack("{s:i, s:s, s:i, s:f, s:o, s:o}", "schema", 1, "finished_at", stamp, "attempts",
                            attempts, "suite_s", round(suite * 10) / 10, "libzmq", builds, "cases", rows);
    char path[1400], err[1024];
    if (o->json_out) {
        if (json_dump_file(doc, o->json_out, JSON_INDENT(2) | JSON_SORT_KEYS) == 0)
            printf("figures: %s\n", o->json_out);
        else
            fprintf(stderr, "zmq-repro: cannot write %s\n", o->json_out);
    } else {
        char dir[1100];
        snprintf(dir, sizeof dir, "%s/results/bench", o->setup.source_dir);
        if (zr_write_result(dir, "bench", doc, path, sizeof path, err, sizeof err) == 0)
            printf("figures: %s\n", path);
        else
            fprintf(stderr, "zmq-repro: %s\n", err);
    }
    json_decref(doc);
    free(lines);
    free(items);
    return rc;
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
    json_error_t jerr;
    json_t *old_doc = json_load_file(old_path, 0, &jerr);
    if (!old_doc) {
        fprintf(stderr, "zmq-repro: cannot read %s: %s\n", old_path, jerr.text);
        return ZR_EXIT_USAGE;
    }
    json_t *new_doc = json_load_file(new_path, 0, &jerr);
    if (!new_doc) {
        fprintf(stderr, "zmq-repro: cannot read %s: %s\n", new_path, jerr.text);
        json_decref(old_doc);
        return ZR_EXIT_USAGE;
    }
    json_t *docs[2] = { old_doc, new_doc };
    for (int d = 0; d < 2; d++) {
        const char *mode;
        json_t *b;
        json_object_foreach(json_object_get(docs[d], "libzmq"), mode, b)
            printf("%s %-6s libzmq: %s (%s)\n", d ? "new" : "old", mode, json_string_value(json_object_get(b, "name")),
                   json_string_value(json_object_get(b, "origin")));
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
            printf("%-50s %-6s %-18s %-18s %s\n", id, mode, a, b, differs ? "<- changed" : "");
        }
    }
    printf("\n%d of the case-modes changed between the two runs.\n", changed);
    json_decref(old_doc);
    json_decref(new_doc);
    return changed ? ZR_EXIT_NOT_HELD : ZR_EXIT_HELD;
}
