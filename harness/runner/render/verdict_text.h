/* The lines a person reads of a run of attempts (a case with `run`, a
 * program with `check`): one per attempt, the verdict, the library the
 * client really loaded, the diagnosis, and the report that proves it. The
 * same for every command, so that what is pasted upstream looks the same. */
#ifndef ZR_VERDICT_TEXT_H
#define ZR_VERDICT_TEXT_H

#include <stdbool.h>

#include "case_run.h"

/* "PASS", "FAIL", "ERROR", "SKIP", "INTERRUPTED". */
const char *zr_status_word(enum zr_status s);

/* The process exit status of a run's status (commands.h's ZR_EXIT_*). */
int zr_exit_code_of(enum zr_status s);

/* "  attempt 2/5: TSAN data-race ... (0.21 s)": a zr_progress_fn. */
void zr_print_attempt_line(const struct zr_case_run *run, const struct zr_attempt *a, void *user);

/* "PASS what [mode on build]: ...", then the loaded library and the diagnosis. */
void zr_print_verdict(const struct zr_case_run *run, const char *what);

/* The report of the attempt that decided (unless it was clean), indented. */
void zr_print_report(const struct zr_case_run *run);

/* text, each line after indent. */
void zr_print_indented(const char *text, const char *indent);

#endif
