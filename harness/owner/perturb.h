/* Perturbation (ZMQ_OWNER_PERTURB=SEED, the runner's perturb mode): the
 * checker's wrappers, instead of reporting two threads inside one socket,
 * delay some threads at the entry and the exit of their socket calls, so
 * that one thread's call lands while another's is still inside the same
 * socket: libzmq then fails the way it fails for users after hours
 * (`Assertion failed: ... (src/object.cpp:170)`), in seconds. The drawing
 * follows rr's chaos mode (R. O'Callahan, "Deeper into chaos", 2016): a few
 * threads chosen as slow per run, delays spread geometrically from 1 us to
 * 256 us, their total bounded to a share of the run's time. Everything
 * comes from the seed, so that a run can be replayed with the same choices.
 * The perturbation never prints, asserts or aborts: the report that proves
 * a reproduction is still what libzmq, CPython or the kernel printed. */
#ifndef ZMQ_OWNER_PERTURB_H
#define ZMQ_OWNER_PERTURB_H

#include <stdbool.h>
#include <stdint.h>

/* One thread's drawing: whether it is slow, and its random state. */
struct perturb_thread {
    uint64_t state;
    bool slow;
    bool ready;
};

/* The schedule's pieces, pure functions of the seed (exposed for the test
 * that the same seed gives the same schedule). */
void perturb_thread_init(struct perturb_thread *t, uint64_t seed, unsigned ordinal);
/* The next delay of that thread in microseconds (0: none). */
unsigned perturb_next_delay_us(struct perturb_thread *t);

/* Where libzmq is loaded (real_libzmq's module_base), told at the first
 * wrapped call: the waits and reads delayed are the ones made from its code.
 * False when its code was not found (only the socket calls are delayed). */
bool perturb_set_libzmq(void *module_base);

/* In a forked child: the gate another thread held at the fork is free. */
void perturb_after_fork_in_child(void);

/* At a socket call's entry or exit, in the calling thread. */
void perturb_point(void);

#endif
