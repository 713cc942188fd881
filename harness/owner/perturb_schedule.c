#include "perturb.h"

/* rr's chaos mode makes about one thread in ten slow, the main one more
 * often; the first threads of a reproduction are the ones that matter, so
 * here a thread is slow with probability 1/2, and waits at about every
 * other point. */
#define SLOW_ONE_IN 2
#define DELAY_ONE_IN 2
/* Delays of 1 us, 2 us, 4 us ... 256 us. Up to 2048 us was measured too
 * (bench -m perturb -n 40, the bounded-wait cases): the Python case's
 * median time to its verdict went from 1.07 s to 1.43 s, the C case's rate
 * from 95 % to 85 %; a long sleep only slows the exchange down. */
#define DELAY_STEPS 9

/* xorshift64*: small, fast, and the same sequence on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

void perturb_thread_init(struct perturb_thread *t, uint64_t seed, unsigned ordinal)
{
    /* splitmix64 of (seed, ordinal): a different, reproducible state per thread. */
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (ordinal + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    t->state = (z ^ (z >> 31)) | 1;
    t->slow = next_random(&t->state) % SLOW_ONE_IN == 0;
    t->ready = true;
}

unsigned perturb_next_delay_us(struct perturb_thread *t)
{
    uint64_t r = next_random(&t->state);
    if (!t->slow || r % DELAY_ONE_IN != 0)
        return 0;
    return 1u << ((r >> 8) % DELAY_STEPS);
}
