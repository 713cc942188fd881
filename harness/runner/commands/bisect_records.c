/* The records of `zmq-repro bisect`, read back for the matrix's renderings. */
#include <stdio.h>
#include <string.h>

#include "bisect_records.h"
#include "documents.h"
#include "text.h"

json_t *zr_bisect_records_load(const struct zr_options *o)
{
    json_t *records = json_array();
    for (int i = 0; i < o->nbisects; i++) {
        char err[1024];
        json_t *record = zr_document_load(o->bisects[i], ZR_DOCUMENT_BISECT, err, sizeof err);
        if (!record) {
            fprintf(stderr, "zmq-repro: --bisect: ");
            zr_fput_terminal(stderr, err);
            fputs(" (a record that `zmq-repro bisect` wrote, e.g. results/bisect/*.json)\n", stderr);
            json_decref(records);
            return NULL;
        }
        json_array_append_new(records, record);
    }
    return records;
}

/* What a row shows of a record: the commit and what it was looked for
 * between; the steps and hosts stay in the record. */
static json_t *row_bisect(json_t *record)
{
    static const char *const shown[] = { "commit", "from", "to", "looking_for", "mode", "date", "subject", NULL };
    json_t *b = json_object();
    for (int i = 0; shown[i]; i++) {
        json_t *v = json_object_get(record, shown[i]);
        if (json_is_string(v))
            json_object_set(b, shown[i], v);
    }
    return b;
}

int zr_bisect_records_attach(json_t *records, json_t *rows)
{
    size_t i, k;
    json_t *record, *row;
    json_array_foreach(records, i, record) {
        const char *id = json_string_value(json_object_get(record, "case"));
        int matched = 0;
        json_array_foreach(rows, k, row) {
            const char *rid = json_string_value(json_object_get(row, "case"));
            if (rid && !strcmp(rid, id)) {
                json_object_set_new(row, "bisect", row_bisect(record));
                matched++;
            }
        }
        if (!matched) {
            fprintf(stderr, "zmq-repro: --bisect: the record of ");
            zr_fput_terminal(stderr, id);
            fprintf(stderr, " matches no row of the matrix: name the case it bisected, or leave the record out\n");
            return -1;
        }
    }
    return 0;
}
