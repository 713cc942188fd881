/* What a fixed case's clean runs rule out, from its broken twin's rate
 * under the same mode and build: a lower confidence bound of that rate,
 * and the chance that that many clean runs would have missed a bug as
 * frequent. Shared by bench (its figures) and matrix (its pages). */
#ifndef ZR_POWER_H
#define ZR_POWER_H

#include <jansson.h>
#include <stdbool.h>

struct zr_power {
    int clean;          /* the fixed case's clean runs */
    int twin_met, twin_n; /* the twin's failing runs, of the runs judged */
    double twin_low;    /* the lower bound (one-sided 95 %, Wilson) of the twin's rate */
    double log10_miss;  /* log10 of (1 - twin_low)^clean; -INFINITY when twin_low is 1 */
    bool weak;          /* the twin fails too seldom here for the clean runs to say much */
};

void zr_power_compute(int clean, int twin_met, int twin_n, struct zr_power *p);

/* From the figures of the fixed case and of its twin on one build (a
 * bench row or a matrix cell: judged_as, attempts, errors,
 * meeting_expectation). The twin's failing runs are its met runs where it
 * was judged broken, its other judged runs where it was judged fixed (a
 * bug fixed upstream in that build). False when the fixed case was not
 * judged as fixed, or either has no judged run. */
bool zr_power_of(json_t *fixed, json_t *twin, struct zr_power *p);

/* "twin fails in 97/100 runs (>= 93%): 200 clean runs miss a bug that
 * frequent with probability < 1e-230", or the weak case said; malloc'd. */
char *zr_power_sentence(const struct zr_power *p);

#endif
