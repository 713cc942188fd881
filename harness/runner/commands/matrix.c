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
#include "bisect_records.h"
#include "case_summary.h"
#include "commands.h"
#include "defaults.h"
#include "documents.h"
#include "environment.h"
#include "figures.h"
#include "files.h"
#include "matrix.h"
#include "process.h"
#include "program_case.h"
#include "python_builds.h"
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
        json_object_set_new(cell, "reason", zr_json_text(spec ? spec->error : "no such case"));
        rc = ZR_EXIT_USAGE;
    } else if (zr_build_open(o->builds[0], &build, err, sizeof err) != 0) {
        json_object_set_new(cell, "status", json_string("error"));
        json_object_set_new(cell, "reason", zr_json_text(err));
        rc = ZR_EXIT_USAGE;
    } else {
        int mode = zr_mode_index(o->modes[0]);
        const char *na = zr_python_case_na(&o->setup, spec, mode);
        json_t *env = na ? NULL : zr_preflight(&o->setup, spec, mode, &build, err, sizeof err);
        if (na) {
            json_object_set_new(cell, "status", json_string("n/a"));
            json_object_set_new(cell, "reason", zr_json_text(na));
            rc = ZR_EXIT_SKIPPED;
        } else if (!env) {
            json_object_set_new(cell, "status", json_string("error"));
            json_object_set_new(cell, "reason", zr_json_text(err));
            rc = ZR_EXIT_USAGE;
        } else {
            struct zr_case_run run;
            zr_case_run(&o->setup, spec, mode, &build, o->attempts ? o->attempts : ZR_CELL_ATTEMPTS, true, NULL, NULL, &run);
            json_decref(cell);
            cell = zr_figures(&run);
            json_object_set_new(cell, "status", json_string(run.status == ZR_INTERRUPTED ? "interrupted" : "ran"));
            json_object_set_new(cell, "summary", zr_json_text(run.status_text)); /* holds the client's own bytes */
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
        json_object_set_new(b, "error", zr_json_text(col->why));
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
    json_object_set_new(doc, "command", zr_command_line_json());
}

/* A matrix being run: its folder, its columns, its cells and their results. */
struct matrix_run {
    const struct zr_options *o;
    struct zr_selection sel;
    struct column *cols; /* one per build, or per build and Python (several --python) */
    int ncols, ncells, torun, attempts, jobs;
    json_t **results;  /* per cell, in order case x mode x build */
    const char **na;   /* per cell: why it does not run, or NULL */
    char *dir, *reports, *cells_dir;
    double start;
};

/* The matrix's folder, its reports/ and the workers' .cells/: 0, or -1 with err. */
static int make_folders(struct matrix_run *m, char *err, size_t errlen)
{
    char stamp[32];
    zr_utc_stamp(stamp, sizeof stamp, NULL);
    m->dir = m->o->out_dir ? zr_strdup_printf("%s", m->o->out_dir)
                           : zr_strdup_printf("%s/results/matrix-%s", m->o->setup.source_dir, stamp);
    m->reports = zr_strdup_printf("%s/reports", m->dir);
    m->cells_dir = zr_strdup_printf("%s/.cells", m->dir);
    if (zr_check_writable_dir(m->dir, err, errlen) != 0 || zr_mkdirs(m->reports) != 0 || zr_mkdirs(m->cells_dir) != 0)
        return -1;
    return 0;
}

/* A column per build, or per build and Python with several --python; one
 * that cannot be opened says why in its column. */
static void open_columns(struct matrix_run *m)
{
    char err[1024];
    int npy = m->o->npythons > 1 ? m->o->npythons : 1;
    m->ncols = m->o->nbuilds * npy;
    m->cols = calloc((size_t)m->ncols, sizeof *m->cols);
    for (int k = 0; k < m->ncols; k++) {
        int b = k / npy, p = k % npy;
        struct column *col = &m->cols[k];
        col->python = m->o->npythons > 1 ? m->o->pythons[p] : NULL;
        col->python_only = p > 0;
        col->name = col->python ? zr_strdup_printf("%s %s", m->o->builds[b], col->python)
                                : zr_strdup_printf("%s", m->o->builds[b]);
        col->opened = zr_build_open(m->o->builds[b], &col->build, err, sizeof err) == 0;
        col->why = col->opened ? NULL : zr_strdup_printf("%s", err);
        if (!col->opened && p == 0) {
            fprintf(stderr, "matrix: build ");
            zr_fput_terminal(stderr, m->o->builds[b]);
            fprintf(stderr, ": ");
            zr_fput_terminal(stderr, err);
            fprintf(stderr, " (its column says so; the rest goes on)\n");
        }
    }
}

/* Every cell, in order: case x mode x build; those that cannot run are n/a with the reason. */
static void plan_cells(struct matrix_run *m)
{
    m->ncells = m->sel.n * m->ncols;
    m->results = calloc((size_t)m->ncells + 1, sizeof *m->results);
    m->na = calloc((size_t)m->ncells + 1, sizeof *m->na);
    m->torun = 0;
    for (int i = 0; i < m->sel.n; i++)
        for (int b = 0; b < m->ncols; b++) {
            int c = i * m->ncols + b;
            int mode = m->sel.items[i].mode;
            if (mode < 0)
                m->na[c] = m->sel.items[i].spec->error;
            else if (m->cols[b].python_only && m->sel.items[i].spec->language != ZR_LANG_PYTHON)
                m->na[c] = "a C case: it runs in the build's first Python column only";
            else if (!m->cols[b].opened)
                m->na[c] = m->cols[b].why;
            else if (zr_build_unfit(&m->cols[b].build, &zr_modes[mode]))
                m->na[c] = zr_build_unfit(&m->cols[b].build, &zr_modes[mode]);
            else
                m->torun++;
        }
}

/* Cell c started in job: `zmq-repro cell` writing its JSON into .cells/.
 * false when it could not be started (its result then says why). */
static bool start_cell(struct matrix_run *m, struct job *job, int c)
{
    int i = c / m->ncols, b = c % m->ncols;
    const struct zr_case_spec *spec = m->sel.items[i].spec;
    const char *mode = zr_modes[m->sel.items[i].mode].name;
    char attempts_text[16], err[1024];
    snprintf(attempts_text, sizeof attempts_text, "%d", m->attempts);
    char *name = cell_id(spec->id, mode, m->cols[b].name);
    job->json = zr_strdup_printf("%s/%s.json", m->cells_dir, name);
    free(name);
    /* The cell's own runner is given the case, or the same program with the same judging options. */
    char *options[] = { (char *)"-m", (char *)mode, (char *)"-b", m->cols[b].build.prefix, (char *)"-n",
                        attempts_text, (char *)"--json", job->json, (char *)"-t", (char *)m->o->setup.transport,
                        /* the run's interpreter: a Python build by its folder, else the program */
                        (char *)"--python",
                        m->cols[b].python        ? (char *)m->cols[b].python
                        : m->o->setup.python_build ? m->o->setup.python_build->prefix
                                                   : (char *)m->o->setup.python,
                        NULL };
    char numbers[64];
    char **argv = zr_case_child_argv(spec, "cell", options, numbers, sizeof numbers);
    struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_NULL, .err = ZR_OUTPUT_NULL };
    int spawned = zr_spawn(&s, &job->proc, err, sizeof err);
    free(argv);
    if (spawned != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        m->results[c] = json_pack("{s:s, s:o}", "status", "error", "reason", zr_json_text(err));
        free(job->json);
        job->json = NULL;
        return false;
    }
    job->running = true;
    job->cell = c;
    return true;
}

