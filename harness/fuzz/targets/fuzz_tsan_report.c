/* ThreadSanitizer's report parser (core/tsan_report.c) on any text: every
 * report of it parsed in turn as the classifier does, signed, matched
 * against expectations and judged libzmq's or the user's. */
#include <stdio.h>

#include "fuzz_input.h"
#include "tsan_report.h"

static void use_stack(const struct zr_tsan_report *r, const struct zr_stack *s)
{
    zr_stack_top(s);
    zr_stack_first(s, ZR_FRAME_USER);
    zr_stack_first(s, ZR_FRAME_LIBZMQ);
    zr_stack_api_call(s);
    if (s->thread)
        zr_tsan_thread_creation(r, s->thread);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const expectations[] = { "data-race", "data race:@libzmq", "*:@user", "zmq::mailbox_t",
                                                "thread-leak:zmq", "heap-use-after-free:@python", "*" };
    char *text = zr_fuzz_text(data, size);
    size_t offset = 0;
    struct zr_tsan_report r;
    for (int n = 0; n < 1000 && zr_tsan_parse(text, offset, &r) == 1; n++) {
        char buf[200];
        zr_tsan_signature(&r, buf, sizeof buf);
        free(zr_tsan_signature_dup(&r));
        for (size_t e = 0; e < sizeof expectations / sizeof expectations[0]; e++)
            zr_tsan_matches(&r, expectations[e]);
        zr_tsan_libzmq_internal(&r);
        for (int i = 0; i < r.naccesses; i++)
            use_stack(&r, &r.accesses[i]);
        for (int i = 0; i < r.nother; i++)
            use_stack(&r, &r.other[i]);
        size_t next = r.end;
        zr_tsan_report_free(&r);
        /* The classifier goes on at r.end: a report that ends where it began would loop forever. */
        if (next <= offset || next > size) {
            fprintf(stderr, "zr_tsan_parse: a report at %zu ends at %zu (text of %zu bytes)\n", offset, next, size);
            abort();
        }
        offset = next;
    }
    free(text);
    return 0;
}
