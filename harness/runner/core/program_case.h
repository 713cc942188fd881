/* A user's own program as a case of the catalog, so that bench, matrix and
 * bisect judge it exactly as `check` does: CLEAN is what it did (exit 0, no
 * report, no hang), never the case contract of DONE; its own arguments; the
 * user's environment kept; the expectation, server and limits of check's
 * options. The matrix's cells and the bisection's steps (the runner's own
 * children) are handed the same program with the same options. */
#ifndef ZR_PROGRAM_CASE_H
#define ZR_PROGRAM_CASE_H

#include <stddef.h>

#include "catalog.h"
#include "modes.h"

struct zr_program_request {
    int argc;
    char **argv;             /* PROGRAM ARGS (as given) */
    const char *expect;      /* --expect, or NULL: clean */
    const char *server_mode; /* --server, or "none" */
    double timeout_s;        /* --timeout, or 0 */
    double stall_s;          /* --stall, or -1 */
    int nmodes;              /* -m, or 0: every mode */
    const struct zr_mode *const *modes;
};

/* A user's program by the name it was given: a file here (its absolute
 * path), else a program on PATH; NULL when there is none. malloc'd. */
char *zr_user_program_path(const char *name);

/* Adds the program as the case "program/<its file name>". NULL with the
 * cause in err (no such program, a bad --expect). */
struct zr_case_spec *zr_catalog_add_program(struct zr_catalog *cat, const struct zr_program_request *r, char *err,
                                            size_t errlen);

/* The argv of a child of the runner that runs this case or program (a
 * matrix's cell, a bisection's step): the runner, COMMAND, OPTIONS (NULL-
 * terminated), then the case's name, or for a program its judging options
 * and -- PROGRAM ARGS. A malloc'd array to free; its strings point into the
 * arguments, spec, or buf (of at least 64 bytes). */
char **zr_case_child_argv(const struct zr_case_spec *spec, const char *command, char *const *options, char *buf,
                          size_t buflen);

#endif