/* The ended job's cell into its row, and a line on the terminal; done counts it. */
static void collect_cell(struct matrix_run *m, struct job *job, int done)
{
    zr_finish(&job->proc);
    json_error_t jerr;
    json_t *r = json_load_file(job->json, 0, &jerr);
    int c = job->cell, i = c / m->ncols, b = c % m->ncols;
    const char *id = m->sel.items[i].spec->id, *mode = zr_modes[m->sel.items[i].mode].name;
    m->results[c] = finish_cell(r, id, mode, &m->cols[b], m->dir);
    json_decref(r);
    unlink(job->json);
    free(job->json);
    job->running = false;
    /* What the cell showed is the client's own text: escaped for the terminal. */
    const char *what = json_string_value(json_object_get(m->results[c], "outcomes_text"));
    if (!what)
        what = json_string_value(json_object_get(m->results[c], "reason"));
    fprintf(stderr, "[%d/%d] %s [%s on ", done, m->torun, id, mode);
    zr_fput_terminal(stderr, m->cols[b].name);
    fprintf(stderr, "]: ");
    zr_fput_terminal(stderr, json_string_value(json_object_get(m->results[c], "status")));
    fputc(' ', stderr);
    zr_fput_terminal(stderr, what ? what : "");
    fprintf(stderr, " (%.0f s)\n", zr_now() - m->start);
}

