/* Turns what a client process did (its exit, its output, the stacks taken
 * when the watchdog fired) into one outcome with its signature and the report
 * text that proves it. The text is always what TSan, libzmq, CPython or gdb
 * printed; nothing here invents a symptom. */
#ifndef ZR_CLASSIFY_H
#define ZR_CLASSIFY_H

#include <stdbool.h>

struct zr_run_output {
    bool exited;         /* exited normally: exit_code is valid */
    int exit_code;
    int signal;          /* the signal that ended it, when !exited */
    bool timed_out;      /* the watchdog fired: stacks holds gdb's output */
    const char *out;     /* the client's stdout */
    const char *err;     /* the client's stderr */
    const char *stacks;  /* gdb's "thread apply all bt", or NULL */
};

struct zr_verdict {
    char outcome[16];
    char signature[256];
    char *report;        /* malloc'd: the text that proves the outcome, or NULL */
    long long sent, received; /* from the DONE line; -1 when not given */
};

void zr_classify(const struct zr_run_output *run, struct zr_verdict *v);
void zr_verdict_free(struct zr_verdict *v);

/* Pieces, exposed for the unit tests. */
bool zr_find_tsan_report(const char *err, char *signature, int len, char **report);
bool zr_find_libzmq_abort(const char *err, char *signature, int len);
bool zr_find_fatal_python(const char *err, char *signature, int len);
void zr_hang_signature(const char *stacks, char *signature, int len);
bool zr_find_done(const char *out, long long *sent, long long *received);

#endif
