/* What the loaded-library probe (harness/preload/loaded_libzmq.c) wrote:
 * one line per process that mapped a libzmq, "LOADED pid=N version=V
 * path=P". The one reading of it, and the one judgement of whether a
 * process ran on the build it was asked to run on, for a client, a
 * Python probe and every process of a test suite. */
#ifndef ZR_LOADED_H
#define ZR_LOADED_H

#include <stdbool.h>
#include <sys/types.h>

#include "builds.h"

struct zr_loaded {
    pid_t pid;
    char *version; /* its own zmq_version() */
    char *path;    /* the file it mapped */
    bool known;    /* the probe said which runtimes were loaded (an older probe did not) */
    bool tsan, owner, python; /* ThreadSanitizer, the ownership checker, CPython were loaded */
};

/* Every LOADED line of the probe's log (the text of zr_loaded_log_path's
 * file), into a malloc'd array; their number (0 for none or NULL text). */
int zr_loaded_parse(const char *text, struct zr_loaded **out);
void zr_loaded_free(struct zr_loaded *l, int n);

/* The line of that process, or NULL. */
const struct zr_loaded *zr_loaded_of(const struct zr_loaded *l, int n, pid_t pid);

/* Which runtimes some process of the tree had loaded: a report of TSan, of
 * the checker or of CPython counts only where its runtime was there.
 * all_known is false when no line said (then nothing can be excluded). */
struct zr_runtimes {
    bool all_known, tsan, owner, python;
};
struct zr_runtimes zr_loaded_runtimes(const struct zr_loaded *l, int n);

/* True when path (resolved) is the build's own library file. */
bool zr_loaded_is_build(const struct zr_build *build, const char *path);

#endif
