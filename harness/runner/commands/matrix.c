/* zmq-repro matrix: the selected cases x libzmq builds x modes, every cell
 * run N times, into one folder: matrix.json (every cell naming its build
 * and host), matrix.md (a table that pastes into an upstream issue) and
 * index.html (the same as a coloured grid, each cell linking to its report
 * text). A build that cannot run a mode is n/a with the reason; a build that
 * cannot be opened shows why in its column; the rest still comes out.
 *
 * Cells run as child processes (`zmq-repro cell`), --jobs at a time.
 * zmq-repro merge puts the folders of several machines into one matrix. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case_run.h"
#include "commands.h"
#include "defaults.h"
#include "environment.h"
#include "figures.h"
#include "files.h"
#include "matrix.h"
#include "process.h"
#include "text.h"

/* --- One cell, in a process of its own: zmq-repro cell CASE -m MODE -b BUILD -n N --json FILE --- */

int zr_cmd_cell(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    if (nargs != 1 || o->nmodes != 1 || o->nbuilds != 1 || !o->json_out) {
        fprintf(stderr, "zmq-repro: cell takes one CASE, one -m, one -b and --json (it is matrix's worker)\n");
        return ZR_EXIT_USAGE;
    }
    const struct zr_case_spec *spec = zr_catalog_find(cat, args[0]);
    char err[1024];
    struct zr_build build;
    json_t *cell = json_object();
    int rc = ZR_EXIT_HELD;
    if (!spec || spec->error) {
        json_object_set_new(cell, "status", json_string("error"));
        json_object_set_new(cell, "reason", json_string(spec ? spec->error : "no such case"));
        rc = ZR_EXIT_USAGE;
    } else if (zr_build_open(o->builds[0], &build, err, sizeof err) != 0) {
        json_object_set_new(cell, "status", json_string("error"));
        json_object_set_new(cell, "reason", json_string(err));
        rc = ZR_EXIT_USAGE;
    } else {
        int mode = zr_mode_index(o->modes[0]);
        json_t *env = zr_preflight(&o->setup, spec, mode, &build, err, sizeof err);
        if (!env) {
            json_object_set_new(cell, "status", json_string("error"));
            json_object_set_new(cell, "reason", json_string(err));
            rc = ZR_EXIT_USAGE;
        } else {
            struct zr_case_run run;
            zr_case_run(&o->setup, spec, mode, &build, o->attempts ? o->attempts : ZR_CELL_ATTEMPTS, true, NULL, NULL, &run);
            json_decref(cell);
            cell = zr_figures(&run);
            json_object_set_new(cell, "status", json_string(run.status == ZR_INTERRUPTED ? "interrupted" : "ran"));
            json_object_set_new(cell, "summary", json_string(run.status_text));
            const struct zr_attempt *d = run.deciding >= 0 ? &run.attempts[run.deciding] : NULL;
            /* The report that shows the cell's verdict: the deciding attempt's, else the first with one. */
            for (int i = 0; !d && i < run.n; i++)
                if (run.attempts[i].verdict.report)
                    d = &run.attempts[i];
            if (d) {
                json_object_set_new(cell, "report_attempt", zr_attempt_json(d, (int)(d - run.attempts), true));
            }
            json_object_set_new(cell, "environment", env);
            zr_case_run_free(&run);
        }
        zr_build_close(&build);
    }
    if (zr_write_json_atomically(o->json_out, cell, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        rc = ZR_EXIT_USAGE;
    }
    json_decref(cell);
    return zr_interrupted() ? zr_interrupted_exit_code() : rc;
}

/* --- The matrix. --- */

struct column {
    char *name; /* the build's, or "BUILD python:SUITE" on a Python axis */
    struct zr_build build;
    bool opened;
    char *why; /* why it could not be opened */
    /* The Python axis (several --python): this column's interpreter, or
     * NULL for the run's one; and whether C cases are n/a here (they
     * already ran in the build's first Python column). */
    const char *python;
    bool python_only;
};

struct job {
    struct zr_proc proc;
    int cell;
    char *json;
    bool running;
};

static char *cell_id(const char *id, const char *mode, const char *build)
{
    char *s = zr_strdup_printf("%s-%s-%s", id, mode, build);
    for (char *c = s; *c; c++)
        if (*c == '/' || *c == ' ')
            *c = '_';
    return s;
}

/* The cell's row in matrix.json, from the worker's JSON: where it ran, what
 * it showed, and its report text in reports/. */
static json_t *finish_cell(json_t *result, const char *id, const char *mode, const struct column *col,
                           const char *dir)
{
    json_t *cell = result ? json_deep_copy(result) : json_pack("{s:s, s:s}", "status", "error", "reason",
                                                               "the cell's worker left no result");
    json_object_set_new(cell, "case", json_string(id));
    json_object_set_new(cell, "mode", json_string(mode));
    json_object_set_new(cell, "build", json_string(col->name));
    json_t *env = json_object_get(cell, "environment");
    json_t *python = json_object_get(env, "python");
    if (python) /* which interpreter and pyzmq really ran, for the Python axis */
        json_object_set_new(cell, "python", json_pack("{s:O?, s:O?, s:O?}", "build", json_object_get(python, "build"),
                                                      "version", json_object_get(python, "version"), "pyzmq",
                                                      json_object_get(python, "pyzmq")));
    json_t *host = json_object_get(env, "host");
    json_object_set_new(cell, "host",
                        json_string(host ? json_string_value(json_object_get(host, "hostname")) : zr_host_name()));
    json_t *attempt = json_object_get(cell, "report_attempt");
    const char *report = json_string_value(json_object_get(attempt, "report"));
    if (report) {
        char *name = cell_id(id, mode, col->name);
        char *rel = zr_strdup_printf("reports/%s.txt", name);
        char *path = zr_strdup_printf("%s/%s", dir, rel);
        FILE *f = fopen(path, "w");
        if (f) {
            fprintf(f, "%s [%s on %s]: attempt %lld, %s %s\n\n%s\n", id, mode, col->name,
                    (long long)json_integer_value(json_object_get(attempt, "attempt")),
                    json_string_value(json_object_get(attempt, "outcome")),
                    json_string_value(json_object_get(attempt, "signature")), report);
            fclose(f);
            json_object_set_new(cell, "report", json_string(rel));
        }
        free(name);
        free(rel);
        free(path);
    }
    /* The report text lives in reports/; the attempt keeps the rest. */
    if (attempt)
        json_object_del(attempt, "report");
    return cell;
}

static json_t *build_json(const struct column *col)
{
    json_t *b = col->opened ? json_deep_copy(col->build.info) : json_object();
    json_object_set_new(b, "name", json_string(col->name));
    if (col->python) {
        json_object_set_new(b, "libzmq_build", json_string(col->build.name ? col->build.name : col->name));
        json_object_set_new(b, "python", json_string(col->python));
    }
    json_object_set_new(b, "host", json_string(zr_host_name()));
    if (!col->opened)
        json_object_set_new(b, "error", json_string(col->why));
    return b;
}

/* What a matrix document says of itself, the same for a run and a merge. */
static void set_matrix_header(json_t *doc, const char *dir, int attempts, double wall_s, bool interrupted)
{
    char when[32];
    zr_utc_stamp(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ");
    const char *slash = strrchr(dir, '/');
    json_object_set_new(doc, "schema", json_integer(ZR_SCHEMA_MATRIX));
    json_object_set_new(doc, "kind", json_string("matrix"));
    json_object_set_new(doc, "name", json_string(slash ? slash + 1 : dir));
    json_object_set_new(doc, "finished_at", json_string(when));
    json_object_set_new(doc, "attempts", json_integer(attempts));
    json_object_set_new(doc, "wall_s", json_real(wall_s));
    json_object_set_new(doc, "interrupted", json_boolean(interrupted));
}

int zr_cmd_matrix(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases)
{
    if (o->nbuilds == 0) {
        fprintf(stderr, "zmq-repro: matrix needs the builds to compare: -b NAME for each (see `zmq-repro builds`)\n");
        return ZR_EXIT_USAGE;
    }
    char err[1024], stamp[32];
    zr_utc_stamp(stamp, sizeof stamp, NULL);
    char *dir = o->out_dir ? zr_strdup_printf("%s", o->out_dir)
                           : zr_strdup_printf("%s/results/matrix-%s", o->setup.source_dir, stamp);
    char *reports = zr_strdup_printf("%s/reports", dir);
    char *cells_dir = zr_strdup_printf("%s/.cells", dir);
    if (zr_check_writable_dir(dir, err, sizeof err) != 0 || zr_mkdirs(reports) != 0 || zr_mkdirs(cells_dir) != 0) {
        fprintf(stderr, "zmq-repro: matrix: %s: name another folder with --out\n", err);
        free(dir);
        free(reports);
        free(cells_dir);
        return ZR_EXIT_USAGE;
    }
    struct zr_selection sel;
    if (zr_select(o, cat, ncases, cases, &sel) != 0)
        return ZR_EXIT_USAGE;

    /* One column per build, or per build and Python with several --python. */
    int npy = o->npythons > 1 ? o->npythons : 1, ncols = o->nbuilds * npy;
    struct column *cols = calloc((size_t)ncols, sizeof *cols);
    for (int k = 0; k < ncols; k++) {
        int b = k / npy, p = k % npy;
        cols[k].python = o->npythons > 1 ? o->pythons[p] : NULL;
        cols[k].python_only = p > 0;
        cols[k].name = cols[k].python ? zr_strdup_printf("%s %s", o->builds[b], cols[k].python)
                                      : zr_strdup_printf("%s", o->builds[b]);
        cols[k].opened = zr_build_open(o->builds[b], &cols[k].build, err, sizeof err) == 0;
        cols[k].why = cols[k].opened ? NULL : zr_strdup_printf("%s", err);
        if (!cols[k].opened && p == 0)
            fprintf(stderr, "matrix: build %s: %s (its column says so; the rest goes on)\n", o->builds[b], err);
    }

    /* Every cell, in order: case x mode x column. */
    int ncells = sel.n * ncols;
    json_t **results = calloc((size_t)ncells + 1, sizeof *results);
    const char **na = calloc((size_t)ncells + 1, sizeof *na);
    int torun = 0;
    for (int i = 0; i < sel.n; i++)
        for (int b = 0; b < ncols; b++) {
            int c = i * ncols + b;
            if (sel.items[i].mode < 0)
                na[c] = sel.items[i].spec->error;
            else if (cols[b].python_only && sel.items[i].spec->language != ZR_LANG_PYTHON)
                na[c] = "a C case: it runs in the build's first Python column only";
            else if (!cols[b].opened)
                na[c] = cols[b].why;
            else if (zr_build_unfit(&cols[b].build, &zr_modes[sel.items[i].mode]))
                na[c] = zr_build_unfit(&cols[b].build, &zr_modes[sel.items[i].mode]);
            else
                torun++;
        }
    int jobs = o->jobs > 0 ? o->jobs : 1, attempts = o->attempts ? o->attempts : ZR_CELL_ATTEMPTS;
    fprintf(stderr, "matrix: %d cells to run (%d n/a), %d attempts each, %d at a time, into %s\n", torun,
            ncells - torun, attempts, jobs, dir);
    struct job *running = calloc((size_t)jobs, sizeof *running);
    double start = zr_now();
    int next = 0, done = 0;
    char attempts_text[16];
    snprintf(attempts_text, sizeof attempts_text, "%d", attempts);
    while ((next < ncells || done < torun) && !zr_interrupted()) {
        /* Start cells while a slot is free. */
        for (int j = 0; j < jobs && next < ncells; j++) {
            if (running[j].running)
                continue;
            while (next < ncells && na[next])
                next++;
            if (next >= ncells)
                break;
            int i = next / ncols, b = next % ncols;
            const struct zr_case_spec *spec = sel.items[i].spec;
            const char *mode = zr_modes[sel.items[i].mode].name;
            char *name = cell_id(spec->id, mode, cols[b].name);
            running[j].json = zr_strdup_printf("%s/%s.json", cells_dir, name);
            free(name);
            char *argv[] = { (char *)zr_self_path(), (char *)"cell", (char *)zr_case_ref(spec), (char *)"-m", (char *)mode,
                             (char *)"-b", cols[b].build.prefix, (char *)"-n", attempts_text, (char *)"--json",
                             running[j].json, (char *)"-t", (char *)o->setup.transport,
                             /* the run's interpreter: a Python build by its folder, else the program */
                             (char *)"--python",
                             cols[b].python                ? (char *)cols[b].python
                             : o->setup.python_build ? o->setup.python_build->prefix
                                                     : (char *)o->setup.python,
                             NULL };
            struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_NULL, .err = ZR_OUTPUT_NULL };
            if (zr_spawn(&s, &running[j].proc, err, sizeof err) != 0) {
                fprintf(stderr, "zmq-repro: %s\n", err);
                results[next] = json_pack("{s:s, s:s}", "status", "error", "reason", err);
                done++;
                free(running[j].json);
                running[j].json = NULL;
            } else {
                running[j].running = true;
                running[j].cell = next;
            }
            next++;
        }
        /* Collect those that ended. */
        bool any = false;
        for (int j = 0; j < jobs; j++) {
            if (!running[j].running || !zr_ended(&running[j].proc))
                continue;
            any = true;
            zr_finish(&running[j].proc);
            json_error_t jerr;
            json_t *r = json_load_file(running[j].json, 0, &jerr);
            int c = running[j].cell, i = c / ncols, b = c % ncols;
            results[c] = finish_cell(r, sel.items[i].spec->id, zr_modes[sel.items[i].mode].name, &cols[b], dir);
            json_decref(r);
            unlink(running[j].json);
            free(running[j].json);
            running[j].running = false;
            done++;
            fprintf(stderr, "[%d/%d] %s [%s on %s]: %s %s (%.0f s)\n", done, torun, sel.items[i].spec->id,
                    zr_modes[sel.items[i].mode].name, cols[b].name,
                    json_string_value(json_object_get(results[c], "status")),
                    json_string_value(json_object_get(results[c], "outcomes_text"))
                        ? json_string_value(json_object_get(results[c], "outcomes_text"))
                        : json_string_value(json_object_get(results[c], "reason")),
                    zr_now() - start);
        }
        if (!any)
            usleep(20000);
    }
    for (int j = 0; j < jobs; j++)
        if (running[j].running) {
            zr_finish(&running[j].proc);
            unlink(running[j].json);
            free(running[j].json);
        }
    free(running);
    rmdir(cells_dir);

    json_t *doc = json_object(), *cells = json_array(), *builds = json_array(), *rows = json_array();
    for (int b = 0; b < ncols; b++)
        json_array_append_new(builds, build_json(&cols[b]));
    for (int i = 0; i < sel.n; i++) {
        const struct zr_case_spec *spec = sel.items[i].spec;
        const char *mode = sel.items[i].mode >= 0 ? zr_modes[sel.items[i].mode].name : "-";
        json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "case", spec->id, "mode", mode, "language",
                                zr_language_name(spec->language), "variant", zr_variant_name(spec->variant));
        json_object_set_new(row, "upstream", spec->upstream ? json_string(spec->upstream) : json_null());
        json_object_set_new(row, "fixed_in", spec->fixed_in ? json_string(spec->fixed_in) : json_null());
        json_array_append_new(rows, row);
        for (int b = 0; b < ncols; b++) {
            int c = i * ncols + b;
            json_t *cell = results[c];
            if (!cell && na[c])
                cell = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "case", spec->id, "mode", mode, "build",
                                 cols[b].name, "host", zr_host_name(), "status", "n/a", "reason", na[c]);
            else if (!cell)
                cell = json_pack("{s:s, s:s, s:s, s:s, s:s}", "case", spec->id, "mode", mode, "build", cols[b].name,
                                 "host", zr_host_name(), "status", "interrupted");
            json_array_append_new(cells, cell);
        }
    }
    set_matrix_header(doc, dir, attempts, round((zr_now() - start) * 10) / 10, zr_interrupted() != 0);
    json_t *hosts = json_object();
    json_object_set_new(hosts, zr_host_name(), zr_host_json());
    json_object_set_new(doc, "hosts", hosts);
    json_object_set_new(doc, "builds", builds);
    json_object_set_new(doc, "rows", rows);
    json_object_set_new(doc, "cells", cells);
    int rc = zr_matrix_write(dir, doc, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "zmq-repro: %s\n", err);
    else
        printf("matrix: %d cells in %.1f minutes\n  %s/matrix.json\n  %s/matrix.md\n  %s/index.html\n", ncells,
               (zr_now() - start) / 60, dir, dir, dir);
    json_decref(doc);
    for (int b = 0; b < ncols; b++) {
        if (cols[b].opened)
            zr_build_close(&cols[b].build);
        free(cols[b].name);
        free(cols[b].why);
    }
    free(cols);
    free(results);
    free(na);
    free(dir);
    free(reports);
    free(cells_dir);
    zr_selection_free(&sel);
    if (zr_interrupted())
        return zr_interrupted_exit_code();
    return rc == 0 ? ZR_EXIT_HELD : ZR_EXIT_USAGE;
}

