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

/* The verdict word and class of a cell that ran. */
static void judge_cell(json_t *cell, struct zr_cell_view *v, bool broken)
{
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
    /* Every attempt the harness lost is said in the cell, whatever the verdict. */
    char lost[48] = "";
    if (v.errors > 0)
        snprintf(lost, sizeof lost, ", %lld ERROR", v.errors);
    snprintf(buf, len, "%s: %s%s%s %lld/%lld%s%s", v.verdict, v.outcome, id[0] ? " " : "", id, v.met, v.n, secs,
             lost);
}

/* --- Markdown --- */

/* Every text of matrix.md, as a table cell (no raw HTML, no code span, no
 * extra column): matrix.json may come from another machine. */
static void md_escape(FILE *f, const char *s)
{
    zr_fput_md_cell(f, s);
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
    void (*text)(FILE *, const char *) = html ? zr_fput_html : zr_fput_md_cell;
    const char *key;
    json_t *h;
    json_object_foreach(json_object_get(doc, "hosts"), key, h) {
        fprintf(f, html ? "<li>host " : "- host ");
        text(f, key);
        fprintf(f, ": ");
        text(f, str(h, "os"));
        fprintf(f, ", kernel ");
        text(f, str(h, "kernel"));
        fprintf(f, ", %lld CPUs%s\n", (long long)json_integer_value(json_object_get(h, "cpus")), html ? "</li>" : "");
    }
}

/* The marks of a table row in one of the two renderings. */
struct row_marks {
    const char *open, *between, *close;
    void (*text)(FILE *, const char *); /* the escaping of every text */
};

static const struct row_marks md_row = { "| ", " | ", " |\n", zr_fput_md_cell };
static const struct row_marks html_row = { "<tr><td>", "</td><td>", "</td></tr>\n", zr_fput_html };
/* The head of a row of the matrix: its case and mode, before the cells. */
static const struct row_marks md_row_head = { "| ", " | ", " |", zr_fput_md_cell };
static const struct row_marks html_row_head = { "<tr><th>", "</th><th>", "</th>", zr_fput_html };

static void write_row_head(FILE *f, json_t *row, const struct row_marks *m)
{
    fprintf(f, "%s", m->open);
    m->text(f, str(row, "case"));
    fprintf(f, "%s", m->between);
    m->text(f, str(row, "mode"));
    fprintf(f, "%s", m->close);
}

/* The row's cell in build b's column, or NULL. */
static json_t *cell_of(json_t *cells, json_t *row, json_t *b)
{
    return find_cell(cells, str(row, "case"), str(row, "mode"), str(b, "name"));
}

/* The symptoms' rows: id, symptom, and where it is in each build. */
static void write_symptom_rows(FILE *f, const struct symptom_table *t, const struct row_marks *m)
{
    size_t i;
    json_t *key;
    json_array_foreach(t->order, i, key) {
        const char *k = json_string_value(key);
        fprintf(f, "%s", m->open);
        m->text(f, json_string_value(json_object_get(t->ids, k)));
        fprintf(f, "%s", m->between);
        m->text(f, k);
        fprintf(f, "%s", m->between);
        const char *bn;
        json_t *loc;
        int n = 0;
        json_object_foreach(json_object_get(t->locations, k), bn, loc) {
            fprintf(f, "%s", n++ ? "; " : "");
            m->text(f, bn);
            fprintf(f, ": ");
            m->text(f, json_string_value(loc));
        }
        fprintf(f, "%s", m->close);
    }
}

/* The builds' table rows: name, version, flavour, origin (or why it
 * could not be opened), host. */
static void write_build_rows(FILE *f, json_t *builds, const struct row_marks *m)
{
    size_t i;
    json_t *b;
    json_array_foreach(builds, i, b) {
        fprintf(f, "%s", m->open);
        m->text(f, str(b, "name"));
        fprintf(f, "%s", m->between);
        m->text(f, str(b, "version"));
        fprintf(f, "%s", m->between);
        m->text(f, str(b, "flavour"));
        fprintf(f, "%s", m->between);
        m->text(f, json_object_get(b, "error") ? str(b, "error") : str(b, "origin"));
        fprintf(f, "%s", m->between);
        m->text(f, str(b, "host"));
        fprintf(f, "%s", m->close);
    }
}

/* --- Markdown --- */

