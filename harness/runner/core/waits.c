#include "waits.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Which waits have a deadline: x86_64 syscall numbers and the argument
 * that carries the timeout. --- */

#define FUTEX_CMD_MASK_ (~(128 | 256)) /* FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME */

enum timeout_arg {
    NEVER,       /* no deadline */
    ALWAYS,      /* a sleep: always has one */
    BY_VALUE,    /* an int argument: >= 0 has one (poll, epoll_wait) */
    BY_POINTER,  /* a pointer argument: non-NULL has one */
    FUTEX_STYLE, /* futex: a waiting op with a non-NULL timeout pointer */
};

struct syscall_rule {
    long nr;
    const char *name;
    enum timeout_arg how;
    int arg; /* the timeout's argument */
};

static const struct syscall_rule rules[] = {
    { 7, "poll", BY_VALUE, 2 },
    { 271, "ppoll", BY_POINTER, 2 },
    { 23, "select", BY_POINTER, 4 },
    { 270, "pselect6", BY_POINTER, 4 },
    { 232, "epoll_wait", BY_VALUE, 3 },
    { 281, "epoll_pwait", BY_VALUE, 3 },
    { 441, "epoll_pwait2", BY_POINTER, 3 },
    { 35, "nanosleep", ALWAYS, 0 },
    { 230, "clock_nanosleep", ALWAYS, 0 },
    /* A timed wait interrupted by a signal goes on in restart_syscall;
     * an untimed one restarts the syscall itself. */
    { 219, "restart_syscall", ALWAYS, 0 },
    { 202, "futex", FUTEX_STYLE, 3 },
    { 449, "futex_waitv", BY_POINTER, 3 },
    { 128, "rt_sigtimedwait", BY_POINTER, 2 },
    { 220, "semtimedop", BY_POINTER, 3 },
    { 243, "mq_timedreceive", BY_POINTER, 4 },
    { 242, "mq_timedsend", BY_POINTER, 4 },
    { 299, "recvmmsg", BY_POINTER, 4 },
    { 208, "io_getevents", BY_POINTER, 4 },
    { 0, "read", NEVER, 0 },
    { 19, "readv", NEVER, 0 },
    { 17, "pread64", NEVER, 0 },
    { 1, "write", NEVER, 0 },
    { 20, "writev", NEVER, 0 },
    { 45, "recvfrom", NEVER, 0 },
    { 47, "recvmsg", NEVER, 0 },
    { 44, "sendto", NEVER, 0 },
    { 46, "sendmsg", NEVER, 0 },
    { 43, "accept", NEVER, 0 },
    { 288, "accept4", NEVER, 0 },
    { 42, "connect", NEVER, 0 },
    { 61, "wait4", NEVER, 0 },
    { 247, "waitid", NEVER, 0 },
    { 34, "pause", NEVER, 0 },
    { 130, "rt_sigsuspend", NEVER, 0 },
    { 72, "fcntl", NEVER, 0 },
    { 73, "flock", NEVER, 0 },
    { 65, "semop", NEVER, 0 },
    { 69, "msgsnd", NEVER, 0 },
    { 70, "msgrcv", NEVER, 0 },
    { 257, "openat", NEVER, 0 },
    { 2, "open", NEVER, 0 },
};

static const struct syscall_rule *rule_of(long nr)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].nr == nr)
            return &rules[i];
    return NULL;
}

const char *zr_syscall_name(long nr)
{
    const struct syscall_rule *r = rule_of(nr);
    return r ? r->name : NULL;
}

const char *zr_wait_name(enum zr_wait w)
{
    static const char *const names[] = { "running", "waiting with a deadline", "waiting with no deadline",
                                         "stopped or unknown" };
    return names[w];
}

/* "NR A0 A1 A2 A3 A4 A5 SP PC" (hex after NR): 0 with the numbers, -1 otherwise. */
static int parse_syscall(const char *line, long *nr, unsigned long long args[6])
{
    char *end;
    *nr = strtol(line, &end, 10);
    if (end == line)
        return -1;
    for (int i = 0; i < 6; i++) {
        const char *p = end;
        args[i] = strtoull(p, &end, 16);
        if (end == p)
            return -1;
    }
    return 0;
}

enum zr_wait zr_wait_of_syscall(const char *line, long *nr)
{
    *nr = -1;
    if (!strncmp(line, "running", 7))
        return ZR_WAIT_RUNNING;
    unsigned long long a[6];
    if (parse_syscall(line, nr, a) != 0 || *nr < 0) {
        *nr = -1;
        return ZR_WAIT_UNKNOWN; /* "-1 SP PC": blocked, but not in a system call */
    }
    const struct syscall_rule *r = rule_of(*nr);
    if (!r)
        return ZR_WAIT_UNBOUNDED; /* another blocking call: nothing gives it a deadline */
    switch (r->how) {
    case NEVER:
        return ZR_WAIT_UNBOUNDED;
    case ALWAYS:
        return ZR_WAIT_BOUNDED;
    case BY_VALUE:
        return (int)a[r->arg] >= 0 ? ZR_WAIT_BOUNDED : ZR_WAIT_UNBOUNDED;
    case BY_POINTER:
        return a[r->arg] ? ZR_WAIT_BOUNDED : ZR_WAIT_UNBOUNDED;
    case FUTEX_STYLE: {
        int cmd = (int)a[1] & FUTEX_CMD_MASK_;
        /* FUTEX_WAIT 0, LOCK_PI 6, WAIT_BITSET 9, WAIT_REQUEUE_PI 11, LOCK_PI2 13: the waits with a timeout. */
        bool waits = cmd == 0 || cmd == 6 || cmd == 9 || cmd == 11 || cmd == 13;
        return waits && a[3] ? ZR_WAIT_BOUNDED : ZR_WAIT_UNBOUNDED;
    }
    }
    return ZR_WAIT_UNKNOWN;
}

void zr_wait_place(const char *line, long nr, char *where, size_t len)
{
    const struct syscall_rule *r = nr >= 0 ? rule_of(nr) : NULL;
    if (!r || r->how != BY_VALUE) {
        snprintf(where, len, "%.*s", (int)strcspn(line, "\n"), line);
        return;
    }
    char copy[256];
    snprintf(copy, sizeof copy, "%.*s", (int)strcspn(line, "\n"), line);
    char *fields[9] = { 0 };
    int n = 0;
    for (char *tok = strtok(copy, " "); tok && n < 9; tok = strtok(NULL, " "))
        fields[n++] = tok;
    fields[1 + r->arg] = (char *)"T";
    where[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(where + used, len - used, "%s%s", i ? " " : "", fields[i]);
}

bool zr_wait_is_on_fd(long nr)
{
    static const long on_fd[] = { 7, 271, 23, 270, 232, 281, 441, 0, 19, 45, 47 };
    for (size_t i = 0; i < sizeof on_fd / sizeof on_fd[0]; i++)
        if (on_fd[i] == nr)
            return true;
    return false;
}
