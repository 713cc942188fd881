/* Bench figures as compare reads them: the input is two documents
 * separated by 0x1e (one alone is compared with itself), run through
 * `zmq-repro compare OLD NEW`: the schema's check (core/documents.c), then
 * the rows set side by side. */
#include "commands.h"
#include "fuzz_folder.h"
#include "fuzz_input.h"

static char old_path[512], new_path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(old_path, sizeof old_path, "%s/old.json", zr_fuzz_folder());
    snprintf(new_path, sizeof new_path, "%s/new.json", zr_fuzz_folder());
    atexit(zr_fuzz_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = memchr(data, ZR_FUZZ_SEPARATOR, size);
    size_t n = sep ? (size_t)(sep - data) : size;
    zr_fuzz_write(old_path, data, n);
    if (sep)
        zr_fuzz_write(new_path, sep + 1, size - n - 1);
    zr_cmd_compare(old_path, sep ? new_path : old_path);
    return 0;
}
