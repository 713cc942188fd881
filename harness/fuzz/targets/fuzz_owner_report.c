/* The ownership checker's report as the classifier reads it
 * (zr_find_owner_report in core/classify.c), and the verdict on a stderr
 * holding it, with and without the checker loaded. */
#include "classify.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = zr_fuzz_text(data, size);
    char outcome[24], *signature = NULL, *report = NULL;
    if (zr_find_owner_report(err, strlen(err), outcome, &signature, &report)) {
        free(signature);
        free(report);
    }
    for (int absent = 0; absent < 2; absent++) {
        struct zr_run_output run = { .exited = false, .signal = 6, .out = "", .err = err, .judged_by_exit = true,
                                     .owner_absent = absent, .tsan_absent = true, .python_absent = true };
        struct zr_verdict v;
        zr_classify(&run, &v);
        zr_verdict_free(&v);
    }
    free(err);
    return 0;
}
