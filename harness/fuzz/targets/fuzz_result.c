/* The result of a check or run as bundle reads it: the input is the result
 * JSON, run through `zmq-repro bundle -o OUT RESULT`: the schema's check
 * (core/documents.c), then the bundle made of it (the program's source,
 * run.sh, ISSUE.md, report.txt, the tarball). Its "file" may name the
 * repository's cases and test programs: the target runs in the
 * repository's top folder. */
#include "bundle.h"
#include "catalog.h"
#include "commands.h"
#include "config.h"
#include "fuzz_folder.h"
#include "fuzz_input.h"

static char doc[512], out[512];
static struct zr_options options;
static struct zr_catalog catalog; /* empty: the argument is always a result file */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(doc, sizeof doc, "%s/result.json", zr_fuzz_folder());
    snprintf(out, sizeof out, "%s/out", zr_fuzz_folder());
    char err[256];
    if (zr_setup_defaults(&options.setup, err, sizeof err) != 0 || chdir(ZR_SOURCE_DIR) != 0)
        abort();
    options.setup.python = "/bin/false"; /* ISSUE.md asks it for pyzmq's origin: nothing to learn here */
    options.out_dir = out;
    atexit(zr_fuzz_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zr_fuzz_write(doc, data, size);
    char *args[] = { doc, NULL };
    zr_cmd_bundle(&options, &catalog, 1, args);
    zr_fuzz_remove(out);
    return 0;
}
