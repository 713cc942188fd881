/* The version matrix: its commands, and its rendering from matrix.json into
 * matrix.md (a table for an upstream issue) and index.html (a coloured,
 * self-contained grid whose cells link to their report text). Both are made
 * from the JSON only, so that a merged matrix renders the same way. */
#ifndef ZR_MATRIX_H
#define ZR_MATRIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "commands.h"

int zr_cmd_matrix(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases);
int zr_cmd_cell(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args);
int zr_cmd_merge(const struct zr_options *o, int nargs, char **args);

/* What the renderings show: by default every case (matrix.md cut to fit
 * one GitHub comment); only_differing: matrix.md holds only the cases
 * whose verdict differs between versions (--rows differing). */
struct zr_matrix_render_options {
    bool only_differing;
};

/* Writes dir/matrix.json, dir/matrix.md and dir/index.html from doc (ro may be NULL). */
int zr_matrix_write(const char *dir, json_t *doc, const struct zr_matrix_render_options *ro, char *err,
                    size_t errlen);

/* What a cell says, for both renderings: its verdict word ("reproduced",
 * "not reproduced", "clean", "NOT FIXED", "fixed upstream", "n/a", "error",
 * "interrupted"), its class (held, not-held, na, error), the dominant
 * outcome and symptom, k/n and the median time. */
struct zr_cell_view {
    const char *verdict;
    const char *css;
    char outcome[24];     /* "" for n/a and errors; the view's own copy */
    const char *symptom;  /* the dominant "OUTCOME symptom" key, or "" */
    long long met, n;
    long long errors;     /* attempts the harness could not judge (ERROR, TIMEOUT): lost to the cell */
    double seconds;       /* median time to detect (broken) or median run (fixed); NAN when none */
};
/* Fills v; its text stays valid while cell does (symptom points into it). */
void zr_cell_view(json_t *cell, struct zr_cell_view *v);

#endif
