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
#include <link.h>
#include <pthread.h>
#include <poll.h>
#include <unistd.h>

/* libzmq's code, as address ranges, found once: asking dladdr at every call
 * costs a walk over the module's symbols, and a libzmq built from source
 * exports some 2000 (Debian's binary 70). Those microseconds, in every
 * thread at every poll and read, slowed the runs on such builds more than
 * the delays themselves, and hid the races the delays are there to widen. */
#define MAX_CODE_RANGES 8
struct code_range {
    uintptr_t start, end;
};
static struct code_range code_ranges[MAX_CODE_RANGES];
static _Atomic int ncode_ranges; /* published after the ranges are written */

struct find_module {
    uintptr_t base;
    int n;
};

static int collect_code_ranges(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct find_module *find = arg;
    bool ours = false;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && find->base >= start && find->base < start + ph->p_memsz)
            ours = true;
    }
    if (!ours)
        return 0;
    for (int i = 0; i < info->dlpi_phnum && find->n < MAX_CODE_RANGES; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X))
            code_ranges[find->n++] = (struct code_range){ info->dlpi_addr + ph->p_vaddr,
                                                          info->dlpi_addr + ph->p_vaddr + ph->p_memsz };
    }
    return 1;
}

bool perturb_set_libzmq(void *module_base)
{
    if (!module_base)
        return false;
    struct find_module find = { (uintptr_t)module_base, 0 };
    dl_iterate_phdr(collect_code_ranges, &find);
    atomic_store_explicit(&ncode_ranges, find.n, memory_order_release);
    return find.n > 0;
}

static bool called_from_libzmq(void *caller)
{
    int n = atomic_load_explicit(&ncode_ranges, memory_order_acquire);
    for (int i = 0; i < n; i++)
        if ((uintptr_t)caller >= code_ranges[i].start && (uintptr_t)caller < code_ranges[i].end)
            return true;
    return false;
}

/* Every thread, after such a poll or read, also passes one gate held for up
 * to a microsecond. Two threads that libzmq's signalling wakes together meet
 * there and go on into the mailbox together, where their commands race.
 * The gate first existed by accident: dladdr, asked here at each such call
 * before the code ranges above, takes the loader's lock. Measured with
 * `zmq-repro bench -m perturb -n 30` on Debian's 4.3.4: without a gate the
 * bounded-wait cases failed in 25 (C) and 27 (Python) of 30 runs, with it
 * in 30 and 30, and in 30 and 30 on a build of the same source. */
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

static void pass_gate(void)
{
    pthread_mutex_lock(&gate);
    uint64_t start = now_us();
    while (now_us() - start < 1)
        ; /* until the microsecond clock moves on */
    pthread_mutex_unlock(&gate);
}

void perturb_after_fork_in_child(void)
{
    pthread_mutex_init(&gate, NULL);
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
    if (owner_config.perturb && rc > 0 && called_from_libzmq(__builtin_return_address(0))) {
        pass_gate();
        perturb_point();
    }
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
    if (owner_config.perturb && rc > 0 && called_from_libzmq(__builtin_return_address(0))) {
        pass_gate();
        perturb_point();
    }
    return rc;
}
