/* matrix.json into matrix.md and index.html. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "matrix.h"
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

void zr_cell_view(json_t *cell, struct zr_cell_view *v)
{
    memset(v, 0, sizeof *v);
    v->outcome = v->symptom = "";
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
    bool broken = !strcmp(str(cell, "judged_as"), "broken");
    /* A broken case judged as fixed on this version (@fixed-in). */
    bool upstream = !broken && !strcmp(str(cell, "variant"), "broken");
    bool errors = json_integer_value(json_object_get(cell, "errors")) > 0;
    if (broken) {
        v->verdict = v->met > 0 ? "reproduced" : "not reproduced";
        v->css = v->met > 0 ? "held" : "not-held";
    } else {
        bool all = v->met == v->n && v->n > 0;
        /* @python-unaffected: this interpreter cannot show the bug. */
        bool unaffected = json_is_true(json_object_get(cell, "python_unaffected"));
        v->verdict = all ? (unaffected ? "Python unaffected" : upstream ? "fixed upstream" : "clean") : "NOT FIXED";
        v->css = all ? "held" : "not-held";
    }
    if (errors && v->met == 0) {
        v->verdict = "error";
        v->css = "error";
    }
    /* The dominant symptom: for a reproduction, the most frequent failure;
     * for a clean cell, CLEAN; for one that failed, what went wrong. */
    json_t *symptoms = json_object_get(cell, "symptoms");
    const char *key, *best = NULL;
    json_t *count;
    long long best_n = -1;
    bool want_failure = broken ? v->met > 0 : v->met < v->n;
    json_object_foreach(symptoms, key, count) {
        if (want_failure && is_quiet_outcome(key))
            continue;
        if (json_integer_value(count) > best_n) {
            best_n = json_integer_value(count);
            best = key;
        }
    }
    v->symptom = best ? best : "";
    static char outcome[24];
    snprintf(outcome, sizeof outcome, "%.*s", (int)strcspn(v->symptom, " "), v->symptom);
    v->outcome = outcome;
    json_t *t = json_object_get(cell, broken ? "median_detect_s" : "median_run_s");
    if (json_is_number(t))
        v->seconds = json_number_value(t);
}

/* --- Symptoms: one id per distinct "OUTCOME symptom" across the matrix,
 * with where it is in each build (its location moves between versions). --- */

struct symptom_table {
    json_t *ids;       /* key -> "S1" */
    json_t *locations; /* key -> { build: location } */
    json_t *order;     /* [key] */
};

static const char *symptom_id(struct symptom_table *t, json_t *cell, const char *key)
{
    const struct zr_outcome *o = zr_outcome_of_key(key);
    if (!key[0] || (o && !strcmp(o->name, "CLEAN")))
        return "";
    json_t *id = json_object_get(t->ids, key);
    if (!id) {
        char buf[16];
        snprintf(buf, sizeof buf, "S%zu", json_array_size(t->order) + 1);
        json_object_set_new(t->ids, key, json_string(buf));
        json_object_set_new(t->locations, key, json_object());
        json_array_append_new(t->order, json_string(key));
        id = json_object_get(t->ids, key);
    }
    const char *where = json_string_value(json_object_get(json_object_get(cell, "locations"), key));
    if (where)
        json_object_set_new(json_object_get(t->locations, key), str(cell, "build"), json_string(where));
    return json_string_value(id);
}

static void cell_text(json_t *cell, struct symptom_table *t, char *buf, size_t len)
{
    struct zr_cell_view v;
    zr_cell_view(cell, &v);
    if (!strcmp(v.css, "na") || !strcmp(v.css, "error")) {
        snprintf(buf, len, "%s", v.verdict);
        return;
    }
    const char *id = symptom_id(t, cell, v.symptom);
    char secs[32] = "";
    if (!isnan(v.seconds))
        snprintf(secs, sizeof secs, ", %.2f s", v.seconds);
    snprintf(buf, len, "%s: %s%s%s %lld/%lld%s", v.verdict, v.outcome, id[0] ? " " : "", id, v.met, v.n, secs);
}

