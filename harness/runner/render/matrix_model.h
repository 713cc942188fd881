/* The version comparison as a person reads it, computed once from
 * matrix.json for both renderings (matrix.md and index.html):
 *
 * - columns: one per libzmq version (and Python, on a Python axis), in
 *   version order. The builds of one version share a column as long as
 *   each mode has one build to run on (the instrumented build serves tsan,
 *   the plain one stress, owner and perturb); a second plain build of the
 *   same version (Debian's binary next to a rebuilt source, say) gets a
 *   column of its own, named after it. What no build of a column can run is
 *   said once, in its head.
 * - rows: one per case, its modes inside each cell;
 * - each mode's result in a cell: failure present, absent, harness ERROR,
 *   n/a, or nothing (the column head says why);
 * - whether a row's verdict changes between versions, and where first;
 * - the symptoms, each with its location and count on every build.
 *
 * Every string points into the document (or is owned by the model): the
 * model lives while the document does. */
#ifndef ZR_MATRIX_MODEL_H
#define ZR_MATRIX_MODEL_H

#include <jansson.h>
#include <stdbool.h>

#include "matrix.h"
#include "power.h"

/* What a mode's result says to the question "is the failure here?". */
enum zr_mx_kind {
    ZR_MX_NONE,    /* not run in this column, for a reason its head states */
    ZR_MX_NA,      /* n/a for a reason of its own (said in the cell) */
    ZR_MX_PRESENT, /* the failure showed: reproduced, or a fixed case NOT FIXED */
    ZR_MX_ABSENT,  /* it did not: clean, fixed upstream, Python unaffected, not reproduced */
    ZR_MX_ERROR,   /* the harness could not judge it (or the run was interrupted) */
};

struct zr_mx_result {
    const char *mode;
    json_t *cell; /* NULL when no build of the column has one */
    const char *build;
    struct zr_cell_view view;
    enum zr_mx_kind kind;
    bool not_held;        /* the expectation did not hold (outlined) */
    const char *symptom_id; /* "S3", or "" */
};

struct zr_mx_column {
    char *label;        /* "4.3.3", "4.3.4 (system)", "4.3.4 python:trixie" */
    char *anchor;       /* a safe id for the page */
    const char *version, *python, *stem;
    json_t *builds;     /* [build object], borrowed from the document */
    char *head_note;    /* what this column cannot run, and why ("" when it runs everything) */
    json_t *explained;  /* n/a reasons the head states: reason -> true */
    int missing;        /* results of modes it serves that the document has no cell for */
};

struct zr_mx_row {
    const char *case_id, *family, *file, *summary, *variant;
    json_t *upstream;   /* [reference text] */
    json_t *bisect;     /* a bisect result recorded for the case (rows[].bisect), or NULL */
    int nmodes;
    const char **modes;
    struct zr_mx_result *results; /* [column * nmodes + mode] */
    int changes_at;     /* the first column whose verdict differs from the earlier ones, or -1 */
    char *change;       /* "failure absent from 4.3.3" or "" */
    const char *twin;   /* a fixed case: its broken twin's case id (@twin), or NULL */
};

/* What a fixed case's clean runs rule out in one mode, over the columns
 * where it ran clean and its twin ran on the same build: the weakest of
 * them (core/power.h), and how many said much. */
struct zr_mx_power {
    const struct zr_mx_row *fixed, *twin;
    const char *mode;
    int columns, strong; /* columns judged; of them, where the twin fails often enough to say much */
    int weakest_col;
    struct zr_power weakest;
};

struct zr_mx_symptom {
    const char *key;  /* "OUTCOME symptom" */
    char id[16];
    json_t *where;    /* [{build, location, count}] in column order */
};

struct zr_matrix_model {
    json_t *doc;
    int ncols, nrows, nsymptoms, ndiffering;
    struct zr_mx_column *cols;
    struct zr_mx_row *rows;
    struct zr_mx_symptom *symptoms;
    int npowers;
    struct zr_mx_power *powers;
    json_t *families; /* [family], in the rows' order */
    json_t *owned;    /* texts the model made (families it derived), freed with it */
    long long total_results, na_results;
};

void zr_matrix_model_build(json_t *doc, struct zr_matrix_model *m);
void zr_matrix_model_free(struct zr_matrix_model *m);

const struct zr_mx_result *zr_mx_result_at(const struct zr_matrix_model *m, const struct zr_mx_row *r, int col,
                                           int mode);
/* The class word of a kind: none, na, present, absent, error. */
const char *zr_mx_kind_name(enum zr_mx_kind kind);

/* The web address of an upstream reference (libzmq#3792, pyzmq#2094,
 * zeroc-ice#3824), built from the reference alone, or NULL for a reference
 * of no known tracker. The text is the caller's to free. */
char *zr_mx_upstream_url(const char *ref);
/* The address of a libzmq commit (7 to 40 hex digits), or NULL. */
char *zr_mx_commit_url(const char *commit);

#endif