static void write_md_title(FILE *f, json_t *doc)
{
    fprintf(f, "# libzmq builds compared: ");
    md_escape(f, str(doc, "name"));
    fprintf(f, "\n\nMade by `zmq-repro matrix` on ");
    md_escape(f, str(doc, "finished_at"));
    fprintf(f, "; %lld attempts per cell; %.1f minutes.\n\n", (long long)json_integer_value(json_object_get(doc, "attempts")),
            json_number_value(json_object_get(doc, "wall_s")) / 60);
    write_header_facts(f, doc, false);
}

static void write_md_matrix_head(FILE *f, json_t *builds)
{
    fprintf(f, "\nEach cell: the verdict (a broken case *reproduced* or not; a fixed case *clean* or *NOT FIXED*; "
               "*fixed upstream*: a broken case judged by its @fixed-in on this version), the dominant outcome "
               "and symptom (ids below), attempts meeting the expectation of all, median time to detect "
               "(broken) or to run (fixed).\n\n");
    fprintf(f, "| case | mode |");
    size_t i;
    json_t *b;
    json_array_foreach(builds, i, b) {
        fputc(' ', f);
        md_escape(f, str(b, "name"));
        fprintf(f, " |");
    }
    fprintf(f, "\n|---|---|");
    json_array_foreach(builds, i, b) fprintf(f, "---|");
    fprintf(f, "\n");
}

/* A cell of matrix.md: its text, or - where the row has none in this build. */
static void write_md_cell(FILE *f, json_t *cell, struct symptom_table *t)
{
    char text[256] = "-";
    if (cell)
        cell_text(cell, t, text, sizeof text);
    fputc(' ', f);
    md_escape(f, text);
    fprintf(f, " |");
}

static void write_html_cell(FILE *f, json_t *cell, json_t *row, json_t *b, struct symptom_table *t);

/* One case in one mode, in either rendering: its head, then a cell per build. */
static void write_matrix_row(FILE *f, json_t *row, json_t *builds, json_t *cells, struct symptom_table *t, bool html)
{
    write_row_head(f, row, html ? &html_row_head : &md_row_head);
    size_t k;
    json_t *b;
    json_array_foreach(builds, k, b) {
        json_t *cell = cell_of(cells, row, b);
        if (!html)
            write_md_cell(f, cell, t);
        else if (cell)
            write_html_cell(f, cell, row, b, t);
        else
            fprintf(f, "<td class=\"na\">-</td>");
    }
    fprintf(f, html ? "</tr>\n" : "\n");
}

/* Why a cell is n/a or an error: "status: reason" -> { build: true }, once per reason. */
static json_t *reasons_not_run(json_t *cells)
{
    json_t *reasons = json_object();
    size_t i;
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
    return reasons;
}

static void write_md_reasons(FILE *f, json_t *cells)
{
    json_t *reasons = reasons_not_run(cells);
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
            json_object_foreach(builds_of, bn, yes) {
                fprintf(f, "%s", n++ ? ", " : "");
                md_escape(f, bn);
            }
            fprintf(f, ")\n");
        }
    }
    json_decref(reasons);
}

/* --- HTML: self-contained, no script, no external asset. Every text goes
 * through one escaping function, and a policy in the page forbids script
 * anyway: matrix.json may come from another machine, its builds' fields from
 * a build folder's build-info.json. --- */

static void html_escape(FILE *f, const char *s)
{
    zr_fput_html(f, s);
}

/* A cell links only to its report text in the folder's reports/: a relative
 * path without "..", so no scheme (javascript:) and no file elsewhere. */
static bool report_link_ok(const char *report)
{
    return !strncmp(report, "reports/", 8) && zr_path_stays_inside(report);
}

/* The page's head (its policy and style) and the facts above the tables. */
static void write_html_head(FILE *f, json_t *doc)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
               "img-src 'self'; base-uri 'none'; form-action 'none'\">\n<title>libzmq builds compared: ");
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
               "td.with-errors{outline:3px solid #e08a00;outline-offset:-3px}\n"
               "td a{color:inherit}\n"
               ".legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #bbb}\n"
               "</style></head><body>\n");
    fprintf(f, "<h1>libzmq builds compared: ");
    html_escape(f, str(doc, "name"));
    fprintf(f, "</h1>\n<p>Made by <code>zmq-repro matrix</code> on ");
    html_escape(f, str(doc, "finished_at"));
    fprintf(f, "; %lld attempts per cell.</p>\n<ul>\n", (long long)json_integer_value(json_object_get(doc, "attempts")));
    write_header_facts(f, doc, true);
}

