/* matrix.json into the comparison a person reads (matrix_model.h). */
#include "matrix_model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_spec.h"
#include "files.h"
#include "modes.h"
#include "outcomes.h"
#include "text.h"

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static bool same_text(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* --- Which build serves which mode. --- */

/* A build runs mode (a name of the modes' table) when it could be opened and
 * is instrumented exactly when the mode needs it. A mode the table does not
 * know (a document from elsewhere) is left to the cells to say. */
static bool build_serves(json_t *b, const char *mode)
{
    if (json_object_get(b, "error"))
        return false;
    const struct zr_mode *m = zr_mode_find(mode);
    if (!m)
        return true;
    bool instrumented = json_is_true(json_object_get(b, "instrumented"));
    return (m->needs == ZR_NEEDS_INSTRUMENTED) == instrumented;
}

static bool column_serves(const struct zr_mx_column *c, const char *mode)
{
    size_t i;
    json_t *b;
    json_array_foreach(c->builds, i, b) if (build_serves(b, mode)) return true;
    return false;
}

/* Whether b can join column c: same version and Python, and no mode of the
 * table that both would serve (each mode keeps one build per column). */
static bool fits_column(const struct zr_mx_column *c, json_t *b)
{
    if (json_object_get(b, "error") || !str(b, "version")[0] || !same_text(c->version, str(b, "version")) ||
        !same_text(c->python, json_string_value(json_object_get(b, "python"))))
        return false;
    size_t i;
    json_t *other;
    json_array_foreach(c->builds, i, other) if (json_object_get(other, "error")) return false;
    for (int k = 0; k < zr_nmodes; k++)
        if (column_serves(c, zr_modes[k].name) && build_serves(b, zr_modes[k].name))
            return false;
    return true;
}

static bool column_has_stem(const struct zr_mx_column *c, const char *stem)
{
    size_t i;
    json_t *b;
    json_array_foreach(c->builds, i, b) if (!strcmp(str(b, "stem"), stem)) return true;
    return false;
}

/* The column b goes into: one of its version that it fits (its own
 * source's first), or a new one. */
static struct zr_mx_column *column_for(struct zr_matrix_model *m, json_t *b)
{
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < m->ncols; k++)
            if (fits_column(&m->cols[k], b) && (pass == 1 || column_has_stem(&m->cols[k], str(b, "stem"))))
                return &m->cols[k];
    struct zr_mx_column *c = &m->cols[m->ncols++];
    memset(c, 0, sizeof *c);
    c->version = str(b, "version");
    c->python = json_string_value(json_object_get(b, "python"));
    c->stem = str(b, "stem");
    c->builds = json_array();
    c->explained = json_object();
    return c;
}

/* Version order (a build that has none, or could not be opened, last), then the order given. */
static int column_order(const void *pa, const void *pb)
{
    const struct zr_mx_column *a = pa, *b = pb;
    bool va = a->version && a->version[0], vb = b->version && b->version[0];
    if (va != vb)
        return va ? -1 : 1;
    int v = va ? zr_version_compare(a->version, b->version) : 0;
    if (v)
        return v;
    /* The same version: the order of creation, kept in anchor's number. */
    return strcmp(a->anchor, b->anchor);
}

static char *build_names(const struct zr_mx_column *c)
{
    char *s = zr_strdup_printf("%s", "");
    size_t i;
    json_t *b;
    json_array_foreach(c->builds, i, b) {
        char *t = zr_strdup_printf("%s%s%s", s, i ? ", " : "", str(b, "name"));
        free(s);
        s = t;
    }
    return s;
}

/* Each column's label: its version (and Python); a second column of the same
 * version and Python says its builds; a build without a version is named. */