/* --- merge: matrix folders of several machines into one. --- */

static json_t *load_matrix(const char *dir, char *err, size_t errlen)
{
    char *path = zr_strdup_printf("%s/matrix.json", dir);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        snprintf(err, errlen, "cannot read %s: %s", path, jerr.text);
    else if (!json_is_string(json_object_get(doc, "kind")) ||
             strcmp(json_string_value(json_object_get(doc, "kind")), "matrix") ||
             !json_is_array(json_object_get(doc, "cells")) || !json_is_array(json_object_get(doc, "builds"))) {
        snprintf(err, errlen, "%s is not the matrix.json of `zmq-repro matrix`", path);
        json_decref(doc);
        doc = NULL;
    }
    free(path);
    return doc;
}

static int copy_file(const char *from, const char *to)
{
    size_t len;
    char *text = zr_read_file(from, &len);
    if (!text)
        return -1;
    FILE *f = fopen(to, "w");
    int rc = f && fwrite(text, 1, len, f) == len ? 0 : -1;
    if (f)
        fclose(f);
    free(text);
    return rc;
}

static bool same_key(json_t *a, json_t *b)
{
    static const char *const keys[] = { "case", "mode", "build", NULL };
    for (int i = 0; keys[i]; i++) {
        const char *x = json_string_value(json_object_get(a, keys[i])), *y = json_string_value(json_object_get(b, keys[i]));
        if (!x || !y || strcmp(x, y))
            return false;
    }
    return true;
}

