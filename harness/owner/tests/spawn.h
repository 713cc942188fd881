/* Running one test program for the owner test driver and the benchmark
 * comparison: its stdout and stderr captured, the moments its "GO" line and
 * its checker SUMMARY line arrived, a time limit. The child is exec'd
 * directly (never through a shell: the checker must not be preloaded into
 * one). */
#ifndef OWNER_TEST_SPAWN_H
#define OWNER_TEST_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

struct spawn_result {
    bool timed_out;       /* killed at the time limit */
    int exit_status;      /* when it exited, else -1 */
    int signal;           /* the signal that ended it, else 0 */
    char *out, *err;      /* captured text, NUL-terminated (malloc'd) */
    size_t out_length, err_length;
    double go_at;         /* seconds from the start to the line "GO" on stdout; -1 if none */
    double summary_at;    /* ... to the first "zmq-owner: SUMMARY:" on stderr; -1 if none */
    double ended_at;      /* ... to the end */
    double cpu_s;         /* user + system CPU time of the child (and its children) */
};

/* Runs argv[0] (a path) with argv, the current environment minus every
 * ZMQ_OWNER_* variable, plus env (NULL-terminated "NAME=VALUE" strings).
 * Returns 0, or -1 if it could not even start it. */
int spawn_and_capture(char *const argv[], char *const env[], double time_limit_s,
                      struct spawn_result *result);

void spawn_result_free(struct spawn_result *result);

#endif
