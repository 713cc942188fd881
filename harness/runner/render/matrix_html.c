/* index.html: the comparison as a page. Self-contained, no script, no
 * external asset; a policy in the page forbids script anyway. Every text
 * goes through one escaping function (zr_fput_html): matrix.json may come
 * from another machine, its builds' fields from a build folder's
 * build-info.json. The only links are to a cell's report inside the
 * folder's reports/, to anchors of the page, and to upstream addresses
 * built from a case's references (never a URL taken from the document).
 * It is filtered without script by anchors: the rows that differ between
 * versions first, then one table per family. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_render.h"
#include "text.h"

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void text(FILE *f, const char *s)
{
    zr_fput_html(f, s);
}

/* Colours: the checks of the page (harness/tests/compare) read them back. */
static const char style[] =
    "body{font-family:sans-serif;margin:1.2em;color:#222;font-size:14px}\n"
    "h1{font-size:20px;margin:0 0 .3em}h2{font-size:17px;margin:1.2em 0 .3em}h3{font-size:15px;margin:1em 0 .2em}\n"
    "p{margin:.3em 0}nav a{margin-right:.8em}\n"
    "table{border-collapse:collapse;margin:.4em 0}\n"
    "th,td{border:1px solid #bbb;padding:3px 5px;font-size:12px;vertical-align:top;text-align:left}\n"
    "thead th{background:#eee}\n"
    "th.case{font-weight:normal;max-width:22em;background:#fafafa}\n"
    "th.case .name{font-weight:bold;overflow-wrap:anywhere}th.case .summary{color:#444}th.case .file{color:#777;font-family:monospace;overflow-wrap:anywhere}\n"
    "th.col .note{font-weight:normal;color:#555}th.col .builds{font-weight:normal;color:#555;font-size:11px}\n"
    "td.cell{padding:0;min-width:9em}\n"
    "div.r{padding:3px 5px;margin:1px}\n"
    "div.r.present{background:#f4a6a6}\n"
    "div.r.absent{background:#bfe6bf}\n"
    "div.r.error{background:#ffc870}\n"
    "div.r.na{background:#e4e4e4;color:#666}\n"
    "div.r.not-held{outline:3px solid #303030;outline-offset:-3px}\n"
    "div.r.lost{border-left:6px solid #e07000}\n"
    "div.r a{color:inherit;text-decoration:none}\n"
    "tr.differs th.case{border-left:6px solid #6a3cc8}\n"
    "td.change{background:#ece4fa;max-width:12em}tr:not(.differs) td.change{background:none}\n"
    ".legend span{display:inline-block;padding:1px 7px;margin-right:5px;border:1px solid #bbb}\n"
    ".facts{color:#444}\n";

static void write_head(FILE *f, const struct zr_matrix_model *m)
{
    json_t *doc = m->doc;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
               "img-src 'self'; base-uri 'none'; form-action 'none'\">\n<title>libzmq builds compared: ");
    text(f, str(doc, "name"));
    fprintf(f, "</title>\n<style>\n%s</style></head><body>\n<h1>libzmq versions compared: ", style);
    text(f, str(doc, "name"));
    fprintf(f, "</h1>\n<p class=\"facts\" id=\"facts\">Made by <code id=\"command\">");
    char *command = zr_mx_command_text(doc);
    text(f, command[0] ? command : "zmq-repro matrix");
    free(command);
    fprintf(f, "</code> on ");
    text(f, str(doc, "finished_at"));
    fprintf(f, "%s; <span id=\"attempts\">%lld attempts per cell</span>; <span id=\"wall\">wall time %.1f min</span>; "
               "%d cases on %d columns; n/a in %lld of %lld results.",
            json_is_true(json_object_get(doc, "interrupted")) ? " (interrupted: what finished is shown)" : "",
            (long long)json_integer_value(json_object_get(doc, "attempts")),
            json_number_value(json_object_get(doc, "wall_s")) / 60, m->nrows, m->ncols, m->na_results,
            m->total_results);
    fprintf(f, " Hosts:");
    const char *key;
    json_t *h;
    int n = 0;
    json_object_foreach(json_object_get(doc, "hosts"), key, h) {
        fprintf(f, "%s <span class=\"host\">", n++ ? ";" : "");
        text(f, key);
        fprintf(f, " (");
        text(f, str(h, "os"));
        fprintf(f, ", kernel ");
        text(f, str(h, "kernel"));
        fprintf(f, ", %lld CPUs)</span>", (long long)json_integer_value(json_object_get(h, "cpus")));
    }
    fprintf(f, "</p>\n<p class=\"legend\" id=\"legend\">Each cell: every mode of the case on the build of that "
               "version that runs it. <span style=\"background:#f4a6a6\">failure present (reproduced)</span>"
               "<span style=\"background:#bfe6bf\">failure absent (clean, fixed upstream)</span>"
               "<span style=\"background:#ffc870\">harness ERROR (attempts lost)</span>"
               "<span style=\"outline:3px solid #303030;outline-offset:-3px\">expectation did not hold</span>"
               "<span style=\"border-left:6px solid #e07000\">some attempts lost</span>"
               "<span style=\"border-left:6px solid #6a3cc8\">verdict changes between versions</span></p>\n");
    fprintf(f, "<nav id=\"nav\"><a href=\"#differs\">differs between versions (%d)</a>", m->ndiffering);
    size_t i;
    json_t *fam;
    json_array_foreach(m->families, i, fam) {
        char *anchor = zr_mx_family_anchor(m, (int)i);
        fprintf(f, "<a href=\"#%s\">", anchor);
        text(f, json_string_value(fam));
        fprintf(f, "</a>");
        free(anchor);
    }
    fprintf(f, "<a href=\"#symptoms\">symptoms</a><a href=\"#builds\">builds</a></nav>\n");
}

