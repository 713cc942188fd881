/* The outcomes an attempt can have: one table that the case headers'
 * parser, `check --expect`, the judgement, the figures, the bundles and the
 * matrix page all read. A new outcome is one entry here (and the place in
 * classify.c that finds its evidence). */
#ifndef ZR_OUTCOMES_H
#define ZR_OUTCOMES_H

#include <stdbool.h>

enum zr_outcome_kind {
    ZR_OUTCOME_CLEAN,   /* nothing went wrong: a fixed pattern's result */
    ZR_OUTCOME_FAILURE, /* a failure the program showed: what a reproduction is made of */
    ZR_OUTCOME_HARNESS, /* the harness could not judge the run: never a verdict on the program */
};

struct zr_outcome {
    const char *name;         /* as printed, in results and in @expect: "TSAN" */
    enum zr_outcome_kind kind;
    const char *bundle_class; /* the class a bundle's run.sh recognises ("tsan"), or NULL: not bundled */
    const char *meaning;      /* one line, for --help and error messages */
    bool programs_own;        /* a failure of the program's own making (a non-zero exit), that no runtime
                                 reported: never counted by --expect any-failure */
};

extern const struct zr_outcome zr_outcomes[];
extern const int zr_noutcomes;

/* The outcome of that name, or NULL. */
const struct zr_outcome *zr_outcome_find(const char *name);
/* The outcome a symptom key starts with ("HANG zmq_ctx_term" -> HANG), or NULL. */
const struct zr_outcome *zr_outcome_of_key(const char *key);

/* What a case header or --expect may name: every clean or failure outcome. */
bool zr_outcome_expectable(const char *name);
bool zr_outcome_is_clean(const char *name);
bool zr_outcome_is_failure(const char *name);
bool zr_outcome_is_harness(const char *name);

/* The failures --expect any-failure counts: those a runtime reported (TSan,
 * libzmq, the ownership checker, CPython, the kernel) and hangs. */
bool zr_outcome_is_reported_failure(const char *name);

/* "CLEAN NOISE TSAN ...": the expectable outcomes, for messages. */
const char *zr_outcome_expectable_names(void);

#endif
