/* The stacks of a hung client (core/stacks.c) on any text: eu-stack's
 * output parsed and summed up, the tree's stacks with their header lines,
 * and faulthandler's Python stacks. The input is the stacks, then 0x1e,
 * then the client's stderr (faulthandler's dump). */
#include "fuzz_input.h"
#include "stacks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = zr_fuzz_text(data, size);
    char *f[2];
    zr_fuzz_fields(text, f, 2);
    struct zr_native_stacks s;
    if (zr_native_stacks_parse(f[0], &s) == 0) {
        free(zr_native_hang_summary(&s));
        free(zr_native_hang_calls(&s));
        zr_native_stacks_free(&s);
    }
    char *native = NULL, *calls = NULL;
    zr_tree_hang_signature(f[0], &native, &calls);
    free(native);
    free(calls);
    free(zr_python_hang_summary(f[1]));
    free(zr_tree_python_summary(f[1], f[0]));
    free(text);
    return 0;
}
