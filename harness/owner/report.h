/* The checker's reports, in the fixed format a runner parses (README.md):
 * every line starts with "==PID== zmq-owner: ", and the last line of a
 * finding is its SUMMARY. Each report is built in a static buffer (no
 * malloc) and written with one write(2) to stderr or ZMQ_OWNER_LOG. */
#ifndef ZMQ_OWNER_REPORT_H
#define ZMQ_OWNER_REPORT_H

#include <stdbool.h>

#include "socket_table.h"

/* Makes the first backtrace() happen now (it dlopens libgcc_s, which a
 * report must not have to do). */
void report_prepare(void);

/* Two threads inside calls on one socket: first was inside when second
 * entered. With fatal, the thread inside is signalled for its backtrace and
 * the process aborts after the report; report_overlap does not return. */
void report_overlap(const void *socket, int type, const struct call_site *first,
                    const struct call_site *second, bool fatal);

/* The socket changed owner thread from previous to next without a marked
 * migration (ZMQ_OWNER_HANDOFF=report). */
void report_handoff(const void *socket, int type, const struct call_site *previous,
                    const struct call_site *next);

/* ZMQ_OWNER_VERBOSE=1: the line printed once when the checker starts. */
void report_banner(const char *libzmq_path, int major, int minor, int patch);
/* Perturb mode's start line, instead of the banner above: the seed, and the
 * libzmq whose own waits and reads are delayed (NULL: none found, only the
 * socket calls are). */
void report_perturb_banner(unsigned long long seed, const char *libzmq_module);

/* ZMQ_OWNER_VERBOSE=1: what was checked, at exit. */
void report_statistics(const struct table_statistics *stats);

/* One line "WARNING: <a><b><c>" (b and c may be NULL). */
void report_warning(const char *a, const char *b, const char *c);

#endif
