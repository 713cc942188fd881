/* A case run in one mode on one libzmq build: repeated attempts with the
 * semantics of how the case is judged there. A broken case runs until it
 * reproduces or the attempts run out; a fixed case (or a broken one that
 * libzmq fixed in this version, @fixed-in) runs every attempt and must meet
 * its expectation each time. */
#ifndef ZR_CASE_RUN_H
#define ZR_CASE_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "attempt.h"
#include "case_spec.h"

enum zr_status {
    ZR_HELD = 0,
    ZR_NOT_HELD = 1,
    ZR_HARNESS_ERROR = 2,
    ZR_SKIPPED = 3,     /* cannot be judged here (a hang whose stacks cannot be taken) */
    ZR_INTERRUPTED = 4, /* the runner was interrupted before the verdict */
};

const char *zr_status_name(enum zr_status s); /* "held", "not held", "error", "skipped", "interrupted" */

struct zr_case_run {
    const struct zr_case_spec *spec;
    int mode;
    const struct zr_build *build;
    struct zr_judgement judged;
    int max_attempts;
    bool keep_going;        /* run every attempt (the benchmark's way) */
    int n;                  /* attempts run */
    struct zr_attempt *attempts;
    int met;                /* attempts that met the expectation */
    int undecidable;        /* attempts that could not be judged here */
    int deciding;           /* the attempt that decided the verdict, or -1 */
    double wall_s;
    double time_to_first_s; /* broken: start to the first reproduction's verdict; -1 if none */
    enum zr_status status;
    char *status_text;
};

typedef void (*zr_progress_fn)(const struct zr_case_run *run, const struct zr_attempt *last, void *user);

/* The path of a case's client program for a mode (built C binary, or the
 * script), and the attempt spec of one attempt. */
char *zr_case_program_path(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode);
void zr_case_attempt_spec(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode,
                          const struct zr_build *build, struct zr_attempt_spec *a);
void zr_case_attempt_spec_free(struct zr_attempt_spec *a);

void zr_case_run(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode, const struct zr_build *build,
                 int max_attempts, bool keep_going, zr_progress_fn progress, void *user, struct zr_case_run *run);
void zr_case_run_free(struct zr_case_run *run);

/* The same with an attempt spec of the caller's (a user's program under
 * `check`): spec gives the expectations, the judgement and the names. */
void zr_run_attempts(const struct zr_setup *setup, const struct zr_attempt_spec *aspec,
                     const struct zr_case_spec *spec, int mode, int max_attempts, bool keep_going,
                     zr_progress_fn progress, void *user, struct zr_case_run *run);

/* The JSON of one attempt, and the result document of a run: the case, how
 * it was judged, every attempt, the build and the environment. */
json_t *zr_attempt_json(const struct zr_attempt *a, int index, bool with_report);
json_t *zr_case_run_json(const struct zr_case_run *run, json_t *environment);

/* Writes doc as DIR/<stamp>-<stem>-<pid>.json, atomically. The path goes to path. */
int zr_write_result(const char *dir, const char *stem, json_t *doc, char *path, size_t len, char *err,
                    size_t errlen);

/* The judgement of a case in a mode on a build by the run's interpreter
 * (zr_case_judgement with the libzmq build's and the probed Python's versions). */
struct zr_judgement zr_case_judgement_here(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode,
                                           const struct zr_build *build);

#endif
