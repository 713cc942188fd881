/* Whether a client's program is still making progress, over its whole
 * process tree: the client, every descendant (fork, multiprocessing,
 * subprocess; a double-forked daemon too, adopted by the runner as child
 * subreaper) and every process of its process group.
 *
 * A hang is what Go calls a deadlock: every thread of every process waits
 * with no deadline. Each thread's blocking system call and its arguments
 * are read from /proc/PID/task/TID/syscall (x86_64): poll with a timeout,
 * a timed futex, nanosleep... is a bounded wait, never a hang however long
 * it lasts; poll(-1), a futex without timeout, a blocking read or wait4 is
 * unbounded. libzmq's own threads (ZMQbg/...) and TSan's background thread
 * wake on their timers forever: they are not judged. */
#ifndef ZR_PROGRESS_H
#define ZR_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "waits.h"

struct zr_thread_view {
    pid_t pid, tid;
    char comm[20];
    char state;   /* R, S, D, T, t... */
    double cpu_s; /* on-CPU time */
    enum zr_wait wait;
    bool ignored; /* libzmq's ZMQbg/ threads, TSan's background thread: not judged */
    long nr;      /* the blocking syscall, -1 none */
    char where[160]; /* the syscall line without its by-value timeout: the same while the thread waits in one place */
};

struct zr_tree_sample {
    double cpu_s; /* every thread of every process but TSan's background thread, summed */
    int nprocs;
    pid_t *pids;
    int nthreads, threads_cap;
    struct zr_thread_view *threads;
    /* Since the tree's previous sample: a process or a judged thread came or
     * went, or a judged thread waits elsewhere than it last waited (another
     * syscall or other arguments) or left a wait with no deadline and came
     * back to it (it slept again in between). A thread that wakes on its timer and
     * waits again where it was has not moved; nor has one seen running
     * (the CPU it uses says whether it does anything). */
    bool moved;
    char why[200];
};

/* Every process seen in the tree during an attempt (start time: a pid used
 * again by another program is not ours), with its command line. */
struct zr_member {
    pid_t pid;
    unsigned long long start;
    char *cmdline; /* argv joined by blanks */
};

/* What the watch remembers of one judged thread: where it last waited. */
struct zr_known_thread {
    pid_t tid;
    bool seen; /* in the current sample */
    bool tsan; /* TSan's background thread: not judged from then on */
    char where[160];
    double since;   /* when it began to wait there (zr_now), 0 when not waiting */
    unsigned long long nvcsw; /* its voluntary context switches then */
    bool on_fd;     /* that wait is for a file descriptor (poll, epoll, select, read, recv), with no deadline */
    char comm[20];
};

struct zr_tree {
    pid_t root;
    int n, cap;
    struct zr_member *seen;
    int nthreads, threads_cap;
    struct zr_known_thread *threads;
};

/* Makes the runner the child subreaper (PR_SET_CHILD_SUBREAPER): an orphan
 * of the client's tree is re-parented to the runner, not to init, and so is
 * still found. Idempotent. */
void zr_become_subreaper(void);

void zr_tree_init(struct zr_tree *t, pid_t root);
void zr_tree_free(struct zr_tree *t);

/* Samples the tree: its live processes now (found again from /proc), each
 * thread's CPU and wait. 0, or -1 when no process of it is left. */
int zr_tree_sample(struct zr_tree *t, struct zr_tree_sample *out);
void zr_tree_sample_free(struct zr_tree_sample *s);

/* The live processes of the tree now (no sample of threads); their count. */
int zr_tree_pids(struct zr_tree *t, pid_t *pids, int max);

/* Stops every process of the tree (SIGSTOP) and waits, up to timeout_s,
 * until each of their threads is stopped: what is read of it then comes
 * from one moment. zr_tree_thaw lets it go on (SIGCONT). */
void zr_tree_freeze(struct zr_tree *t, double timeout_s);
void zr_tree_thaw(struct zr_tree *t);

/* Kills every process of the tree (SIGKILL) until none is left (at most
 * timeout_s), and reaps those the runner adopted. */
void zr_tree_kill(struct zr_tree *t, double timeout_s);

/* Every judged thread waits with no deadline (and none runs). */
bool zr_tree_all_unbounded(const struct zr_tree_sample *s);
/* A judged thread that runs or waits with a deadline, for the report; NULL if none. */
const struct zr_thread_view *zr_tree_first_not_unbounded(const struct zr_tree_sample *s);

/* The tids of the judged threads of process pid that wait with no deadline
 * (at most max); their count. */
int zr_tree_unbounded_tids(const struct zr_tree_sample *s, pid_t pid, int *tids, int max);

/* The member record of pid, or NULL. */
const struct zr_member *zr_tree_member(const struct zr_tree *t, pid_t pid);

/* The judged thread that has waited longest in one place for a file
 * descriptor with no deadline, never leaving it (libzmq's zmq_ctx_term
 * waits so on its mailbox), or NULL. */
const struct zr_known_thread *zr_tree_longest_fd_wait(const struct zr_tree *t);

/* The state letter of a process (R, S, D, T, t, Z...), or 0 when gone. */
char zr_process_state(pid_t pid);

#endif