/* The scheduler of cells: --jobs at a time, each in a process of its own,
 * until every cell that can run has run or the run is interrupted (then
 * those still running are ended, and their cells say interrupted). */
static void run_cells(struct matrix_run *m)
{
    struct job *running = calloc((size_t)m->jobs, sizeof *running);
    int next = 0, done = 0;
    while ((next < m->ncells || done < m->torun) && !zr_interrupted()) {
        /* Start cells while a slot is free. */
        for (int j = 0; j < m->jobs && next < m->ncells; j++) {
            if (running[j].running)
                continue;
            while (next < m->ncells && m->na[next])
                next++;
            if (next >= m->ncells)
                break;
            if (!start_cell(m, &running[j], next))
                done++;
            next++;
        }
        /* Collect those that ended. */
        bool any = false;
        for (int j = 0; j < m->jobs; j++)
            if (running[j].running && zr_ended(&running[j].proc)) {
                any = true;
                collect_cell(m, &running[j], ++done);
            }
        if (!any)
            usleep(20000);
    }
    for (int j = 0; j < m->jobs; j++)
        if (running[j].running) {
            zr_finish(&running[j].proc);
            unlink(running[j].json);
            free(running[j].json);
        }
    free(running);
    rmdir(m->cells_dir);
}

/* A row of matrix.json: the case, its mode and what it is (its family,
 * file and the first sentence of its header, for a reader of upstream's
 * issues). */
static json_t *row_json(const struct zr_case_spec *spec, const char *mode, const char *source_dir)
{
    json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "case", spec->id, "mode", mode, "language",
                            zr_language_name(spec->language), "variant", zr_variant_name(spec->variant));
    json_object_set_new(row, "upstream", spec->upstream ? json_string(spec->upstream) : json_null());
    json_object_set_new(row, "fixed_in", spec->fixed_in ? json_string(spec->fixed_in) : json_null());
    if (spec->twin) /* what its clean runs rule out, where the twin is a row too */
        json_object_set_new(row, "twin", json_string(spec->twin));
    json_object_set_new(row, "family", zr_json_text(spec->family ? spec->family : ""));
    size_t n = strlen(source_dir);
    const char *file = spec->path ? spec->path : "";
    if (n && !strncmp(file, source_dir, n) && file[n] == '/')
        file += n + 1; /* a case of the repository by its path there */
    json_object_set_new(row, "file", zr_json_text(file));
    char *summary = zr_case_summary(spec->program ? NULL : spec->path);
    json_object_set_new(row, "summary", zr_json_text(summary));
    free(summary);
    return row;
}

/* A cell that did not run: n/a with the reason, or interrupted. */
static json_t *cell_not_run(const char *id, const char *mode, const char *build, const char *na)
{
    if (na)
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "case", id, "mode", mode, "build", build, "host",
                         zr_host_name(), "status", "n/a", "reason", zr_json_text(na));
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "case", id, "mode", mode, "build", build, "host", zr_host_name(),
                     "status", "interrupted");
}

/* The matrix document: its header, hosts, builds, rows and cells. The cells' results move into it. */
static json_t *matrix_document(struct matrix_run *m)
{
    json_t *doc = json_object(), *cells = json_array(), *builds = json_array(), *rows = json_array();
    for (int b = 0; b < m->ncols; b++)
        json_array_append_new(builds, build_json(&m->cols[b]));
    for (int i = 0; i < m->sel.n; i++) {
        const struct zr_case_spec *spec = m->sel.items[i].spec;
        const char *mode = m->sel.items[i].mode >= 0 ? zr_modes[m->sel.items[i].mode].name : "-";
        json_array_append_new(rows, row_json(spec, mode, m->o->setup.source_dir));
        for (int b = 0; b < m->ncols; b++) {
            int c = i * m->ncols + b;
            json_t *cell = m->results[c] ? m->results[c] : cell_not_run(spec->id, mode, m->cols[b].name, m->na[c]);
            m->results[c] = NULL;
            json_array_append_new(cells, cell);
        }
    }
    set_matrix_header(doc, m->dir, m->attempts, round((zr_now() - m->start) * 10) / 10, zr_interrupted() != 0);
    json_t *hosts = json_object();
    json_object_set_new(hosts, zr_host_name(), zr_host_json());
    json_object_set_new(doc, "hosts", hosts);
    json_object_set_new(doc, "builds", builds);
    json_object_set_new(doc, "rows", rows);
    json_object_set_new(doc, "cells", cells);
    return doc;
}

