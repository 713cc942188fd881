/* matrix.json into matrix.md and index.html: what a cell says, the words
 * both renderings share, and the writing of the folder's three files. */
#include "matrix_render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "outcomes.h"
#include "text.h"

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* A symptom key ("HANG zmq_ctx_term") that is no failure: clean, or the harness's. */
static bool is_quiet_outcome(const char *key)
{
    const struct zr_outcome *o = zr_outcome_of_key(key);
    return !o || o->kind != ZR_OUTCOME_FAILURE;
}

/* The verdict word and class of a cell that ran. */
static void judge_cell(json_t *cell, struct zr_cell_view *v, bool broken)
{
    /* A broken case judged as fixed on this version (@fixed-in). */
    bool upstream = !broken && !strcmp(str(cell, "variant"), "broken");
    if (broken) {
        v->verdict = v->met > 0 ? "reproduced" : "not reproduced";
        v->css = v->met > 0 ? "held" : "not-held";
    } else {
        /* Attempts the harness lost are no failure: the rest must all be clean. */
        bool all = v->met > 0 && v->met + v->errors >= v->n;
        /* @python-unaffected: this interpreter cannot show the bug. */
        bool unaffected = json_is_true(json_object_get(cell, "python_unaffected"));
        /* @python-shows: what this interpreter shows instead of a clean run (its header says why). */
        bool shows = json_is_true(json_object_get(cell, "python_shows"));
        v->verdict = all ? (unaffected ? "Python unaffected" : shows ? "as this Python shows" : upstream ? "fixed upstream" : "clean") : "NOT FIXED";
        v->css = all ? "held" : "not-held";
    }
    if (v->errors > 0 && v->met == 0) {
        v->verdict = "error";
        v->css = "error";
    }
}

/* The dominant symptom: for a reproduction, the most frequent failure;
 * for a clean cell, CLEAN; for one that failed, what went wrong. */
static const char *dominant_symptom(json_t *cell, bool want_failure)
{
    json_t *symptoms = json_object_get(cell, "symptoms");
    const char *key, *best = NULL;
    json_t *count;
    long long best_n = -1;
    json_object_foreach(symptoms, key, count) {
        if (want_failure && is_quiet_outcome(key))
            continue;
        if (json_integer_value(count) > best_n) {
            best_n = json_integer_value(count);
            best = key;
        }
    }
    return best ? best : "";
}

void zr_cell_view(json_t *cell, struct zr_cell_view *v)
{
    memset(v, 0, sizeof *v);
    v->symptom = "";
    v->seconds = NAN;
    const char *status = str(cell, "status");
    if (!strcmp(status, "n/a")) {
        v->verdict = "n/a";
        v->css = "na";
        return;
    }
    if (strcmp(status, "ran")) {
        v->verdict = !strcmp(status, "interrupted") ? "interrupted" : "error";
        v->css = "error";
        return;
    }
    v->met = json_integer_value(json_object_get(cell, "meeting_expectation"));
    v->n = json_integer_value(json_object_get(cell, "attempts"));
    v->errors = json_integer_value(json_object_get(cell, "errors"));
    bool broken = !strcmp(str(cell, "judged_as"), "broken");
    judge_cell(cell, v, broken);
    v->symptom = dominant_symptom(cell, broken ? v->met > 0 : v->met < v->n);
    snprintf(v->outcome, sizeof v->outcome, "%.*s", (int)strcspn(v->symptom, " "), v->symptom);
    json_t *t = json_object_get(cell, broken ? "median_detect_s" : "median_run_s");
    if (json_is_number(t))
        v->seconds = json_number_value(t);
}

/* --- The words both renderings share. --- */

/* How much of s a cell shows: about 100 bytes, cut between two characters. */
static int shown_length(const char *s)
{
    size_t n = strlen(s);
    if (n <= 100)
        return (int)n;
    n = 100;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* not inside a UTF-8 sequence */
    return (int)n;
}

char *zr_mx_result_text(const struct zr_mx_result *r)
{
    const struct zr_cell_view *v = &r->view;
    const char *reason = r->cell ? str(r->cell, "reason") : "no cell in matrix.json";
    int shown = shown_length(reason);
    const char *more = reason[shown] ? "..." : "";
    switch (r->kind) {
    case ZR_MX_NONE:
        return zr_strdup_printf("%s", "");
    case ZR_MX_NA:
        return zr_strdup_printf("%s: n/a: %.*s%s", r->mode, shown, reason, more);
    case ZR_MX_ERROR:
        if (!strcmp(v->verdict, "interrupted"))
            return zr_strdup_printf("%s: interrupted", r->mode);
        if (v->n > 0)
            return zr_strdup_printf("%s: ERROR %lld of %lld attempts lost", r->mode, v->errors, v->n);
        return zr_strdup_printf("%s: ERROR: %.*s%s", r->mode, shown, reason, more);
    default:
        break;
    }
    char secs[32] = "", what[64] = "", lost[48] = "";
    if (!isnan(v->seconds))
        snprintf(secs, sizeof secs, ", %.2f s", v->seconds);
    /* The dominant outcome and its symptom's id, unless it is just CLEAN. */
    if (v->outcome[0] && strcmp(v->outcome, "CLEAN"))
        snprintf(what, sizeof what, ", %s%s%s", v->outcome, r->symptom_id[0] ? " " : "", r->symptom_id);
    /* Every attempt the harness lost is said, whatever the verdict. */
    if (v->errors > 0)
        snprintf(lost, sizeof lost, ", %lld ERROR", v->errors);
    return zr_strdup_printf("%s: %s %lld/%lld%s%s%s", r->mode, v->verdict, v->met, v->n, secs, what, lost);
}