static void label_columns(struct zr_matrix_model *m)
{
    for (int k = 0; k < m->ncols; k++) {
        struct zr_mx_column *c = &m->cols[k];
        bool first = true;
        for (int j = 0; j < k; j++)
            if (c->version[0] && same_text(m->cols[j].version, c->version) && same_text(m->cols[j].python, c->python))
                first = false;
        char *names = build_names(c);
        const char *py = c->python ? c->python : "";
        if (!c->version[0])
            c->label = zr_strdup_printf("%s", names);
        else if (first)
            c->label = zr_strdup_printf("%s%s%s", c->version, py[0] ? " " : "", py);
        else
            c->label = zr_strdup_printf("%s%s%s (%s)", c->version, py[0] ? " " : "", py, names);
        free(names);
    }
}

static void make_columns(struct zr_matrix_model *m)
{
    json_t *builds = json_object_get(m->doc, "builds");
    m->cols = calloc(json_array_size(builds) + 1, sizeof *m->cols);
    size_t i;
    json_t *b;
    json_array_foreach(builds, i, b) {
        struct zr_mx_column *c = column_for(m, b);
        if (!c->anchor)
            c->anchor = zr_strdup_printf("col-%03d", m->ncols);
        json_array_append(c->builds, b);
    }
    qsort(m->cols, (size_t)m->ncols, sizeof *m->cols, column_order);
    for (int k = 0; k < m->ncols; k++) { /* anchors in page order */
        free(m->cols[k].anchor);
        m->cols[k].anchor = zr_strdup_printf("col-%d", k + 1);
    }
    label_columns(m);
}

/* --- Rows: one per case. --- */

static struct zr_mx_row *row_of_case(struct zr_matrix_model *m, const char *id)
{
    for (int i = 0; i < m->nrows; i++)
        if (!strcmp(m->rows[i].case_id, id))
            return &m->rows[i];
    return NULL;
}

static void add_family(struct zr_matrix_model *m, const char *family)
{
    size_t i;
    json_t *f;
    json_array_foreach(m->families, i, f) if (!strcmp(json_string_value(f), family)) return;
    json_array_append_new(m->families, json_string(family));
}

/* The family a row names, else the part of the case id before its slash. */
static const char *family_of(json_t *row, char **owned)
{
    const char *f = str(row, "family");
    if (f[0])
        return f;
    const char *id = str(row, "case"), *slash = strchr(id, '/');
    *owned = slash ? zr_strdup_printf("%.*s", (int)(slash - id), id) : zr_strdup_printf("%s", "other");
    return *owned;
}

static void make_rows(struct zr_matrix_model *m)
{
    json_t *rows = json_object_get(m->doc, "rows");
    m->rows = calloc(json_array_size(rows) + 1, sizeof *m->rows);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *id = str(row, "case"), *mode = str(row, "mode");
        struct zr_mx_row *r = row_of_case(m, id);
        if (!r) {
            r = &m->rows[m->nrows++];
            memset(r, 0, sizeof *r);
            r->case_id = id;
            char *owned = NULL;
            r->family = family_of(row, &owned);
            if (owned) {
                json_array_append_new(m->owned, zr_json_text(owned));
                free(owned);
                r->family = json_string_value(json_array_get(m->owned, json_array_size(m->owned) - 1));
            }
            r->file = str(row, "file");
            r->summary = str(row, "summary");
            r->variant = str(row, "variant");
            r->twin = json_string_value(json_object_get(row, "twin"));
            r->upstream = json_array();
            char *refs = zr_strdup_printf("%s", str(row, "upstream"));
            for (char *save = NULL, *w = strtok_r(refs, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                json_array_append_new(r->upstream, zr_json_text(w));
            free(refs);
            r->modes = calloc(json_array_size(rows) + 1, sizeof *r->modes);
            r->changes_at = -1;
            add_family(m, r->family);
        }
        if (json_is_object(json_object_get(row, "bisect")))
            r->bisect = json_object_get(row, "bisect");
        bool have = false;
        for (int k = 0; k < r->nmodes; k++)
            have |= !strcmp(r->modes[k], mode);
        if (!have)
            r->modes[r->nmodes++] = mode;
    }
}

/* --- The cells. --- */

static char *cell_key(const char *id, const char *mode, const char *build)
{
    return zr_strdup_printf("%s\x1f%s\x1f%s", id, mode, build);
}

static json_t *index_cells(json_t *doc)
{
    json_t *index = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "cells"), i, c) {
        char *k = cell_key(str(c, "case"), str(c, "mode"), str(c, "build"));
        json_object_set_nocheck(index, k, c);
        free(k);
    }
    return index;
}

