#include "perturb.h"

#include "owner_config.h"

#include <stdatomic.h>
#include <time.h>

/* The delays of all threads stay under this share of the run's time. */
#define MAX_SHARE_PERCENT 20

static _Atomic unsigned next_ordinal;
static _Atomic uint64_t delayed_us; /* by every thread, since the start */
static _Atomic uint64_t start_us;
static __thread struct perturb_thread thread_state __attribute__((tls_model("initial-exec")));

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void perturb_point(void)
{
    struct perturb_thread *t = &thread_state;
    if (!t->ready) {
        uint64_t zero = 0, now = now_us();
        atomic_compare_exchange_strong(&start_us, &zero, now);
        perturb_thread_init(t, owner_config.perturb_seed, atomic_fetch_add(&next_ordinal, 1));
    }
    unsigned delay = perturb_next_delay_us(t);
    if (!delay)
        return;
    uint64_t before = now_us(), elapsed = before - atomic_load(&start_us);
    if ((atomic_load(&delayed_us) + delay) * 100 > (elapsed + delay) * MAX_SHARE_PERCENT)
        return;
    struct timespec ts = { 0, (long)delay * 1000 };
    nanosleep(&ts, NULL);
    /* The time really slept is counted: the kernel's timer slack (50 us by
     * default) makes a delay of 1 us last some 60, and counting what was
     * asked let the delays take most of a run's time. */
    atomic_fetch_add(&delayed_us, now_us() - before);
}

/* --- Inside libzmq: its own waits and reads on its signalling -------------
 * A socket's mailbox is a pipe plus a signaler (an eventfd): a thread polls
 * the eventfd, reads it, then takes the command from the pipe. Two threads
 * in one socket race in between: a delay right after such a poll or read
 * returns, in the thread that libzmq's own code made it, lets the other
 * thread take the command first. Only calls made from inside libzmq are
 * delayed; the program's own reads and polls run as they are. */

#include <dlfcn.h>
#include <poll.h>
#include <unistd.h>

static _Atomic(void *) libzmq_base;

void perturb_set_libzmq(void *module_base)
{
    atomic_store_explicit(&libzmq_base, module_base, memory_order_relaxed);
}

static bool called_from_libzmq(void *caller)
{
    Dl_info info;
    void *base = atomic_load_explicit(&libzmq_base, memory_order_relaxed);
    return base && dladdr(caller, &info) && info.dli_fbase == base;
}

typedef int (*poll_fn)(struct pollfd *, nfds_t, int);
typedef ssize_t (*read_fn)(int, void *, size_t);

__attribute__((visibility("default"))) int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    static _Atomic(poll_fn) real;
    poll_fn f = atomic_load_explicit(&real, memory_order_relaxed);
    if (!f) {
        f = (poll_fn)dlsym(RTLD_NEXT, "poll");
        atomic_store_explicit(&real, f, memory_order_relaxed);
    }
    int rc = f(fds, nfds, timeout);
    if (owner_config.perturb && rc > 0 && called_from_libzmq(__builtin_return_address(0)))
        perturb_point();
    return rc;
}

__attribute__((visibility("default"))) ssize_t read(int fd, void *buf, size_t count)
{
    static _Atomic(read_fn) real;
    read_fn f = atomic_load_explicit(&real, memory_order_relaxed);
    if (!f) {
        f = (read_fn)dlsym(RTLD_NEXT, "read");
        atomic_store_explicit(&real, f, memory_order_relaxed);
    }
    ssize_t rc = f(fd, buf, count);
    if (owner_config.perturb && rc > 0 && called_from_libzmq(__builtin_return_address(0)))
        perturb_point();
    return rc;
}