int zr_cmd_merge(const struct zr_options *o, int nargs, char **args)
{
    (void)o;
    if (nargs < 2) {
        fprintf(stderr, "zmq-repro: merge takes the folder to write and the matrix folders to merge: "
                        "zmq-repro merge OUT DIR...\n");
        return ZR_EXIT_USAGE;
    }
    const char *out = args[0];
    char err[1024];
    char *reports = zr_strdup_printf("%s/reports", out);
    if (zr_check_writable_dir(out, err, sizeof err) != 0 || zr_mkdirs(reports) != 0) {
        fprintf(stderr, "zmq-repro: merge: %s\n", err);
        free(reports);
        return ZR_EXIT_USAGE;
    }
    json_t *merged = json_object(), *cells = json_array(), *builds = json_array(), *rows = json_array(),
           *hosts = json_object(), *sources = json_array();
    int rc = ZR_EXIT_HELD;
    double wall = 0;
    long attempts = 0;
    for (int i = 1; i < nargs; i++) {
        json_t *doc = load_matrix(args[i], err, sizeof err);
        if (!doc) {
            fprintf(stderr, "zmq-repro: merge: %s\n", err);
            rc = ZR_EXIT_USAGE;
            break;
        }
        json_array_append_new(sources, json_string(args[i]));
        json_object_update(hosts, json_object_get(doc, "hosts"));
        wall += json_number_value(json_object_get(doc, "wall_s"));
        attempts = json_integer_value(json_object_get(doc, "attempts"));
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(doc, "builds"), k, v) {
            bool seen = false;
            size_t m;
            json_t *w;
            json_array_foreach(builds, m, w) seen |= !strcmp(json_string_value(json_object_get(w, "name")),
                                                             json_string_value(json_object_get(v, "name")));
            if (!seen)
                json_array_append(builds, v);
        }
        json_array_foreach(json_object_get(doc, "rows"), k, v) {
            bool seen = false;
            size_t m;
            json_t *w;
            json_array_foreach(rows, m, w) seen |= !strcmp(json_string_value(json_object_get(w, "case")),
                                                           json_string_value(json_object_get(v, "case"))) &&
                                                   !strcmp(json_string_value(json_object_get(w, "mode")),
                                                           json_string_value(json_object_get(v, "mode")));
            if (!seen)
                json_array_append(rows, v);
        }
        json_array_foreach(json_object_get(doc, "cells"), k, v) {
            /* A cell that ran replaces an n/a one of the same key (each machine
             * ran its own builds); two that ran stay both out: the later wins. */
            size_t m;
            json_t *w;
            int found = -1;
            json_array_foreach(cells, m, w) if (same_key(w, v)) found = (int)m;
            const char *status = json_string_value(json_object_get(v, "status"));
            if (found >= 0 && status && strcmp(status, "ran"))
                continue;
            json_t *cell = json_deep_copy(v);
            const char *report = json_string_value(json_object_get(cell, "report"));
            if (report) {
                char *from = zr_strdup_printf("%s/%s", args[i], report), *to = zr_strdup_printf("%s/%s", out, report);
                if (copy_file(from, to) != 0)
                    json_object_del(cell, "report");
                free(from);
                free(to);
            }
            json_object_set_new(cell, "merged_from", json_string(args[i]));
            if (found >= 0)
                json_array_set_new(cells, (size_t)found, cell);
            else
                json_array_append_new(cells, cell);
        }
        json_decref(doc);
    }
    if (rc == ZR_EXIT_HELD) {
        set_matrix_header(merged, out, attempts, wall, false);
        json_object_set_new(merged, "merged_from", sources);
        json_object_set_new(merged, "hosts", hosts);
        json_object_set_new(merged, "builds", builds);
        json_object_set_new(merged, "rows", rows);
        json_object_set_new(merged, "cells", cells);
        if (zr_matrix_write(out, merged, err, sizeof err) != 0) {
            fprintf(stderr, "zmq-repro: %s\n", err);
            rc = ZR_EXIT_USAGE;
        } else {
            printf("merged %d matrix folders into %s (%zu builds, %zu cells)\n", nargs - 1, out, json_array_size(builds),
                   json_array_size(cells));
        }
    } else {
        json_decref(sources);
        json_decref(hosts);
        json_decref(builds);
        json_decref(rows);
        json_decref(cells);
    }
    json_decref(merged);
    free(reports);
    return rc;
}