/* The kind of a cell that has a view. */
static void classify(struct zr_mx_result *res)
{
    const struct zr_cell_view *v = &res->view;
    if (!strcmp(v->css, "na"))
        res->kind = ZR_MX_NA;
    else if (!strcmp(v->css, "error"))
        res->kind = ZR_MX_ERROR;
    else if (!strcmp(v->verdict, "reproduced") || !strcmp(v->verdict, "NOT FIXED"))
        res->kind = ZR_MX_PRESENT;
    else
        res->kind = ZR_MX_ABSENT;
    res->not_held = !strcmp(v->css, "not-held");
}

/* The result of row r's mode in column c: the cell of the column's first
 * build that serves the mode and ran it, else its n/a cell, else nothing
 * (no build of the column serves the mode: its head says so). */
static void pick_result(json_t *index, const struct zr_mx_row *r, const char *mode, struct zr_mx_column *c,
                        struct zr_mx_result *res)
{
    memset(res, 0, sizeof *res);
    res->mode = mode;
    res->symptom_id = "";
    res->kind = ZR_MX_NONE;
    json_t *fallback = NULL;
    const char *fallback_build = NULL;
    bool served = false;
    size_t i;
    json_t *b;
    json_array_foreach(c->builds, i, b) {
        if (!build_serves(b, mode))
            continue;
        served = true;
        char *k = cell_key(r->case_id, mode, str(b, "name"));
        json_t *cell = json_object_get(index, k);
        free(k);
        if (cell && strcmp(str(cell, "status"), "n/a")) {
            res->cell = cell;
            res->build = str(b, "name");
            break;
        }
        if (cell && !fallback) {
            fallback = cell;
            fallback_build = str(b, "name");
        }
    }
    if (!res->cell && fallback) {
        res->cell = fallback;
        res->build = fallback_build;
    }
    if (res->cell) {
        zr_cell_view(res->cell, &res->view);
        classify(res);
    } else if (served) {
        /* A mode the column serves, but the document has no cell for it (a
         * merge of machines that ran other cases): said once, in the head. */
        c->missing++;
    }
}

/* n/a reasons of a column shared by several cases are said once, in its
 * head; the cells they explain show nothing. */
static void explain_reasons(struct zr_matrix_model *m, int col)
{
    json_t *cases_of = json_object(); /* reason -> { case: true } */
    for (int i = 0; i < m->nrows; i++)
        for (int k = 0; k < m->rows[i].nmodes; k++) {
            const struct zr_mx_result *res = zr_mx_result_at(m, &m->rows[i], col, k);
            const char *reason = res->cell ? str(res->cell, "reason") : "";
            if (res->kind != ZR_MX_NA || !reason[0] || strcmp(str(res->cell, "status"), "n/a"))
                continue;
            json_t *set = json_object_get(cases_of, reason);
            if (!set) {
                set = json_object();
                json_object_set_new_nocheck(cases_of, reason, set);
            }
            json_object_set_new_nocheck(set, m->rows[i].case_id, json_true());
        }
    const char *reason;
    json_t *set;
    json_object_foreach(cases_of, reason, set) if (json_object_size(set) > 1)
        json_object_set_new_nocheck(m->cols[col].explained, reason, json_true());
    json_decref(cases_of);
    for (int i = 0; i < m->nrows; i++)
        for (int k = 0; k < m->rows[i].nmodes; k++) {
            struct zr_mx_result *res = &m->rows[i].results[col * m->rows[i].nmodes + k];
            if (res->kind == ZR_MX_NA && res->cell && json_object_get(m->cols[col].explained, str(res->cell, "reason")))
                res->kind = ZR_MX_NONE;
        }
}

