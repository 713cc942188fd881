/* matrix.md: the page's comparison in GitHub-flavoured Markdown, in the
 * page's order, to paste into an upstream issue. Every text of the
 * document is escaped as a table cell (no raw HTML, no code span, no
 * extra column, no link or emphasis of its own): matrix.json may come from
 * another machine. It stays within one GitHub comment (65,536
 * characters): what does not fit of the full table is left to index.html,
 * and said; --rows differing keeps only the cases that differ. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_render.h"
#include "text.h"

/* GitHub's limit of an issue comment, less a margin for the reader's own words. */
#define MD_LIMIT 65000

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Whether c is part of a word for emphasis's rules (a letter or digit; any non-ASCII byte). */
static bool wordish(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A text as Markdown that is only text: a table cell's escaping, and no
 * link, image, emphasis or strike-through of its own, no bare address
 * turned into a link. An underscore inside a word (broken_send_recv) opens
 * no emphasis and stays as it is; one at a word's edge (__aexit__) is escaped. */
static void text(FILE *f, const char *s)
{
    char *e = zr_md_cell(s);
    for (const char *c = e; *c; c++) {
        bool edge_underscore = *c == '_' && (c == e || !wordish((unsigned char)c[-1]) || !wordish((unsigned char)c[1]));
        if (strchr("[]*~!", *c) || edge_underscore)
            fputc('\\', f);
        fputc(*c, f);
        /* "://" and "www." are autolinked: a zero-width break after their first character stops it. */
        if ((c[0] == ':' && c[1] == '/' && c[2] == '/') || ((c == e || c[-1] == ' ') && !strncmp(c, "www.", 4)))
            fputs("\xe2\x80\x8b", f);
    }
    free(e);
}

/* The mark of a result, the page's colour in a character. */
static const char *mark(const struct zr_mx_result *r)
{
    switch (r->kind) {
    case ZR_MX_PRESENT: return "\xf0\x9f\x9f\xa5 ";  /* red square */
    case ZR_MX_ABSENT: return "\xf0\x9f\x9f\xa9 ";   /* green square */
    case ZR_MX_ERROR: return "\xf0\x9f\x9f\xa7 ";    /* orange square */
    default: return "\xe2\xac\x9c ";                 /* white square */
    }
}

static void write_head(FILE *f, const struct zr_matrix_model *m, bool only_differing)
{
    json_t *doc = m->doc;
    fprintf(f, "# libzmq versions compared: ");
    text(f, str(doc, "name"));
    fprintf(f, "\n\nMade by ");
    char *command = zr_mx_command_text(doc);
    text(f, command[0] ? command : "zmq-repro matrix");
    free(command);
    fprintf(f, " on ");
    text(f, str(doc, "finished_at"));
    fprintf(f, "%s; %lld attempts per cell; wall time %.1f min; %d cases on %d columns; n/a in %lld of %lld "
               "results.\n\n",
            json_is_true(json_object_get(doc, "interrupted")) ? " (interrupted: what finished is shown)" : "",
            (long long)json_integer_value(json_object_get(doc, "attempts")),
            json_number_value(json_object_get(doc, "wall_s")) / 60, m->nrows, m->ncols, m->na_results,
            m->total_results);
    const char *key;
    json_t *h;
    json_object_foreach(json_object_get(doc, "hosts"), key, h) {
        fprintf(f, "- host ");
        text(f, key);
        fprintf(f, ": ");
        text(f, str(h, "os"));
        fprintf(f, ", kernel ");
        text(f, str(h, "kernel"));
        fprintf(f, ", %lld CPUs\n", (long long)json_integer_value(json_object_get(h, "cpus")));
    }
    fprintf(f, "\nEach cell: every mode of the case on the build of that version that runs it, with attempts "
               "meeting the expectation of all, the median time to detect (broken) or to run (fixed), the dominant "
               "outcome and its symptom (ids below). \xf0\x9f\x9f\xa5 failure present (reproduced), "
               "\xf0\x9f\x9f\xa9 failure absent (clean, fixed upstream), \xf0\x9f\x9f\xa7 harness ERROR (attempts "
               "lost), \xe2\x9a\xa0 expectation did not hold, \xe2\xac\x9c n/a. A case whose verdict changes says "
               "at which version first.\n\nColumns (a libzmq version each; the builds that ran it; what it cannot "
               "run):\n\n");
    for (int c = 0; c < m->ncols; c++) {
        fprintf(f, "- **");
        text(f, m->cols[c].label);
        fprintf(f, "**: ");
        char *builds = zr_mx_column_builds(&m->cols[c]);
        text(f, builds);
        free(builds);
        if (m->cols[c].head_note[0]) {
            fprintf(f, "; ");
            text(f, m->cols[c].head_note);
        }
        fputc('\n', f);
    }
    if (!only_differing) {
        fprintf(f, "\nFamilies:");
        size_t i;
        json_t *fam;
        json_array_foreach(m->families, i, fam) {
            const char *name = json_string_value(fam);
            fprintf(f, "%s ", i ? "," : "");
            /* A plain name is linked to its heading (GitHub names the anchor after it); another is text. */
            if (*name && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(name))
                fprintf(f, "[%s](#%s)", name, name);
            else
                text(f, name);
        }
        fputc('\n', f);
    }
}

static void write_table_head(FILE *f, const struct zr_matrix_model *m)
{
    fprintf(f, "\n| case | across versions |");
    for (int c = 0; c < m->ncols; c++) {
        fputc(' ', f);
        text(f, m->cols[c].label);
        fprintf(f, " |");
    }
    fprintf(f, "\n|---|---|");
    for (int c = 0; c < m->ncols; c++)
        fprintf(f, "---|");
    fputc('\n', f);
}

static void write_case_head(FILE *f, const struct zr_mx_row *r)
{
    fprintf(f, "| ");
    size_t i;
    json_t *ref;
    json_array_foreach(r->upstream, i, ref) {
        const char *t = json_string_value(ref);
        char *url = zr_mx_upstream_url(t);
        if (url) /* built from the reference alone: digits after a known tracker's name */
            fprintf(f, "[%s](%s) ", t, url);
        else {
            text(f, t);
            fputc(' ', f);
        }
        free(url);
    }
    fprintf(f, "**");
    text(f, r->case_id);
    fprintf(f, "**");
    if (r->summary[0]) {
        fprintf(f, ": ");
        text(f, r->summary);
    }
    if (r->file[0]) {
        fprintf(f, " (");
        text(f, r->file);
        fprintf(f, ")");
    }
    fprintf(f, " | ");
    text(f, r->change);
    const char *commit = str(r->bisect, "commit");
    char *url = commit[0] ? zr_mx_commit_url(commit) : NULL;
    if (r->changes_at >= 0 && url) {
        fprintf(f, "; bisect: [%s](%s)", commit, url);
        const char *date = str(r->bisect, "date"), *subject = str(r->bisect, "subject");
        if (date[0]) {
            fputc(' ', f);
            text(f, date);
        }
        if (subject[0]) {
            fprintf(f, " \"");
            text(f, subject);
            fputc('"', f);
        }
    }
    free(url);
    fprintf(f, " |");
}

static void write_row(FILE *f, const struct zr_matrix_model *m, const struct zr_mx_row *r)
{
    write_case_head(f, r);
    for (int c = 0; c < m->ncols; c++) {
        fputc(' ', f);
        int shown = 0;
        for (int k = 0; k < r->nmodes; k++) {
            const struct zr_mx_result *res = zr_mx_result_at(m, r, c, k);
            if (res->kind == ZR_MX_NONE)
                continue;
            fprintf(f, "%s%s%s", shown++ ? " · " : "", mark(res), res->not_held ? "\xe2\x9a\xa0 " : "");
            char *words = zr_mx_result_text(res);
            text(f, words);
            free(words);
        }
        fprintf(f, " |");
    }
    fputc('\n', f);
}

/* Text written to a buffer, to be measured before it goes into the file. */
struct part {
    char *buf;
    size_t len;
    FILE *f;
};

static FILE *part_open(struct part *p)
{
    p->buf = NULL;
    p->len = 0;
    p->f = open_memstream(&p->buf, &p->len);
    return p->f;
}

static size_t part_close(struct part *p)
{
    fclose(p->f);
    return p->len;
}

static void write_reasons(FILE *f, const struct zr_matrix_model *m)
{
    json_t *reasons = zr_mx_reasons_not_run(m->doc);
    if (json_object_size(reasons)) {
        fprintf(f, "\n## Cells that did not run\n\n");
        const char *line;
        json_t *builds_of;
        json_object_foreach(reasons, line, builds_of) {
            fprintf(f, "- ");
            text(f, line);
            fprintf(f, " (");
            const char *bn;
            json_t *yes;
            int n = 0;
            json_object_foreach(builds_of, bn, yes) {
                fprintf(f, "%s", n++ ? ", " : "");
                text(f, bn);
            }
            fprintf(f, ")\n");
        }
    }
    json_decref(reasons);
}

/* For every fixed case whose twin is a row: what its clean runs rule out,
 * at the weakest column (where the twin fails least often). */
static void write_powers(FILE *f, const struct zr_matrix_model *m)
{
    if (!m->npowers)
        return;
    fprintf(f, "\n## What the clean runs rule out\n\nA fixed case's clean runs against its broken twin's rate "
               "on the same build and mode, at the column where they say least.\n\n"
               "| fixed case | mode | twin | columns | the weakest |\n|---|---|---|---|---|\n");
    for (int i = 0; i < m->npowers; i++) {
        const struct zr_mx_power *p = &m->powers[i];
        fprintf(f, "| ");
        text(f, p->fixed->case_id);
        fprintf(f, " | ");
        text(f, p->mode);
        fprintf(f, " | ");
        text(f, p->twin->case_id);
        fprintf(f, " | %d of %d say much | ", p->strong, p->columns);
        text(f, m->cols[p->weakest_col].label);
        fprintf(f, ": ");
        char *sentence = zr_power_sentence(&p->weakest);
        text(f, sentence);
        free(sentence);
        fprintf(f, " |\n");
    }
}

/* Whether symptom s is named by a result of the rows shown. */
static bool symptom_shown(const struct zr_matrix_model *m, int s, bool only_differing)
{
    if (!only_differing)
        return true;
    for (int i = 0; i < m->nrows; i++)
        for (int k = 0; m->rows[i].changes_at >= 0 && k < m->ncols * m->rows[i].nmodes; k++)
            if (!strcmp(m->rows[i].results[k].symptom_id, m->symptoms[s].id))
                return true;
    return false;
}

static void write_symptom(FILE *f, const struct zr_mx_symptom *s)
{
    fprintf(f, "| %s | ", s->id);
    text(f, s->key);
    fprintf(f, " | ");
    size_t i;
    json_t *w;
    json_array_foreach(s->where, i, w) {
        fprintf(f, "%s", i ? "; " : "");
        text(f, str(w, "build"));
        fprintf(f, ": ");
        text(f, str(w, "location")[0] ? str(w, "location") : "(no location)");
        fprintf(f, " \xc3\x97 %lld", (long long)json_integer_value(json_object_get(w, "count")));
    }
    fprintf(f, " |\n");
}

static void write_builds(FILE *f, const struct zr_matrix_model *m)
{
    fprintf(f, "\n## Builds\n\n| build | libzmq | flavour | origin | host |\n|---|---|---|---|---|\n");
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(m->doc, "builds"), i, b) {
        const char *fields[] = { str(b, "name"), str(b, "version"), str(b, "flavour"),
                                 json_object_get(b, "error") ? str(b, "error") : str(b, "origin"), str(b, "host") };
        fprintf(f, "|");
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
            fputc(' ', f);
            text(f, fields[k]);
            fprintf(f, " |");
        }
        fputc('\n', f);
    }
}