static void write_column_heads(FILE *f, const struct zr_matrix_model *m)
{
    fprintf(f, "<thead><tr><th>case</th><th>across versions</th>");
    for (int c = 0; c < m->ncols; c++) {
        const struct zr_mx_column *col = &m->cols[c];
        fprintf(f, "<th class=\"col\" data-column=\"");
        text(f, col->label);
        fprintf(f, "\" data-note=\"");
        text(f, col->head_note);
        fprintf(f, "\"><div class=\"v\">");
        text(f, col->label);
        fprintf(f, "</div><div class=\"builds\">");
        size_t i;
        json_t *b;
        json_array_foreach(col->builds, i, b) {
            fprintf(f, "%s<span class=\"b\" data-build=\"", i ? ", " : "");
            text(f, str(b, "name"));
            fprintf(f, "\">");
            text(f, str(b, "name"));
            if (str(b, "flavour")[0]) {
                fprintf(f, " (");
                text(f, str(b, "flavour"));
                fprintf(f, ")");
            }
            fprintf(f, "</span>");
        }
        fprintf(f, "</div>");
        if (col->head_note[0]) {
            fprintf(f, "<div class=\"note\">");
            text(f, col->head_note);
            fprintf(f, "</div>");
        }
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr></thead>\n");
}

/* The case as upstream knows it: its references (linked), its name, the
 * line of its header that says what it is, its file. */
static void write_case_head(FILE *f, const struct zr_mx_row *r)
{
    fprintf(f, "<th class=\"case\"><div class=\"refs\">");
    size_t i;
    json_t *ref;
    json_array_foreach(r->upstream, i, ref) {
        const char *t = json_string_value(ref);
        char *url = zr_mx_upstream_url(t);
        if (i)
            fputc(' ', f);
        if (url) {
            fprintf(f, "<a class=\"upstream\" href=\"");
            text(f, url);
            fprintf(f, "\">");
            text(f, t);
            fprintf(f, "</a>");
        } else {
            text(f, t);
        }
        free(url);
    }
    fprintf(f, "</div><div class=\"name\">");
    text(f, r->case_id);
    fprintf(f, "</div>");
    if (r->summary[0]) {
        fprintf(f, "<div class=\"summary\">");
        text(f, r->summary);
        fprintf(f, "</div>");
    }
    if (r->file[0]) {
        fprintf(f, "<div class=\"file\">");
        text(f, r->file);
        fprintf(f, "</div>");
    }
    fprintf(f, "</th>");
}

/* Where the verdict changes, and the commit a bisection found for it. */
static void write_change(FILE *f, const struct zr_mx_row *r)
{
    fprintf(f, "<td class=\"change\">");
    text(f, r->change);
    const char *commit = str(r->bisect, "commit");
    char *url = commit[0] ? zr_mx_commit_url(commit) : NULL;
    if (r->changes_at >= 0 && url) {
        fprintf(f, "<div class=\"bisect\">bisect: <a href=\"");
        text(f, url);
        fprintf(f, "\">");
        text(f, commit);
        fprintf(f, "</a>");
        const char *date = str(r->bisect, "date"), *subject = str(r->bisect, "subject");
        if (date[0] || subject[0]) {
            fprintf(f, "<div class=\"subject\">");
            text(f, date);
            fprintf(f, date[0] && subject[0] ? " " : "");
            text(f, subject);
            fprintf(f, "</div>");
        }
        fprintf(f, "</div>");
    }
    free(url);
    fprintf(f, "</td>");
}

static void write_result(FILE *f, const struct zr_mx_row *r, const struct zr_mx_column *col,
                         const struct zr_mx_result *res)
{
    const struct zr_cell_view *v = &res->view;
    fprintf(f, "<div class=\"r %s%s%s\" data-kind=\"%s\" data-case=\"", zr_mx_kind_name(res->kind),
            res->not_held ? " not-held" : "", v->errors > 0 && res->kind != ZR_MX_ERROR ? " lost" : "",
            zr_mx_kind_name(res->kind));
    text(f, r->case_id);
    fprintf(f, "\" data-mode=\"");
    text(f, res->mode);
    fprintf(f, "\" data-build=\"");
    text(f, res->build ? res->build : "");
    fprintf(f, "\" data-column=\"");
    text(f, col->label);
    fprintf(f, "\" data-verdict=\"");
    text(f, v->verdict ? v->verdict : "");
    fprintf(f, "\" data-met=\"%lld\" data-n=\"%lld\" data-errors=\"%lld\" title=\"", v->met, v->n, v->errors);
    text(f, v->symptom && v->symptom[0] ? v->symptom : res->cell ? str(res->cell, "reason") : "");
    fprintf(f, "\">");
    const char *report = res->cell ? str(res->cell, "report") : "";
    bool link = zr_mx_report_link_ok(report);
    if (link) {
        fprintf(f, "<a href=\"");
        text(f, report);
        fprintf(f, "\">");
    }
    char *words = zr_mx_result_text(res);
    text(f, words);
    free(words);
    if (link)
        fprintf(f, "</a>");
    fprintf(f, "</div>");
}

/* A cell's class: the failure present in any mode, else absent, else ERROR. */
static const char *cell_class(const struct zr_matrix_model *m, const struct zr_mx_row *r, int c)
{
    enum zr_mx_kind order[] = { ZR_MX_PRESENT, ZR_MX_ABSENT, ZR_MX_ERROR, ZR_MX_NA };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        for (int k = 0; k < r->nmodes; k++)
            if (zr_mx_result_at(m, r, c, k)->kind == order[i])
                return zr_mx_kind_name(order[i]);
    return "none";
}

static void write_row(FILE *f, const struct zr_matrix_model *m, const struct zr_mx_row *r)
{
    fprintf(f, "<tr class=\"row%s\" data-case=\"", r->changes_at >= 0 ? " differs" : "");
    text(f, r->case_id);
    fprintf(f, "\" data-changes-at=\"");
    text(f, r->changes_at >= 0 ? m->cols[r->changes_at].label : "");
    fprintf(f, "\">");
    write_case_head(f, r);
    write_change(f, r);
    for (int c = 0; c < m->ncols; c++) {
        fprintf(f, "<td class=\"cell %s\">", cell_class(m, r, c));
        for (int k = 0; k < r->nmodes; k++) {
            const struct zr_mx_result *res = zr_mx_result_at(m, r, c, k);
            if (res->kind != ZR_MX_NONE)
                write_result(f, r, &m->cols[c], res);
        }
        fprintf(f, "</td>");
    }
    fprintf(f, "</tr>\n");
}

/* The rows that differ between versions, then every family's. */
static void write_tables(FILE *f, const struct zr_matrix_model *m)
{
    fprintf(f, "<h2 id=\"differs\">Differs between versions: %d of %d cases</h2>\n", m->ndiffering, m->nrows);
    if (m->ndiffering) {
        fprintf(f, "<table class=\"matrix\" id=\"differing\">");
        write_column_heads(f, m);
        fprintf(f, "<tbody>\n");
        for (int i = 0; i < m->nrows; i++)
            if (m->rows[i].changes_at >= 0)
                write_row(f, m, &m->rows[i]);
        fprintf(f, "</tbody></table>\n");
    } else {
        fprintf(f, "<p>No case's verdict differs between the versions compared.</p>\n");
    }
    fprintf(f, "<h2 id=\"all\">All cases</h2>\n");
    size_t i;
    json_t *fam;
    json_array_foreach(m->families, i, fam) {
        char *anchor = zr_mx_family_anchor(m, (int)i);
        fprintf(f, "<h3 id=\"%s\">", anchor);
        text(f, json_string_value(fam));
        fprintf(f, "</h3>\n<table class=\"matrix family\" data-family=\"");
        text(f, json_string_value(fam));
        fprintf(f, "\">");
        write_column_heads(f, m);
        fprintf(f, "<tbody>\n");
        for (int r = 0; r < m->nrows; r++)
            if (!strcmp(m->rows[r].family, json_string_value(fam)))
                write_row(f, m, &m->rows[r]);
        fprintf(f, "</tbody></table>\n");
        free(anchor);
    }
}

static void write_reasons(FILE *f, const struct zr_matrix_model *m)
{
    json_t *reasons = zr_mx_reasons_not_run(m->doc);
    if (json_object_size(reasons)) {
        fprintf(f, "<h2 id=\"not-run\">Cells that did not run</h2>\n<ul>\n");
        const char *line;
        json_t *builds_of;
        json_object_foreach(reasons, line, builds_of) {
            fprintf(f, "<li>");
            text(f, line);
            fprintf(f, " (");
            const char *bn;
            json_t *yes;
            int n = 0;
            json_object_foreach(builds_of, bn, yes) {
                fprintf(f, "%s", n++ ? ", " : "");
                text(f, bn);
            }
            fprintf(f, ")</li>\n");
        }
        fprintf(f, "</ul>\n");
    }
    json_decref(reasons);
}

static void write_symptoms(FILE *f, const struct zr_matrix_model *m)
{
    fprintf(f, "<h2 id=\"symptoms\">Symptoms</h2>\n<p>One symptom across versions: where it was on every build, "
               "and how many attempts showed it there.</p>\n<table id=\"symptom-table\"><thead><tr><th>id</th>"
               "<th>symptom</th><th>where (build: location &times; attempts)</th></tr></thead><tbody>\n");
    for (int s = 0; s < m->nsymptoms; s++) {
        fprintf(f, "<tr data-symptom=\"%s\"><td>%s</td><td>", m->symptoms[s].id, m->symptoms[s].id);
        text(f, m->symptoms[s].key);
        fprintf(f, "</td><td><ul>");
        size_t i;
        json_t *w;
        json_array_foreach(m->symptoms[s].where, i, w) {
            fprintf(f, "<li class=\"where\" data-build=\"");
            text(f, str(w, "build"));
            fprintf(f, "\" data-location=\"");
            text(f, str(w, "location"));
            fprintf(f, "\" data-count=\"%lld\">", (long long)json_integer_value(json_object_get(w, "count")));
            text(f, str(w, "build"));
            fprintf(f, ": ");
            text(f, str(w, "location")[0] ? str(w, "location") : "(no location)");
            fprintf(f, " &times; %lld</li>", (long long)json_integer_value(json_object_get(w, "count")));
        }
        fprintf(f, "</ul></td></tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

/* For every fixed case whose twin is a row: what its clean runs rule out,
 * at the column where they say least (render/matrix_model.h). */
static void write_powers(FILE *f, const struct zr_matrix_model *m)
{
    if (!m->npowers)
        return;
    fprintf(f, "<h2 id=\"power\">What the clean runs rule out</h2>\n<p>A fixed case's clean runs against its broken "
               "twin's rate on the same build and mode, at the column where they say least.</p>\n"
               "<table id=\"power-table\"><thead><tr><th>fixed case</th><th>mode</th><th>twin</th><th>columns</th>"
               "<th>the weakest</th></tr></thead><tbody>\n");
    for (int i = 0; i < m->npowers; i++) {
        const struct zr_mx_power *p = &m->powers[i];
        fprintf(f, "<tr data-weak=\"%s\"><td>", p->weakest.weak ? "yes" : "no");
        text(f, p->fixed->case_id);
        fprintf(f, "</td><td>");
        text(f, p->mode);
        fprintf(f, "</td><td>");
        text(f, p->twin->case_id);
        fprintf(f, "</td><td>%d of %d say much</td><td>", p->strong, p->columns);
        text(f, m->cols[p->weakest_col].label);
        fprintf(f, ": ");
        char *sentence = zr_power_sentence(&p->weakest);
        text(f, sentence);
        free(sentence);
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

static void write_builds(FILE *f, const struct zr_matrix_model *m)
{
    fprintf(f, "<h2 id=\"builds\">Builds</h2>\n<table id=\"build-table\"><thead><tr><th>build</th><th>libzmq</th>"
               "<th>flavour</th><th>origin</th><th>host</th></tr></thead><tbody>\n");
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(m->doc, "builds"), i, b) {
        const char *fields[] = { str(b, "name"), str(b, "version"), str(b, "flavour"),
                                 json_object_get(b, "error") ? str(b, "error") : str(b, "origin"), str(b, "host") };
        fprintf(f, "<tr>");
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
            fprintf(f, "<td>");
            text(f, fields[k]);
            fprintf(f, "</td>");
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

int zr_matrix_write_html(FILE *f, const struct zr_matrix_model *m)
{
    write_head(f, m);
    write_tables(f, m);
    write_reasons(f, m);
    write_symptoms(f, m);
    write_powers(f, m);
    write_builds(f, m);
    fprintf(f, "</body></html>\n");
    return ferror(f) ? -1 : 0;
}