/* What a column's head says it cannot run: the modes no build of it serves
 * (or why its build could not be opened), and the reasons it explains. */
static void head_note(struct zr_matrix_model *m, int col)
{
    struct zr_mx_column *c = &m->cols[col];
    char *note = zr_strdup_printf("%s", "");
    json_t *b0 = json_array_get(c->builds, 0);
    if (json_array_size(c->builds) == 1 && json_object_get(b0, "error")) {
        free(note);
        note = zr_strdup_printf("could not be opened: %s", str(b0, "error"));
    } else {
        json_t *missing = json_object(); /* what is needed -> [mode] */
        for (int i = 0; i < m->nrows; i++)
            for (int k = 0; k < m->rows[i].nmodes; k++) {
                const char *mode = m->rows[i].modes[k];
                const struct zr_mode *md = zr_mode_find(mode);
                if (!md || column_serves(c, mode))
                    continue;
                const char *need = md->needs == ZR_NEEDS_INSTRUMENTED ? "no instrumented build of this version"
                                                                       : "no plain build of this version";
                json_t *list = json_object_get(missing, need);
                if (!list) {
                    list = json_array();
                    json_object_set_new(missing, need, list);
                }
                bool have = false;
                size_t j;
                json_t *x;
                json_array_foreach(list, j, x) have |= !strcmp(json_string_value(x), mode);
                if (!have)
                    json_array_append_new(list, json_string(mode));
            }
        const char *need;
        json_t *list;
        json_object_foreach(missing, need, list) {
            char *modes = zr_strdup_printf("%s", "");
            size_t j;
            json_t *x;
            json_array_foreach(list, j, x) {
                char *t = zr_strdup_printf("%s%s%s", modes, j ? ", " : "", json_string_value(x));
                free(modes);
                modes = t;
            }
            char *t = zr_strdup_printf("%s%s%s not run: %s", note, note[0] ? "; " : "", modes, need);
            free(note);
            free(modes);
            note = t;
        }
        json_decref(missing);
    }
    if (c->missing) {
        char *t = zr_strdup_printf("%s%s%d results not in this matrix (not run on these builds)", note,
                                   note[0] ? "; " : "", c->missing);
        free(note);
        note = t;
    }
    const char *reason;
    json_t *yes;
    json_object_foreach(c->explained, reason, yes) {
        char *t = zr_strdup_printf("%s%sn/a: %s", note, note[0] ? "; " : "", reason);
        free(note);
        note = t;
    }
    c->head_note = note;
}

/* --- Verdicts across versions. --- */

/* The first column whose verdict (failure present or absent) for one of the
 * row's modes differs from that mode's first verdict; the change said in words. */
static void find_change(struct zr_matrix_model *m, struct zr_mx_row *r)
{
    int at = -1;
    for (int k = 0; k < r->nmodes; k++) {
        enum zr_mx_kind first = ZR_MX_NONE;
        for (int c = 0; c < m->ncols; c++) {
            enum zr_mx_kind kind = zr_mx_result_at(m, r, c, k)->kind;
            if (kind != ZR_MX_PRESENT && kind != ZR_MX_ABSENT)
                continue;
            if (first == ZR_MX_NONE)
                first = kind;
            else if (kind != first) {
                if (at < 0 || c < at)
                    at = c;
                break;
            }
        }
    }
    r->changes_at = at;
    if (at < 0) {
        r->change = zr_strdup_printf("%s", "");
        return;
    }
    /* Which modes change there, and to what. */
    char *modes = zr_strdup_printf("%s", "");
    const char *to = "";
    for (int k = 0; k < r->nmodes; k++) {
        enum zr_mx_kind before = ZR_MX_NONE, now = zr_mx_result_at(m, r, at, k)->kind;
        for (int c = 0; c < at; c++) {
            enum zr_mx_kind kind = zr_mx_result_at(m, r, c, k)->kind;
            if (kind == ZR_MX_PRESENT || kind == ZR_MX_ABSENT)
                before = kind;
        }
        if (before == ZR_MX_NONE || (now != ZR_MX_PRESENT && now != ZR_MX_ABSENT) || now == before)
            continue;
        to = now == ZR_MX_ABSENT ? "failure absent" : "failure present";
        char *t = zr_strdup_printf("%s%s%s", modes, modes[0] ? ", " : "", r->modes[k]);
        free(modes);
        modes = t;
    }
    r->change = zr_strdup_printf("changes at %s: %s (%s)", m->cols[at].label, to, modes);
    free(modes);
}

