/* Child processes of the runner: each in its own process group, its output
 * in files, waited for with a deadline, and killed with its whole group.
 * Every child dies with the runner (PR_SET_PDEATHSIG). SIGINT, SIGTERM and
 * SIGHUP kill every live child group at once and set a flag that the
 * commands read, so that what finished is kept, the rest is marked
 * interrupted, and the temporary folders are removed. */
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

/* Where a child's stdout or stderr goes: an fd of the runner's (a pipe's
 * write end, or 2 to pass stderr through), else a file, else /dev/null. */
struct zr_output {
    int fd;           /* >= 0: this fd */
    const char *path; /* else this file (created, truncated) */
};

struct zr_spawn {
    char *const *argv;
    char *const *envp;   /* NULL: the runner's own environment */
    struct zr_output out, err;
    const char *cwd;     /* NULL: the runner's */
    bool no_aslr;        /* personality(ADDR_NO_RANDOMIZE), as setarch -R */
    bool let_any_tracer; /* PR_SET_PTRACER_ANY: the stack tool (a sibling) may attach under Yama */
    int death_signal;    /* sent to the child when the runner dies (PR_SET_PDEATHSIG); 0: SIGKILL.
                          * SIGTERM lets a script end its own children and clean up. */
};

#define ZR_OUTPUT_NULL ((struct zr_output){ -1, NULL })
#define ZR_OUTPUT_FILE(p) ((struct zr_output){ -1, (p) })
#define ZR_OUTPUT_FD(f) ((struct zr_output){ (f), NULL })

/* Starts the child; on failure (fork, or exec of argv[0]) returns -1 with a
 * one-line cause in err. */
int zr_spawn(const struct zr_spawn *s, struct zr_proc *p, char *err, size_t errlen);

/* Runs a child to its end: its exit status (0 to 255), 128 + the signal
 * that ended it, or -1 when it could not start, did not end within
 * timeout_s, or the runner was interrupted (the cause in err). */
int zr_run_to_end(const struct zr_spawn *s, double timeout_s, char *err, size_t errlen);

/* The path of a program named without a slash, found on PATH (or
 * /usr/bin:/bin), malloc'd; a name with a slash as it is; NULL when none. */
char *zr_find_program(const char *name);

/* Runs argv (argv[0] looked up with zr_find_program; no shell) with stderr
 * to /dev/null, and returns the first line it prints on stdout without its
 * newline, malloc'd; NULL when it printed nothing, could not run or did not
 * end within timeout_s (it is killed then). */
char *zr_first_line_of(char *const *argv, double timeout_s);

/* The runner's own executable, for children that are the runner itself. */
const char *zr_self_path(void);

/* Waits for the child to end; true if it did within timeout_s. Returns early
 * (false) when the runner is interrupted. */
bool zr_wait(struct zr_proc *p, double timeout_s);

/* True once the child has ended (reaps it). */
bool zr_ended(struct zr_proc *p);

/* Sends sig to the child's whole process group. */
void zr_kill_group(struct zr_proc *p, int sig);

/* Kills the group, reaps the child and releases it. */
void zr_finish(struct zr_proc *p);

/* SIGTERM to the child's process group, up to grace_s for it to end (a
 * build script removing its scratch folder), then zr_finish. */
void zr_stop_gently(struct zr_proc *p, double grace_s);

/* True while pid is a child that the runner spawned and has not finished. */
bool zr_is_spawned(pid_t pid);

/* Reaps the runner's ended children that it did not spawn: orphans of a
 * client's tree adopted by the runner as child subreaper. */
void zr_reap_adopted(void);

/* Installs the SIGINT/SIGTERM/SIGHUP handler. */
void zr_install_interrupt_handler(void);

/* The signal that interrupted the runner, or 0. */
int zr_interrupted(void);

/* 128 + the signal: the exit status of an interrupted command. */
int zr_interrupted_exit_code(void);

double zr_now(void);

/* A private folder under TMPDIR (or /tmp), removed with everything in it by
 * zr_remove_tree, and by the runner's exit if still there. NULL with the
 * cause in err. */
char *zr_make_workdir(const char *what, char *err, size_t errlen);
void zr_remove_tree(char *dir); /* also frees dir */

/* "ipc://WORKDIR/NAME", or where that path is too long for a Unix socket (a
 * long TMPDIR), the same NAME in a short private folder under /tmp, given
 * in *short_dir (remove it with zr_remove_tree; NULL when not made). NULL
 * with the cause in err. */
char *zr_ipc_endpoint(const char *workdir, const char *name, char **short_dir, char *err, size_t errlen);

/* An environment built from the runner's own, with some variables set or removed. */
struct zr_env {
    char **vars;
    int n, cap;
};
void zr_env_init(struct zr_env *env);
void zr_env_set(struct zr_env *env, const char *name, const char *value); /* value NULL: remove */
const char *zr_env_get(const struct zr_env *env, const char *name);
void zr_env_free(struct zr_env *env);

#endif
