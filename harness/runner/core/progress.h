/* Whether a client is still making progress: the CPU time of every thread
 * of every process in its process group, and whether any of them is
 * runnable. A client whose threads all sleep and use no CPU while the
 * server has answered everything is stuck for good (a lost wake-up, a
 * deadlock, a hang in zmq_ctx_term): the runner need not wait for the
 * watchdog to say so. */
#ifndef ZR_PROGRESS_H
#define ZR_PROGRESS_H

#include <stdbool.h>
#include <sys/types.h>

struct zr_group_sample {
    double cpu_s;  /* on-CPU time of every thread, summed */
    bool running;  /* some thread is runnable (R) or in uninterruptible sleep (D) */
    int nprocs;    /* processes found in the group */
};

/* Samples the process group pgid (the client's pid: each client leads its
 * own group). 0, or -1 when no process of the group is left. */
int zr_group_sample(pid_t pgid, struct zr_group_sample *out);

/* The state letter of a process (R, S, D, T, t, Z...), or 0 when gone. */
char zr_process_state(pid_t pid);

#endif