/* --- Symptoms: one id per "OUTCOME symptom" that is a failure, every location. --- */

static bool is_failure_key(const char *key)
{
    const struct zr_outcome *o = zr_outcome_of_key(key);
    return o && o->kind == ZR_OUTCOME_FAILURE;
}

static struct zr_mx_symptom *symptom_of(struct zr_matrix_model *m, const char *key, size_t max)
{
    for (int i = 0; i < m->nsymptoms; i++)
        if (!strcmp(m->symptoms[i].key, key))
            return &m->symptoms[i];
    if ((size_t)m->nsymptoms >= max)
        return NULL;
    struct zr_mx_symptom *s = &m->symptoms[m->nsymptoms++];
    s->key = key;
    snprintf(s->id, sizeof s->id, "S%d", m->nsymptoms);
    s->where = json_array();
    return s;
}

/* count more of the symptom at build's location. */
static void add_location(struct zr_mx_symptom *s, const char *build, const char *location, long long count)
{
    size_t i;
    json_t *w;
    json_array_foreach(s->where, i, w) if (!strcmp(str(w, "build"), build) && !strcmp(str(w, "location"), location))
    {
        json_object_set_new(w, "count", json_integer(json_integer_value(json_object_get(w, "count")) + count));
        return;
    }
    json_array_append_new(s->where, json_pack("{s:o, s:o, s:I}", "build", zr_json_text(build), "location",
                                              zr_json_text(location), "count", (json_int_t)count));
}

/* Every failure symptom of cell, where it was and how often: from
 * symptom_locations (symptom -> {location: count}) when the cell has it,
 * else from the first location of each symptom. */
static void add_cell_symptoms(struct zr_matrix_model *m, json_t *cell, size_t max)
{
    const char *key;
    json_t *count;
    json_t *per = json_object_get(cell, "symptom_locations");
    json_object_foreach(json_object_get(cell, "symptoms"), key, count) {
        if (!is_failure_key(key))
            continue;
        struct zr_mx_symptom *s = symptom_of(m, key, max);
        if (!s)
            return;
        json_t *locs = json_object_get(per, key);
        if (json_is_object(locs) && json_object_size(locs)) {
            const char *loc;
            json_t *n;
            json_object_foreach(locs, loc, n) add_location(s, str(cell, "build"), loc, json_integer_value(n));
        } else {
            add_location(s, str(cell, "build"), str(json_object_get(cell, "locations"), key), json_integer_value(count));
        }
    }
}

