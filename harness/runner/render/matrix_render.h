/* The two renderings of a matrix (matrix_md.c, matrix_html.c) and what
 * they share: the words of a result, the facts of the document. Both read
 * one model (matrix_model.h), so they say the same in the same order. */
#ifndef ZR_MATRIX_RENDER_H
#define ZR_MATRIX_RENDER_H

#include <stdio.h>

#include "matrix.h"
#include "matrix_model.h"

/* A result's words, the same in both renderings: "tsan: reproduced 5/5,
 * 0.28 s, TSAN S1", "stress: clean 3/3, 0.05 s, 1 ERROR", "owner: ERROR 5
 * of 5 attempts lost", "tsan: n/a: why". The caller frees it. */
char *zr_mx_result_text(const struct zr_mx_result *r);
/* The command that made the document, as one line of words ("" when not
 * recorded). The caller frees it. */
char *zr_mx_command_text(json_t *doc);
/* The builds of a column with their flavours: "4.3.2-tsan (tsan), 4.3.2-debug (debug)". */
char *zr_mx_column_builds(const struct zr_mx_column *c);
/* The name a link may point to: the report of a cell, only inside the
 * folder's reports/ (no scheme, no ..). */
bool zr_mx_report_link_ok(const char *report);
/* Why cells did not run: "status: reason" -> { build: true }, once per reason. */
json_t *zr_mx_reasons_not_run(json_t *doc);
/* A safe, unique anchor for family number i ("family-shared-socket"). */
char *zr_mx_family_anchor(const struct zr_matrix_model *m, int i);

int zr_matrix_write_md(FILE *f, const struct zr_matrix_model *m, const struct zr_matrix_render_options *ro);
int zr_matrix_write_html(FILE *f, const struct zr_matrix_model *m);

#endif
