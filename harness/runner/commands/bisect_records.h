/* The records `zmq-repro bisect` writes (the files of results/bisect/), read back
 * by `matrix --bisect FILE` and `merge --bisect FILE`: the commit a
 * bisection found is shown beside the row whose verdict changes between
 * versions. A record may come from another machine: it is checked against
 * its schema (core/documents.c, kind "bisect") before anything runs. */
#ifndef ZR_BISECT_RECORDS_H
#define ZR_BISECT_RECORDS_H

#include <jansson.h>

#include "commands.h"

/* Every --bisect file of o, checked; a JSON list of records (empty without
 * --bisect). NULL with a message printed when one cannot be read or is not
 * a bisect record. */
json_t *zr_bisect_records_load(const struct zr_options *o);

/* Each record's commit set as rows[].bisect of every row of its case (a
 * later record of the same case wins). -1 with a message printed when a
 * record's case is not a row of rows (a JSON list of {case, mode, ...}). */
int zr_bisect_records_attach(json_t *records, json_t *rows);

#endif
