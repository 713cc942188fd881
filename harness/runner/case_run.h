/* A case run in one mode: repeated attempts with the semantics of its
 * variant. A broken case runs until it reproduces or the attempts run out
 * (deflake); a fixed case runs every attempt and must meet its expectation
 * each time. */
#ifndef ZR_CASE_RUN_H
#define ZR_CASE_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "attempt.h"

enum zr_status { ZR_HELD = 0, ZR_NOT_HELD = 1, ZR_HARNESS_ERROR = 2 };

struct zr_case_run {
    const struct zr_case_spec *spec;
    enum zr_mode mode;
    int max_attempts;
    bool keep_going;       /* run every attempt (the benchmark's way) */
    int n;                 /* attempts run */
    struct zr_attempt *attempts;
    int met;               /* attempts that met the expectation */
    int deciding;          /* the attempt that decided the verdict, or -1 */
    double wall_s;
    double time_to_first_s; /* broken: start to the first reproduction's verdict; -1 if none */
    enum zr_status status;
    char status_text[512];
};

typedef void (*zr_progress_fn)(const struct zr_case_run *run, const struct zr_attempt *last, void *user);

void zr_case_run(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode,
                 int max_attempts, bool keep_going, zr_progress_fn progress, void *user, struct zr_case_run *run);
void zr_case_run_free(struct zr_case_run *run);

/* The result document of a run: the case, its expectation, every attempt,
 * and the environment (libzmq build, Python, compiler). */
json_t *zr_case_run_json(const struct zr_case_run *run, json_t *environment);

/* Writes doc as DIR/<stamp>-<family>-<name>-<mode>-<pid>.json, atomically
 * (a temporary file renamed into place). The path goes to path. */
int zr_write_result(const char *dir, const char *stem, json_t *doc, char *path, size_t len, char *err,
                    size_t errlen);

/* mkdir -p */
int zr_mkdirs(const char *dir);

#endif