/* Ids in reading order (row by row), locations on every build in column order. */
static void make_symptoms(struct zr_matrix_model *m)
{
    size_t max = 0;
    size_t i;
    json_t *cell;
    json_array_foreach(json_object_get(m->doc, "cells"), i, cell) max += json_object_size(json_object_get(cell, "symptoms"));
    m->symptoms = calloc(max + 1, sizeof *m->symptoms);
    /* First the ids, in the order the table shows the results. */
    for (int r = 0; r < m->nrows; r++)
        for (int c = 0; c < m->ncols; c++)
            for (int k = 0; k < m->rows[r].nmodes; k++) {
                const struct zr_mx_result *res = zr_mx_result_at(m, &m->rows[r], c, k);
                if (!res->cell)
                    continue;
                const char *key;
                json_t *n;
                json_object_foreach(json_object_get(res->cell, "symptoms"), key, n) if (is_failure_key(key))
                    symptom_of(m, key, max);
            }
    /* Then every cell of every build, in column order. */
    for (int c = 0; c < m->ncols; c++) {
        size_t j;
        json_t *b;
        json_array_foreach(m->cols[c].builds, j, b) {
            json_array_foreach(json_object_get(m->doc, "cells"), i, cell) {
                if (!strcmp(str(cell, "build"), str(b, "name")) && !strcmp(str(cell, "status"), "ran"))
                    add_cell_symptoms(m, cell, max);
            }
        }
    }
    /* Each result names the id of its dominant symptom. */
    for (int r = 0; r < m->nrows; r++)
        for (int k = 0; k < m->ncols * m->rows[r].nmodes; k++) {
            struct zr_mx_result *res = &m->rows[r].results[k];
            for (int s = 0; res->view.symptom && res->view.symptom[0] && s < m->nsymptoms; s++)
                if (!strcmp(m->symptoms[s].key, res->view.symptom))
                    res->symptom_id = m->symptoms[s].id;
        }
}

/* --- The model. --- */

/* --- What the clean runs rule out. --- */

static int mode_of_row(const struct zr_mx_row *r, const char *mode)
{
    for (int k = 0; k < r->nmodes; k++)
        if (!strcmp(r->modes[k], mode))
            return k;
    return -1;
}

/* One column's figure: the fixed case clean there and its twin judged on
 * the same build. */
static bool column_power(const struct zr_mx_result *fr, const struct zr_mx_result *tr, struct zr_power *p)
{
    if (!fr->cell || !tr->cell || !fr->build || !tr->build || strcmp(fr->build, tr->build) ||
        fr->kind != ZR_MX_ABSENT || (tr->kind != ZR_MX_PRESENT && tr->kind != ZR_MX_ABSENT))
        return false;
    return zr_power_of(fr->cell, tr->cell, p);
}

static bool weaker(const struct zr_power *a, const struct zr_power *b)
{
    return a->weak != b->weak ? a->weak : a->log10_miss > b->log10_miss;
}

static void make_powers(struct zr_matrix_model *m)
{
    size_t most = 0; /* one per row and mode at most (a document's modes are any names) */
    for (int i = 0; i < m->nrows; i++)
        most += (size_t)m->rows[i].nmodes;
    m->powers = calloc(most + 1, sizeof *m->powers);
    for (int i = 0; i < m->nrows; i++) {
        const struct zr_mx_row *f = &m->rows[i];
        const struct zr_mx_row *t = f->twin ? row_of_case(m, f->twin) : NULL;
        if (!t || strcmp(f->variant, "fixed"))
            continue;
        for (int k = 0; k < f->nmodes; k++) {
            int tk = mode_of_row(t, f->modes[k]);
            if (tk < 0)
                continue;
            struct zr_mx_power pw = { .fixed = f, .twin = t, .mode = f->modes[k], .weakest_col = -1 };
            for (int c = 0; c < m->ncols; c++) {
                struct zr_power one;
                if (!column_power(zr_mx_result_at(m, f, c, k), zr_mx_result_at(m, t, c, tk), &one))
                    continue;
                pw.columns++;
                pw.strong += !one.weak;
                if (pw.weakest_col < 0 || weaker(&one, &pw.weakest)) {
                    pw.weakest = one;
                    pw.weakest_col = c;
                }
            }
            if (pw.columns)
                m->powers[m->npowers++] = pw;
        }
    }
}

