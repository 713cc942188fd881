/* The defaults that several parts of the runner share, in one place: how
 * many attempts a command makes, the progress watch, the server's pace, and
 * the schema version of each kind of document it writes (results/README.md). */
#ifndef ZR_DEFAULTS_H
#define ZR_DEFAULTS_H

/* `run` (and ctest's limit for it): a broken case tries until it reproduces,
 * a fixed one must be clean every time. */
#define ZR_RUN_ATTEMPTS_BROKEN 5
#define ZR_RUN_RUNS_FIXED 3
/* A matrix cell, a bisection step. */
#define ZR_CELL_ATTEMPTS 5
/* bench: every attempt runs. */
#define ZR_BENCH_ATTEMPTS 20

/* No progress for this long is a hang (a case's @stall, check's --stall). */
#define ZR_DEFAULT_STALL_S 0.5
/* The ROUTER server's delay in its delay and slow modes (@server-delay-ms). */
#define ZR_DEFAULT_SERVER_DELAY_MS 10

/* The schema of each kind of document, raised when its fields change meaning. */
#define ZR_SCHEMA_RUN 2    /* run and check results */
#define ZR_SCHEMA_BENCH 2
#define ZR_SCHEMA_MATRIX 2
#define ZR_SCHEMA_SUITE 2
#define ZR_SCHEMA_SOAK 2
#define ZR_SCHEMA_BUILD 1  /* a build's build-info.json */

#endif