/* --- Markdown --- */

static void md_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

static json_t *find_cell(json_t *cells, const char *id, const char *mode, const char *build)
{
    size_t i;
    json_t *c;
    json_array_foreach(cells, i, c) if (!strcmp(str(c, "case"), id) && !strcmp(str(c, "mode"), mode) &&
                                        !strcmp(str(c, "build"), build)) return c;
    return NULL;
}

static void write_header_facts(FILE *f, json_t *doc, bool html)
{
    const char *key;
    json_t *h;
    json_object_foreach(json_object_get(doc, "hosts"), key, h) {
        if (html)
            fprintf(f, "<li>host %s: %s, kernel %s, %lld CPUs</li>\n", key, str(h, "os"), str(h, "kernel"),
                    (long long)json_integer_value(json_object_get(h, "cpus")));
        else
            fprintf(f, "- host %s: %s, kernel %s, %lld CPUs\n", key, str(h, "os"), str(h, "kernel"),
                    (long long)json_integer_value(json_object_get(h, "cpus")));
    }
}

static int write_md(const char *path, json_t *doc, struct symptom_table *t)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    json_t *builds = json_object_get(doc, "builds"), *cells = json_object_get(doc, "cells");
    fprintf(f, "# libzmq builds compared: %s\n\n", str(doc, "name"));
    fprintf(f, "Made by `zmq-repro matrix` on %s; %lld attempts per cell; %.1f minutes.\n\n", str(doc, "finished_at"),
            (long long)json_integer_value(json_object_get(doc, "attempts")),
            json_number_value(json_object_get(doc, "wall_s")) / 60);
    write_header_facts(f, doc, false);
    fprintf(f, "\n| build | libzmq | flavour | origin | host |\n|---|---|---|---|---|\n");
    size_t i;
    json_t *b;
    json_array_foreach(builds, i, b) {
        fprintf(f, "| %s | %s | %s | ", str(b, "name"), str(b, "version"), str(b, "flavour"));
        md_escape(f, json_object_get(b, "error") ? str(b, "error") : str(b, "origin"));
        fprintf(f, " | %s |\n", str(b, "host"));
    }
    fprintf(f, "\nEach cell: the verdict (a broken case *reproduced* or not; a fixed case *clean* or *NOT FIXED*; "
               "*fixed upstream*: a broken case judged by its @fixed-in on this version), the dominant outcome "
               "and symptom (ids below), attempts meeting the expectation of all, median time to detect "
               "(broken) or to run (fixed).\n\n");
    fprintf(f, "| case | mode |");
    json_array_foreach(builds, i, b) fprintf(f, " %s |", str(b, "name"));
    fprintf(f, "\n|---|---|");
    json_array_foreach(builds, i, b) fprintf(f, "---|");
    fprintf(f, "\n");
    json_t *row;
    json_array_foreach(json_object_get(doc, "rows"), i, row) {
        fprintf(f, "| %s | %s |", str(row, "case"), str(row, "mode"));
        size_t k;
        json_array_foreach(builds, k, b) {
            json_t *cell = find_cell(cells, str(row, "case"), str(row, "mode"), str(b, "name"));
            char text[256] = "-";
            if (cell)
                cell_text(cell, t, text, sizeof text);
            fputc(' ', f);
            md_escape(f, text);
            fprintf(f, " |");
        }
        fprintf(f, "\n");
    }
    /* Why a cell is n/a or an error, once per reason. */
    json_t *reasons = json_object();
    json_t *c;
    json_array_foreach(cells, i, c) {
        const char *status = str(c, "status");
        if (strcmp(status, "ran") && str(c, "reason")[0]) {
            char *line = zr_strdup_printf("%s: %s", status, str(c, "reason"));
            json_t *builds_of = json_object_get(reasons, line);
            if (!builds_of) {
                builds_of = json_object();
                json_object_set_new(reasons, line, builds_of);
            }
            json_object_set_new(builds_of, str(c, "build"), json_true());
            free(line);
        }
    }
    if (json_object_size(reasons)) {
        fprintf(f, "\nCells that did not run:\n\n");
        const char *line;
        json_t *builds_of;
        json_object_foreach(reasons, line, builds_of) {
            fprintf(f, "- ");
            md_escape(f, line);
            fprintf(f, " (");
            const char *bn;
            json_t *yes;
            int n = 0;
            json_object_foreach(builds_of, bn, yes) fprintf(f, "%s%s", n++ ? ", " : "", bn);
            fprintf(f, ")\n");
        }
    }
    json_decref(reasons);
    fprintf(f, "\n## Symptoms\n\nOne symptom across versions; where it is in each build.\n\n| id | symptom | where |\n"
               "|---|---|---|\n");
    json_t *key;
    json_array_foreach(t->order, i, key) {
        const char *k = json_string_value(key);
        fprintf(f, "| %s | ", json_string_value(json_object_get(t->ids, k)));
        md_escape(f, k);
        fprintf(f, " | ");
        const char *bn;
        json_t *loc;
        int n = 0;
        json_object_foreach(json_object_get(t->locations, k), bn, loc) {
            fprintf(f, "%s%s: ", n++ ? "; " : "", bn);
            md_escape(f, json_string_value(loc));
        }
        fprintf(f, " |\n");
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* --- HTML: self-contained, no script, no external asset. --- */

static void html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static int write_html(const char *path, json_t *doc, struct symptom_table *t)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    json_t *builds = json_object_get(doc, "builds"), *cells = json_object_get(doc, "cells");
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>libzmq builds compared: ");
    html_escape(f, str(doc, "name"));
    fprintf(f, "</title>\n<style>\n"
               "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
               "table{border-collapse:collapse;margin:1em 0}\n"
               "th,td{border:1px solid #bbb;padding:4px 8px;font-size:13px;vertical-align:top}\n"
               "th{background:#eee}\n"
               "td.held{background:#c8f0c8}\n"
               "td.not-held{background:#f6b8b8}\n"
               "td.na{background:#e4e4e4;color:#777}\n"
               "td.error{background:#ffd89a}\n"
               "td a{color:inherit}\n"
               ".legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #bbb}\n"
               "</style></head><body>\n");
    fprintf(f, "<h1>libzmq builds compared: ");
    html_escape(f, str(doc, "name"));
    fprintf(f, "</h1>\n<p>Made by <code>zmq-repro matrix</code> on %s; %lld attempts per cell.</p>\n<ul>\n",
            str(doc, "finished_at"), (long long)json_integer_value(json_object_get(doc, "attempts")));
    write_header_facts(f, doc, true);
    fprintf(f, "</ul>\n<table id=\"builds\"><tr><th>build</th><th>libzmq</th><th>flavour</th><th>origin</th>"
               "<th>host</th></tr>\n");
    size_t i;
    json_t *b;
    json_array_foreach(builds, i, b) {
        fprintf(f, "<tr><td>");
        html_escape(f, str(b, "name"));
        fprintf(f, "</td><td>%s</td><td>%s</td><td>", str(b, "version"), str(b, "flavour"));
        html_escape(f, json_object_get(b, "error") ? str(b, "error") : str(b, "origin"));
        fprintf(f, "</td><td>%s</td></tr>\n", str(b, "host"));
    }
    fprintf(f, "</table>\n<p class=\"legend\"><span style=\"background:#c8f0c8\">expectation held</span>"
               "<span style=\"background:#f6b8b8\">not held</span><span style=\"background:#e4e4e4\">n/a</span>"
               "<span style=\"background:#ffd89a\">error</span></p>\n");
    fprintf(f, "<table id=\"matrix\"><tr><th>case</th><th>mode</th>");
    json_array_foreach(builds, i, b) {
        fprintf(f, "<th>");
        html_escape(f, str(b, "name"));
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr>\n");
    json_t *row;
    json_array_foreach(json_object_get(doc, "rows"), i, row) {
        fprintf(f, "<tr><th>");
        html_escape(f, str(row, "case"));
        fprintf(f, "</th><th>%s</th>", str(row, "mode"));
        size_t k;
        json_array_foreach(builds, k, b) {
            json_t *cell = find_cell(cells, str(row, "case"), str(row, "mode"), str(b, "name"));
            if (!cell) {
                fprintf(f, "<td class=\"na\">-</td>");
                continue;
            }
            struct zr_cell_view v;
            zr_cell_view(cell, &v);
            char text[256];
            cell_text(cell, t, text, sizeof text);
            fprintf(f, "<td class=\"%s\" data-case=\"", v.css);
            html_escape(f, str(row, "case"));
            fprintf(f, "\" data-mode=\"%s\" data-build=\"", str(row, "mode"));
            html_escape(f, str(b, "name"));
            fprintf(f, "\" data-verdict=\"%s\" data-outcome=\"%s\" data-met=\"%lld\" data-n=\"%lld\" title=\"", v.verdict,
                    v.outcome, v.met, v.n);
            html_escape(f, v.symptom[0] ? v.symptom : str(cell, "reason"));
            fprintf(f, "\">");
            const char *report = str(cell, "report");
            if (report[0]) {
                fprintf(f, "<a href=\"");
                html_escape(f, report);
                fprintf(f, "\">");
            }
            html_escape(f, text);
            if (report[0])
                fprintf(f, "</a>");
            fprintf(f, "</td>");
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table>\n<h2>Symptoms</h2>\n<table id=\"symptoms\"><tr><th>id</th><th>symptom</th><th>where</th></tr>\n");
    json_t *key;
    json_array_foreach(t->order, i, key) {
        const char *k = json_string_value(key);
        fprintf(f, "<tr><td>%s</td><td>", json_string_value(json_object_get(t->ids, k)));
        html_escape(f, k);
        fprintf(f, "</td><td>");
        const char *bn;
        json_t *loc;
        int n = 0;
        json_object_foreach(json_object_get(t->locations, k), bn, loc) {
            fprintf(f, "%s", n++ ? "; " : "");
            html_escape(f, bn);
            fprintf(f, ": ");
            html_escape(f, json_string_value(loc));
        }
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</table>\n</body></html>\n");
    return fclose(f) == 0 ? 0 : -1;
}

int zr_matrix_write(const char *dir, json_t *doc, char *err, size_t errlen)
{
    char *json_path = zr_strdup_printf("%s/matrix.json", dir);
    char *md = zr_strdup_printf("%s/matrix.md", dir), *html = zr_strdup_printf("%s/index.html", dir);
    int rc = zr_write_json_atomically(json_path, doc, err, errlen);
    /* The two renderings number the symptoms the same way: one table each, in the same order. */
    struct symptom_table t1 = { json_object(), json_object(), json_array() };
    struct symptom_table t2 = { json_object(), json_object(), json_array() };
    if (rc == 0 && write_md(md, doc, &t1) != 0) {
        snprintf(err, errlen, "cannot write %s", md);
        rc = -1;
    }
    if (rc == 0 && write_html(html, doc, &t2) != 0) {
        snprintf(err, errlen, "cannot write %s", html);
        rc = -1;
    }
    json_decref(t1.ids);
    json_decref(t1.locations);
    json_decref(t1.order);
    json_decref(t2.ids);
    json_decref(t2.locations);
    json_decref(t2.order);
    free(json_path);
    free(md);
    free(html);
    return rc;
}
