/* matrix.json as merge reads it: the input is the matrix.json of a folder
 * (which also holds reports/r.txt, for the cells that name a report), run
 * through `zmq-repro merge OUT DIR`: the schema's check (core/documents.c),
 * then the merge (builds matched by key, clashing names renamed, cells and
 * reports copied) and the rendering of matrix.md and index.html. */
#include <sys/stat.h>

#include "fuzz_folder.h"
#include "fuzz_input.h"
#include "matrix.h"

static char in[512], out[512], doc[600];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(in, sizeof in, "%s/in", zr_fuzz_folder());
    snprintf(out, sizeof out, "%s/out", zr_fuzz_folder());
    snprintf(doc, sizeof doc, "%s/matrix.json", in);
    char reports[600];
    snprintf(reports, sizeof reports, "%s/reports", in);
    if (mkdir(in, 0700) != 0 || mkdir(reports, 0700) != 0)
        abort();
    char report[700];
    snprintf(report, sizeof report, "%s/r.txt", reports);
    zr_fuzz_write(report, "a report\n", 9);
    atexit(zr_fuzz_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zr_fuzz_write(doc, data, size);
    char *args[] = { out, in, NULL };
    static const struct zr_options options; /* merge's defaults */
    zr_cmd_merge(&options, 2, args);
    zr_fuzz_remove(out);
    return 0;
}