void zr_matrix_model_build(json_t *doc, struct zr_matrix_model *m)
{
    memset(m, 0, sizeof *m);
    m->doc = doc;
    m->families = json_array();
    m->owned = json_array();
    make_columns(m);
    make_rows(m);
    json_t *index = index_cells(doc);
    for (int i = 0; i < m->nrows; i++) {
        struct zr_mx_row *r = &m->rows[i];
        r->results = calloc((size_t)(m->ncols * r->nmodes) + 1, sizeof *r->results);
        for (int c = 0; c < m->ncols; c++)
            for (int k = 0; k < r->nmodes; k++)
                pick_result(index, r, r->modes[k], &m->cols[c], &r->results[c * r->nmodes + k]);
    }
    json_decref(index);
    for (int c = 0; c < m->ncols; c++) {
        explain_reasons(m, c);
        head_note(m, c);
    }
    for (int i = 0; i < m->nrows; i++) {
        find_change(m, &m->rows[i]);
        m->ndiffering += m->rows[i].changes_at >= 0;
        for (int k = 0; k < m->ncols * m->rows[i].nmodes; k++) {
            m->total_results += m->rows[i].results[k].kind != ZR_MX_NONE;
            m->na_results += m->rows[i].results[k].kind == ZR_MX_NA;
        }
    }
    make_symptoms(m);
    make_powers(m);
}

void zr_matrix_model_free(struct zr_matrix_model *m)
{
    for (int c = 0; c < m->ncols; c++) {
        free(m->cols[c].label);
        free(m->cols[c].anchor);
        free(m->cols[c].head_note);
        json_decref(m->cols[c].builds);
        json_decref(m->cols[c].explained);
    }
    for (int i = 0; i < m->nrows; i++) {
        free(m->rows[i].modes);
        free(m->rows[i].results);
        free(m->rows[i].change);
        json_decref(m->rows[i].upstream);
    }
    for (int s = 0; s < m->nsymptoms; s++)
        json_decref(m->symptoms[s].where);
    free(m->cols);
    free(m->rows);
    free(m->symptoms);
    free(m->powers);
    json_decref(m->families);
    json_decref(m->owned);
    memset(m, 0, sizeof *m);
}

const struct zr_mx_result *zr_mx_result_at(const struct zr_matrix_model *m, const struct zr_mx_row *r, int col,
                                           int mode)
{
    (void)m;
    return &r->results[col * r->nmodes + mode];
}

const char *zr_mx_kind_name(enum zr_mx_kind kind)
{
    switch (kind) {
    case ZR_MX_NA: return "na";
    case ZR_MX_PRESENT: return "present";
    case ZR_MX_ABSENT: return "absent";
    case ZR_MX_ERROR: return "error";
    default: return "none";
    }
}

/* --- Links, made from the reference alone. --- */

static bool all_digits(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (!n || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

char *zr_mx_upstream_url(const char *ref)
{
    /* The trackers the cases cite: zeromq's own repositories, and zeroc-ice's. */
    static const struct {
        const char *prefix, *base;
    } trackers[] = {
        { "libzmq#", "https://github.com/zeromq/libzmq/issues/" },
        { "pyzmq#", "https://github.com/zeromq/pyzmq/issues/" },
        { "cppzmq#", "https://github.com/zeromq/cppzmq/issues/" },
        { "czmq#", "https://github.com/zeromq/czmq/issues/" },
        { "zeroc-ice#", "https://github.com/zeroc-ice/ice/issues/" },
    };
    for (size_t i = 0; i < sizeof trackers / sizeof trackers[0]; i++) {
        size_t n = strlen(trackers[i].prefix);
        if (!strncmp(ref, trackers[i].prefix, n) && all_digits(ref + n, 9))
            return zr_strdup_printf("%s%s", trackers[i].base, ref + n);
    }
    return NULL;
}

char *zr_mx_commit_url(const char *commit)
{
    size_t n = strlen(commit);
    if (n < 7 || n > 40 || strspn(commit, "0123456789abcdef") != n)
        return NULL;
    return zr_strdup_printf("https://github.com/zeromq/libzmq/commit/%s", commit);
}
