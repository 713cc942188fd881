/* The bundle's run.sh. */
#ifndef ZR_RUN_SH_H
#define ZR_RUN_SH_H

#include <stdio.h>

#include "bundle_content.h"

/* Writes dir/run.sh (executable). 0, or -1 when it cannot be written. */
int zr_write_run_sh(const struct zr_bundle *b, const char *dir);

/* run.sh's classify(): what one run showed, from $tmp/err, $tmp/out, $rc
 * and $hung, as one class word (tsan, assert, fatal-python, hang, signal,
 * exit, loss, noise, clean). */
void zr_run_sh_write_classifier(FILE *f);

#endif
