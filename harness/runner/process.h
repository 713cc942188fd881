/* Child processes of the runner: each in its own process group, its output
 * in files, waited for with a deadline, and killed with its whole group.
 * Every child dies with the runner (PR_SET_PDEATHSIG), and the runner's
 * SIGINT/SIGTERM handler kills every group still alive, so that no run
 * leaves a process behind, also when ctest kills the runner. */
#ifndef ZR_PROCESS_H
#define ZR_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct zr_proc {
    pid_t pid;
    int pidfd;
    bool reaped;
    int status; /* as from waitpid, once reaped */
};

struct zr_spawn {
    char *const *argv;
    char *const *envp;      /* NULL: the runner's own environment */
    const char *stdout_path; /* NULL with stdout_fd < 0: /dev/null */
    int stdout_fd;          /* a pipe's write end instead of a file, or -1 */
    const char *stderr_path; /* NULL: /dev/null */
    bool no_aslr;           /* personality(ADDR_NO_RANDOMIZE), as setarch -R */
};

/* Starts the child; on failure (fork, or exec of argv[0]) returns -1 with a
 * one-line cause in err. */
int zr_spawn(const struct zr_spawn *s, struct zr_proc *p, char *err, size_t errlen);

/* Waits for the child to end; returns true if it did within timeout_s. */
bool zr_wait(struct zr_proc *p, double timeout_s);

/* Sends sig to the child's whole process group. */
void zr_kill_group(struct zr_proc *p, int sig);

/* Kills the group, reaps the child and releases it. */
void zr_finish(struct zr_proc *p);

/* Runs gdb in batch mode on a live process and returns every thread's
 * backtrace (malloc'd), or NULL with the cause in err. */
char *zr_capture_stacks(pid_t pid, const char *workdir, double timeout_s, char *err, size_t errlen);

/* Installs the SIGINT/SIGTERM/SIGHUP handler that kills live children. */
void zr_install_cleanup_handler(void);

double zr_now(void);

/* An environment built from the runner's own, with some variables set or removed. */
struct zr_env {
    char **vars;
    int n, cap;
};
void zr_env_init(struct zr_env *env);
void zr_env_set(struct zr_env *env, const char *name, const char *value); /* value NULL: remove */
void zr_env_free(struct zr_env *env);

#endif