/* A word of a command line as a shell would need it to read it back. */
static char *quoted_word(const char *w)
{
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(w))
        return zr_strdup_printf("%s", w);
    char *q = zr_strdup_printf("%s", "'");
    for (const char *c = w; *c; c++) {
        char *t = *c == '\'' ? zr_strdup_printf("%s'\\''", q) : zr_strdup_printf("%s%c", q, *c);
        free(q);
        q = t;
    }
    char *t = zr_strdup_printf("%s'", q);
    free(q);
    return t;
}

char *zr_mx_command_text(json_t *doc)
{
    char *s = zr_strdup_printf("%s", "");
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(doc, "command"), i, w) {
        if (!json_is_string(w))
            continue;
        /* The program's own path says nothing to a reader: its name does. */
        const char *word = json_string_value(w);
        const char *slash = i == 0 ? strrchr(word, '/') : NULL;
        char *q = quoted_word(slash ? slash + 1 : word);
        char *t = zr_strdup_printf("%s%s%s", s, s[0] ? " " : "", q);
        free(q);
        free(s);
        s = t;
    }
    return s;
}

char *zr_mx_column_builds(const struct zr_mx_column *c)
{
    char *s = zr_strdup_printf("%s", "");
    size_t i;
    json_t *b;
    json_array_foreach(c->builds, i, b) {
        const char *flavour = str(b, "flavour");
        char *t = zr_strdup_printf("%s%s%s%s%s%s", s, i ? ", " : "", str(b, "name"), flavour[0] ? " (" : "", flavour,
                                   flavour[0] ? ")" : "");
        free(s);
        s = t;
    }
    return s;
}

bool zr_mx_report_link_ok(const char *report)
{
    return !strncmp(report, "reports/", 8) && zr_path_stays_inside(report);
}

json_t *zr_mx_reasons_not_run(json_t *doc)
{
    json_t *reasons = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "cells"), i, c) {
        const char *status = str(c, "status");
        if (strcmp(status, "ran") && str(c, "reason")[0]) {
            char *line = zr_strdup_printf("%s: %s", status, str(c, "reason"));
            json_t *builds_of = json_object_get(reasons, line);
            if (!builds_of) {
                builds_of = json_object();
                json_object_set_new_nocheck(reasons, line, builds_of);
            }
            json_object_set_new_nocheck(builds_of, str(c, "build"), json_true());
            free(line);
        }
    }
    return reasons;
}

static char *family_anchor_of(const char *family)
{
    char *a = zr_strdup_printf("family-%s", family);
    for (char *c = a + 7; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", *c))
            *c = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : '-';
    return a;
}

char *zr_mx_family_anchor(const struct zr_matrix_model *m, int i)
{
    char *a = family_anchor_of(json_string_value(json_array_get(m->families, (size_t)i)));
    /* Two families that clean up to the same anchor: the later one numbered. */
    for (int j = 0; j < i; j++) {
        char *b = family_anchor_of(json_string_value(json_array_get(m->families, (size_t)j)));
        bool same = !strcmp(a, b);
        free(b);
        if (same) {
            char *t = zr_strdup_printf("%s-%d", a, i + 1);
            free(a);
            return t;
        }
    }
    return a;
}

/* --- The folder's files. --- */

static int write_file(const char *path, const struct zr_matrix_model *m, const struct zr_matrix_render_options *ro,
                      bool html)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = html ? zr_matrix_write_html(f, m) : zr_matrix_write_md(f, m, ro);
    return fclose(f) == 0 && rc == 0 ? 0 : -1;
}

int zr_matrix_write(const char *dir, json_t *doc, const struct zr_matrix_render_options *ro, char *err,
                    size_t errlen)
{
    static const struct zr_matrix_render_options defaults = { false };
    char *json_path = zr_strdup_printf("%s/matrix.json", dir);
    char *md = zr_strdup_printf("%s/matrix.md", dir), *html = zr_strdup_printf("%s/index.html", dir);
    int rc = zr_write_json_atomically(json_path, doc, err, errlen);
    struct zr_matrix_model m;
    zr_matrix_model_build(doc, &m);
    if (rc == 0 && write_file(md, &m, ro ? ro : &defaults, false) != 0) {
        snprintf(err, errlen, "cannot write %s", md);
        rc = -1;
    }
    if (rc == 0 && write_file(html, &m, NULL, true) != 0) {
        snprintf(err, errlen, "cannot write %s", html);
        rc = -1;
    }
    zr_matrix_model_free(&m);
    free(json_path);
    free(md);
    free(html);
    return rc;
}