static void write_html_matrix_head(FILE *f, json_t *builds)
{
    fprintf(f, "</table>\n<p class=\"legend\"><span style=\"background:#c8f0c8\">expectation held</span>"
               "<span style=\"background:#f6b8b8\">not held</span><span style=\"background:#e4e4e4\">n/a</span>"
               "<span style=\"background:#ffd89a\">error</span></p>\n");
    fprintf(f, "<table id=\"matrix\"><tr><th>case</th><th>mode</th>");
    size_t i;
    json_t *b;
    json_array_foreach(builds, i, b) {
        fprintf(f, "<th>");
        html_escape(f, str(b, "name"));
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr>\n");
}

/* One cell: its class, what it says in data- attributes (for the page's
 * checks), the text, linked to its report. */
static void write_html_cell(FILE *f, json_t *cell, json_t *row, json_t *b, struct symptom_table *t)
{
    struct zr_cell_view v;
    zr_cell_view(cell, &v);
    char text[256];
    cell_text(cell, t, text, sizeof text);
    fprintf(f, "<td class=\"%s%s\" data-errors=\"%lld\" data-case=\"", v.css,
            v.errors > 0 && strcmp(v.css, "error") ? " with-errors" : "", v.errors);
    html_escape(f, str(row, "case"));
    fprintf(f, "\" data-mode=\"");
    html_escape(f, str(row, "mode"));
    fprintf(f, "\" data-build=\"");
    html_escape(f, str(b, "name"));
    fprintf(f, "\" data-verdict=\"");
    html_escape(f, v.verdict);
    fprintf(f, "\" data-outcome=\"");
    html_escape(f, v.outcome);
    fprintf(f, "\" data-met=\"%lld\" data-n=\"%lld\" title=\"", v.met, v.n);
    html_escape(f, v.symptom[0] ? v.symptom : str(cell, "reason"));
    fprintf(f, "\">");
    const char *report = str(cell, "report");
    bool link = report_link_ok(report);
    if (link) {
        fprintf(f, "<a href=\"");
        html_escape(f, report);
        fprintf(f, "\">");
    }
    html_escape(f, text);
    if (link)
        fprintf(f, "</a>");
    fprintf(f, "</td>");
}

/* The parts of one rendering, in the page's order. */
struct rendering {
    void (*title)(FILE *f, json_t *doc);
    const char *builds_head;
    const struct row_marks *build_row;
    void (*matrix_head)(FILE *f, json_t *builds);
    bool html;
    void (*after_rows)(FILE *f, json_t *cells); /* or NULL */
    const char *symptoms_head, *end;
};

static const struct rendering markdown = {
    write_md_title,
    "\n| build | libzmq | flavour | origin | host |\n|---|---|---|---|---|\n",
    &md_row,
    write_md_matrix_head,
    false,
    write_md_reasons,
    "\n## Symptoms\n\nOne symptom across versions; where it is in each build.\n\n| id | symptom | where |\n"
    "|---|---|---|\n",
    "",
};

static const struct rendering page = {
    write_html_head,
    "</ul>\n<table id=\"builds\"><tr><th>build</th><th>libzmq</th><th>flavour</th><th>origin</th>"
    "<th>host</th></tr>\n",
    &html_row,
    write_html_matrix_head,
    true,
    NULL,
    "</table>\n<h2>Symptoms</h2>\n<table id=\"symptoms\"><tr><th>id</th><th>symptom</th><th>where</th></tr>\n",
    "</table>\n</body></html>\n",
};

/* The document in one rendering: the title, the builds, the matrix, the symptoms. */
static int write_rendering(const char *path, json_t *doc, struct symptom_table *t, const struct rendering *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    json_t *builds = json_object_get(doc, "builds"), *cells = json_object_get(doc, "cells");
    r->title(f, doc);
    fprintf(f, "%s", r->builds_head);
    write_build_rows(f, builds, r->build_row);
    r->matrix_head(f, builds);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(doc, "rows"), i, row)
        write_matrix_row(f, row, builds, cells, t, r->html);
    if (r->after_rows)
        r->after_rows(f, cells);
    fprintf(f, "%s", r->symptoms_head);
    write_symptom_rows(f, t, r->build_row);
    fprintf(f, "%s", r->end);
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
    if (rc == 0 && write_rendering(md, doc, &t1, &markdown) != 0) {
        snprintf(err, errlen, "cannot write %s", md);
        rc = -1;
    }
    if (rc == 0 && write_rendering(html, doc, &t2, &page) != 0) {
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
