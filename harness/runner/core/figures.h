/* The figures of one case in one mode on one build, from its attempts:
 * attempts, rate, median and worst time to detect, median run time, the
 * outcomes, signatures and symptoms seen. Shared by bench and matrix. */
#ifndef ZR_FIGURES_H
#define ZR_FIGURES_H

#include <jansson.h>

#include "case_run.h"

json_t *zr_figures(const struct zr_case_run *run);

/* The median of v[0..n) (sorts v); NAN when n is 0. */
double zr_median(double *v, int n);

#endif