/* The parts in the page's order; when they do not fit one comment, the full
 * table's rows (then the symptoms') that do not fit are left out, and said. */
int zr_matrix_write_md(FILE *out, const struct zr_matrix_model *m, const struct zr_matrix_render_options *ro)
{
    bool only = ro->only_differing;
    struct part head, differs, tail;
    write_head(part_open(&head), m, only);
    part_close(&head);
    FILE *f = part_open(&differs);
    fprintf(f, "\n## Differs between versions: %d of %d cases\n", m->ndiffering, m->nrows);
    if (m->ndiffering)
        write_table_head(f, m);
    else
        fprintf(f, "\nNo case's verdict differs between the versions compared.\n");
    part_close(&differs);
    /* The differing rows, each a part: they fit before the rest does. */
    struct part *diff_rows = calloc((size_t)m->nrows + 1, sizeof *diff_rows);
    size_t diff_total = 0;
    for (int i = 0; i < m->nrows; i++)
        if (m->rows[i].changes_at >= 0) {
            write_row(part_open(&diff_rows[i]), m, &m->rows[i]);
            diff_total += part_close(&diff_rows[i]);
        }
    f = part_open(&tail);
    write_powers(f, m);
    write_reasons(f, m);
    write_builds(f, m);
    part_close(&tail);

    /* The full table, one part per family and per row, and the symptoms' rows. */
    size_t nfam = only ? 0 : json_array_size(m->families);
    struct part *fam_head = calloc(nfam + 1, sizeof *fam_head), *rows = calloc((size_t)m->nrows + 1, sizeof *rows);
    struct part *symptoms = calloc((size_t)m->nsymptoms + 1, sizeof *symptoms);
    size_t total = head.len + differs.len + diff_total + tail.len;
    for (size_t i = 0; i < nfam; i++) {
        f = part_open(&fam_head[i]);
        if (i == 0)
            fprintf(f, "\n## All cases\n");
        fprintf(f, "\n### ");
        text(f, json_string_value(json_array_get(m->families, i)));
        fputc('\n', f);
        write_table_head(f, m);
        total += part_close(&fam_head[i]);
    }
    for (int r = 0; r < m->nrows && !only; r++) {
        write_row(part_open(&rows[r]), m, &m->rows[r]);
        total += part_close(&rows[r]);
    }
    for (int s = 0; s < m->nsymptoms; s++)
        if (symptom_shown(m, s, only)) {
            write_symptom(part_open(&symptoms[s]), &m->symptoms[s]);
            total += part_close(&symptoms[s]);
        }
    static const char symptoms_head[] = "\n## Symptoms\n\nOne symptom across versions: where it was on every build "
                                        "(build: location \xc3\x97 attempts).\n\n| id | symptom | where |\n|---|---|---|\n";
    total += sizeof symptoms_head;

    /* What is left out when it does not fit: the said room for the note of it. */
    size_t budget = total > MD_LIMIT ? MD_LIMIT - 400 : total;
    size_t used = head.len + differs.len + tail.len + sizeof symptoms_head;
    int rows_out = 0, symptoms_out = 0, differing_out = 0;
    fwrite(head.buf, 1, head.len, out);
    fwrite(differs.buf, 1, differs.len, out);
    for (int i = 0; i < m->nrows; i++) {
        if (!diff_rows[i].buf)
            continue;
        if (used + diff_rows[i].len > budget) {
            differing_out++;
            continue;
        }
        fwrite(diff_rows[i].buf, 1, diff_rows[i].len, out);
        used += diff_rows[i].len;
    }
    if (differing_out)
        fprintf(out, "\n*%d more cases that differ are in index.html and matrix.json: they do not fit one GitHub "
                     "comment.*\n", differing_out);
    for (size_t i = 0; i < nfam; i++) {
        bool any = false;
        const char *family = json_string_value(json_array_get(m->families, i));
        for (int r = 0; r < m->nrows; r++) {
            if (strcmp(m->rows[r].family, family))
                continue;
            size_t need = rows[r].len + (any ? 0 : fam_head[i].len);
            if (used + need > budget) {
                rows_out++;
                continue;
            }
            if (!any)
                fwrite(fam_head[i].buf, 1, fam_head[i].len, out);
            any = true;
            fwrite(rows[r].buf, 1, rows[r].len, out);
            used += need;
        }
    }
    if (rows_out)
        fprintf(out, "\n*%d more cases are in index.html and matrix.json: the whole table is longer than one GitHub "
                     "comment (--rows differing gives only the cases that differ).*\n", rows_out);
    fputs(symptoms_head, out);
    for (int s = 0; s < m->nsymptoms; s++) {
        if (!symptoms[s].buf)
            continue;
        if (used + symptoms[s].len > budget) {
            symptoms_out++;
            continue;
        }
        fwrite(symptoms[s].buf, 1, symptoms[s].len, out);
        used += symptoms[s].len;
    }
    if (symptoms_out)
        fprintf(out, "\n*%d more symptoms are in index.html.*\n", symptoms_out);
    fwrite(tail.buf, 1, tail.len, out);
    for (size_t i = 0; i < nfam; i++)
        free(fam_head[i].buf);
    for (int r = 0; r < m->nrows; r++) {
        free(rows[r].buf);
        free(diff_rows[r].buf);
    }
    free(diff_rows);
    for (int s = 0; s < m->nsymptoms; s++)
        free(symptoms[s].buf);
    free(fam_head);
    free(rows);
    free(symptoms);
    free(head.buf);
    free(differs.buf);
    free(tail.buf);
    return ferror(out) ? -1 : 0;
}
