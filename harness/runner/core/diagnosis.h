/* "My usage or libzmq?": a few lines that say, from the evidence of a
 * verdict, whose doing a failure is. For a TSan race: which libzmq call each
 * racing thread was in and the program's own frame that made it (for
 * Python, the script line, from faulthandler's dump after the report); a
 * race inside libzmq's own threads is said to be libzmq's (a bug, or a
 * missing suppression), never blamed on the program. */
#ifndef ZR_DIAGNOSIS_H
#define ZR_DIAGNOSIS_H

#include <stdbool.h>

#include "tsan_report.h"

/* The diagnosis of a TSan report; after is what the program printed after
 * the report (faulthandler's Python stacks), or NULL. malloc'd. */
char *zr_diagnose_tsan(const struct zr_tsan_report *r, const char *after);

/* The diagnosis of an ownership-checker report (its SUMMARY's signature). malloc'd. */
char *zr_diagnose_owner(const char *outcome, const char *signature);

/* The diagnosis of one of libzmq's own assertions (its symptom, the line
 * without its number: "Assertion failed: false (src/object.cpp)"): what it
 * means, and whose doing it usually is. NULL for an assertion the harness
 * knows nothing about. malloc'd. */
char *zr_diagnose_assertion(const char *symptom);

/* The diagnosis of a hang that is not in zmq_ctx_term, in user terms, from
 * its signature (the blocked calls of each thread) and whether a server
 * was there with every request answered. NULL when it says nothing more
 * than the signature. malloc'd. */
char *zr_diagnose_hang(const char *signature, bool server_answered_all);

/* The diagnosis of a hang in zmq_ctx_term (zmq_ctx_destroy, zmq_term;
 * Python's ctx.term(), ctx.destroy() without linger, a context's __del__),
 * from the socket log that libzr_loaded.so writes to ZR_SOCKETS_LOG (the
 * whole text, read while the program hangs) for process pid: which sockets
 * the termination waits for, where and in which thread each was made, its
 * LINGER and what it sent, and the fix. NULL when the log shows no
 * termination still inside libzmq, or none of its sockets that it could
 * wait for: then the hang is something else. malloc'd. */
char *zr_diagnose_term_hang(const char *sockets_log_text, long pid);

/* The same from the log's file (zr_sockets_log_path); NULL also when the
 * file is absent (the program never made a socket). malloc'd. */
char *zr_diagnose_term_hang_file(const char *sockets_log_path, long pid);

#endif