static void matrix_run_free(struct matrix_run *m)
{
    for (int b = 0; b < m->ncols; b++) {
        if (m->cols[b].opened)
            zr_build_close(&m->cols[b].build);
        free(m->cols[b].name);
        free(m->cols[b].why);
    }
    free(m->cols);
    free(m->results);
    free(m->na);
    free(m->dir);
    free(m->reports);
    free(m->cells_dir);
}

/* 0 when every record names a case of the selection (the message printed otherwise). */
static int selection_takes(json_t *records, const struct zr_selection *sel)
{
    json_t *rows = json_array();
    for (int i = 0; i < sel->n; i++)
        json_array_append_new(rows, json_pack("{s:s}", "case", sel->items[i].spec->id));
    json_t *copy = json_deep_copy(records);
    int rc = zr_bisect_records_attach(copy, rows);
    json_decref(copy);
    json_decref(rows);
    return rc;
}

int zr_cmd_matrix(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases)
{
    if (o->nbuilds == 0) {
        fprintf(stderr, "zmq-repro: matrix needs the builds to compare: -b NAME for each (see `zmq-repro builds`)\n");
        return ZR_EXIT_USAGE;
    }
    char err[1024];
    struct matrix_run m;
    memset(&m, 0, sizeof m);
    m.o = o;
    if (zr_select(o, cat, ncases, cases, &m.sel) != 0) {
        matrix_run_free(&m);
        return ZR_EXIT_USAGE;
    }
    /* A --bisect record that cannot be shown fails now, before anything is written or run. */
    json_t *records = zr_bisect_records_load(o);
    if (!records || selection_takes(records, &m.sel) != 0) {
        json_decref(records);
        matrix_run_free(&m);
        zr_selection_free(&m.sel);
        return ZR_EXIT_USAGE;
    }
    if (make_folders(&m, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: matrix: %s: name another folder with --out\n", err);
        json_decref(records);
        matrix_run_free(&m);
        zr_selection_free(&m.sel);
        return ZR_EXIT_USAGE;
    }
    open_columns(&m);
    plan_cells(&m);
    m.jobs = o->jobs > 0 ? o->jobs : 1;
    m.attempts = o->attempts ? o->attempts : ZR_CELL_ATTEMPTS;
    fprintf(stderr, "matrix: %d cells to run (%d n/a), %d attempts each, %d at a time, into %s\n", m.torun,
            m.ncells - m.torun, m.attempts, m.jobs, m.dir);
    m.start = zr_now();
    run_cells(&m);
    json_t *doc = matrix_document(&m);
    zr_bisect_records_attach(records, json_object_get(doc, "rows"));
    json_decref(records);
    struct zr_matrix_render_options ro = { o->rows_differing };
    int rc = zr_matrix_write(m.dir, doc, &ro, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "zmq-repro: %s\n", err);
    else
        printf("matrix: %d cells in %.1f minutes\n  %s/matrix.json\n  %s/matrix.md\n  %s/index.html\n", m.ncells,
               (zr_now() - m.start) / 60, m.dir, m.dir, m.dir);
    json_decref(doc);
    matrix_run_free(&m);
    zr_selection_free(&m.sel);
    if (zr_interrupted())
        return zr_interrupted_exit_code();
    return rc == 0 ? ZR_EXIT_HELD : ZR_EXIT_USAGE;
}

/* --- merge: matrix folders of several machines into one. --- */

/* A folder's matrix.json, checked against its schema (core/documents.c)
 * before anything is written: a folder from another machine may hold
 * anything. What merge and the renderings read of it is there, of its type,
 * and a report path names a file inside the folder (merge copies it into
 * OUT). */
static json_t *load_matrix(const char *dir, char *err, size_t errlen)
{
    char *path = zr_strdup_printf("%s/matrix.json", dir);
    json_t *doc = zr_document_load(path, ZR_DOCUMENT_MATRIX, err, errlen);
    free(path);
    return doc;
}

/* dir/report into out/report, when it is a file inside dir also once
 * symbolic links are resolved (dir/reports may be a link to anywhere). */
static int copy_report(const char *dir, const char *out, const char *report)
{
    char *from = zr_strdup_printf("%s/%s", dir, report), *to = zr_strdup_printf("%s/%s", out, report);
    char *real_dir = realpath(dir, NULL), *real_from = realpath(from, NULL);
    size_t n = real_dir ? strlen(real_dir) : 0;
    int rc = -1;
    char err[512];
    if (real_dir && real_from && !strncmp(real_from, real_dir, n) && real_from[n] == '/')
        rc = zr_copy_file(real_from, to, err, sizeof err);
    free(real_dir);
    free(real_from);
    free(from);
    free(to);
    return rc;
}

/* a and b have the same text at each of keys (a missing one is never the same). */
static bool same_fields(json_t *a, json_t *b, const char *const keys[])
{
    for (int i = 0; keys[i]; i++) {
        const char *x = json_string_value(json_object_get(a, keys[i])), *y = json_string_value(json_object_get(b, keys[i]));
        if (!x || !y || strcmp(x, y))
            return false;
    }
    return true;
}

static const char *const build_key[] = { "name", NULL };
static const char *const row_key[] = { "case", "mode", NULL };
static const char *const cell_key[] = { "case", "mode", "build", NULL };

/* The index in list of the last item with v's key, or -1. */
static int find_same(json_t *list, json_t *v, const char *const keys[])
{
    size_t m;
    json_t *w;
    int found = -1;
    json_array_foreach(list, m, w) if (same_fields(w, v, keys)) found = (int)m;
    return found;
}

/* The items of from that list does not hold yet (by key), appended to it. */
static void add_new_items(json_t *list, json_t *from, const char *const keys[])
{
    size_t k;
    json_t *v;
    json_array_foreach(from, k, v) if (find_same(list, v, keys) < 0) json_array_append(list, v);
}

/* The cells of one folder's doc into cells, their reports copied into out.
 * A cell that ran replaces an n/a one of the same key (each machine ran its
 * own builds); two that ran stay both out: the later wins. */
static void merge_cells(json_t *cells, json_t *doc, const char *dir, const char *out)
{
    size_t k;
    json_t *v;
    json_array_foreach(json_object_get(doc, "cells"), k, v) {
        int found = find_same(cells, v, cell_key);
        const char *status = json_string_value(json_object_get(v, "status"));
        if (found >= 0 && status && strcmp(status, "ran"))
            continue;
        json_t *cell = json_deep_copy(v);
        const char *report = json_string_value(json_object_get(cell, "report"));
        if (report && copy_report(dir, out, report) != 0)
            json_object_del(cell, "report");
        json_object_set_new(cell, "merged_from", zr_json_text(dir));
        if (found >= 0)
            json_array_set_new(cells, (size_t)found, cell);
        else
            json_array_append_new(cells, cell);
    }
}

/* A build is the same as another by what it really is (its key: source,
 * flavour, flags, compiler), never by its name alone: two machines may each
 * call their own libzmq "system". */
static bool same_build(json_t *a, json_t *b)
{
    const char *ka = json_string_value(json_object_get(a, "key")), *kb = json_string_value(json_object_get(b, "key"));
    return !ka || !kb || !strcmp(ka, kb);
}

/* Every build of doc whose name a different build in builds holds already
 * is renamed NAME@HOST (NAME@HOST-2... if that is taken too), and so are its
 * cells: each machine's columns stay its own. */
static void rename_clashing_builds(json_t *builds, json_t *doc)
{
    size_t k;
    json_t *b;
    json_array_foreach(json_object_get(doc, "builds"), k, b) {
        int found = find_same(builds, b, build_key);
        if (found < 0 || same_build(json_array_get(builds, (size_t)found), b))
            continue;
        const char *name = json_string_value(json_object_get(b, "name"));
        const char *host = json_string_value(json_object_get(b, "host"));
        char *old = zr_strdup_printf("%s", name), *renamed = zr_strdup_printf("%s@%s", name, host ? host : "other");
        for (int n = 2; ; n++) {
            json_t *probe = json_pack("{s:s}", "name", renamed);
            bool taken = find_same(builds, probe, build_key) >= 0;
            json_decref(probe);
            if (!taken)
                break;
            free(renamed);
            renamed = zr_strdup_printf("%s@%s-%d", name, host ? host : "other", n);
        }
        json_object_set_new(b, "name", json_string(renamed));
        size_t c;
        json_t *cell;
        json_array_foreach(json_object_get(doc, "cells"), c, cell) {
            const char *build = json_string_value(json_object_get(cell, "build"));
            if (build && !strcmp(build, old))
                json_object_set_new(cell, "build", json_string(renamed));
        }
        fprintf(stderr, "merge: a build named %s on two machines is not the same build: this one is %s\n", old,
                renamed);
        free(old);
        free(renamed);
    }
}

/* Every folder's matrix.json, read and checked before anything is written:
 * docs[1..ndirs], or NULL (what was read is freed) with the cause printed. */
static json_t **load_matrices(int nargs, char **args)
{
    char err[1024];
    json_t **docs = calloc((size_t)nargs, sizeof *docs);
    for (int i = 1; i < nargs; i++)
        if (!(docs[i] = load_matrix(args[i], err, sizeof err))) {
            fprintf(stderr, "zmq-repro: merge: ");
            zr_fput_terminal(stderr, err);
            fputc('\n', stderr);
            for (int k = 1; k < i; k++)
                json_decref(docs[k]);
            free(docs);
            return NULL;
        }
    return docs;
}

/* The folders' documents (freed here) into one, its reports copied into out. */
static json_t *merged_document(json_t **docs, int nargs, char **args, const char *out)
{
    json_t *merged = json_object(), *cells = json_array(), *builds = json_array(), *rows = json_array(),
           *hosts = json_object(), *sources = json_array();
    double wall = 0;
    long attempts = 0;
    for (int i = 1; i < nargs; i++) {
        json_t *doc = docs[i];
        json_array_append_new(sources, zr_json_text(args[i]));
        json_object_update(hosts, json_object_get(doc, "hosts"));
        wall += json_number_value(json_object_get(doc, "wall_s"));
        attempts = json_integer_value(json_object_get(doc, "attempts"));
        rename_clashing_builds(builds, doc);
        add_new_items(builds, json_object_get(doc, "builds"), build_key);
        add_new_items(rows, json_object_get(doc, "rows"), row_key);
        merge_cells(cells, doc, args[i], out);
        json_decref(doc);
    }
    set_matrix_header(merged, out, attempts, wall, false);
    json_object_set_new(merged, "merged_from", sources);
    json_object_set_new(merged, "hosts", hosts);
    json_object_set_new(merged, "builds", builds);
    json_object_set_new(merged, "rows", rows);
    json_object_set_new(merged, "cells", cells);
    return merged;
}

int zr_cmd_merge(const struct zr_options *o, int nargs, char **args)
{
    if (nargs < 2) {
        fprintf(stderr, "zmq-repro: merge takes the folder to write and the matrix folders to merge: "
                        "zmq-repro merge OUT DIR...\n");
        return ZR_EXIT_USAGE;
    }
    const char *out = args[0];
    char err[1024];
    json_t *records = zr_bisect_records_load(o);
    if (!records)
        return ZR_EXIT_USAGE;
    json_t **docs = load_matrices(nargs, args);
    if (!docs) {
        json_decref(records);
        return ZR_EXIT_USAGE;
    }
    /* Set on the folders' rows, which the merged document takes as they are,
     * and so checked before anything is written. */
    json_t *rows = json_array();
    for (int i = 1; i < nargs; i++)
        json_array_extend(rows, json_object_get(docs[i], "rows"));
    int taken = zr_bisect_records_attach(records, rows);
    json_decref(rows);
    if (taken != 0) {
        for (int k = 1; k < nargs; k++)
            json_decref(docs[k]);
        free(docs);
        json_decref(records);
        return ZR_EXIT_USAGE;
    }
    char *reports = zr_strdup_printf("%s/reports", out);
    if (zr_check_writable_dir(out, err, sizeof err) != 0 || zr_mkdirs(reports) != 0) {
        fprintf(stderr, "zmq-repro: merge: %s\n", err);
        free(reports);
        for (int k = 1; k < nargs; k++)
            json_decref(docs[k]);
        free(docs);
        json_decref(records);
        return ZR_EXIT_USAGE;
    }
    json_t *merged = merged_document(docs, nargs, args, out);
    json_decref(records);
    int rc = ZR_EXIT_HELD;
    struct zr_matrix_render_options ro = { o->rows_differing };
    if (zr_matrix_write(out, merged, &ro, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        rc = ZR_EXIT_USAGE;
    } else {
        printf("merged %d matrix folders into %s (%zu builds, %zu cells)\n", nargs - 1, out,
               json_array_size(json_object_get(merged, "builds")), json_array_size(json_object_get(merged, "cells")));
    }
    json_decref(merged);
    free(reports);
    free(docs);
    return rc;
}
