/* Which waits have a deadline: a thread's blocking system call and its
 * arguments, as /proc/PID/task/TID/syscall shows them (x86_64 numbers).
 * poll with a timeout >= 0, ppoll, select and pselect6 with a timeout
 * pointer, epoll_wait with a timeout >= 0, nanosleep, a futex wait with a
 * timeout: bounded, never a hang however long they last. poll(-1), a futex
 * without timeout, a blocking read, recv, accept or wait4: unbounded. */
#ifndef ZR_WAITS_H
#define ZR_WAITS_H

#include <stdbool.h>
#include <stddef.h>

enum zr_wait {
    ZR_WAIT_RUNNING,   /* on a CPU or runnable, or in uninterruptible sleep */
    ZR_WAIT_BOUNDED,   /* blocked with a deadline */
    ZR_WAIT_UNBOUNDED, /* blocked with no deadline */
    ZR_WAIT_UNKNOWN,   /* stopped, not in a system call, or the kernel would not say */
};

/* The wait of one /proc/PID/task/TID/syscall line: "running", "-1 SP PC",
 * or "NR ARG0..ARG5 SP PC" in hex. The syscall number goes to nr (-1: none). */
enum zr_wait zr_wait_of_syscall(const char *line, long *nr);
const char *zr_wait_name(enum zr_wait w);
/* The name of an x86_64 syscall number the watch knows, or NULL. */
const char *zr_syscall_name(long nr);

/* The syscall line with a by-value timeout blanked (zmq_poll passes what is
 * left of its timeout, a little less each call), everything else kept: the
 * same while the thread waits in the same place. */
void zr_wait_place(const char *line, long nr, char *where, size_t len);

/* A wait for a file descriptor (poll, select, epoll, read, recv). */
bool zr_wait_is_on_fd(long nr);

#endif
