/* The perturbation's schedule (perturb_schedule.c) is a function of the seed
 * alone: the same seed gives the same slow threads and the same delays, so
 * that a run can be replayed; another seed gives another schedule; every
 * delay is one of the steps from 1 us to 256 us. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../perturb.h"

static void schedule(uint64_t seed, unsigned threads, unsigned points, unsigned *out)
{
    for (unsigned t = 0; t < threads; t++) {
        struct perturb_thread state = { 0 };
        perturb_thread_init(&state, seed, t);
        for (unsigned p = 0; p < points; p++)
            out[t * points + p] = perturb_next_delay_us(&state);
    }
}

static void the_same_seed_gives_the_same_schedule(void **unused)
{
    (void)unused;
    unsigned a[4 * 200], b[4 * 200], c[4 * 200];
    schedule(42, 4, 200, a);
    schedule(42, 4, 200, b);
    schedule(43, 4, 200, c);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
}

static void delays_are_steps_from_one_to_256_microseconds(void **unused)
{
    (void)unused;
    unsigned d[16 * 500];
    schedule(7, 16, 500, d);
    int delayed = 0;
    for (unsigned i = 0; i < 16 * 500; i++) {
        if (!d[i])
            continue;
        delayed++;
        assert_true(d[i] >= 1 && d[i] <= 256 && (d[i] & (d[i] - 1)) == 0);
    }
    /* Some threads are slow and some are not: neither none nor all points wait. */
    assert_true(delayed > 0 && delayed < 16 * 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_same_seed_gives_the_same_schedule),
        cmocka_unit_test(delays_are_steps_from_one_to_256_microseconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
