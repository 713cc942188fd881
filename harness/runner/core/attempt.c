#include "attempt.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diagnosis.h"
#include "loaded.h"
#include "open_sockets.h"
#include "process.h"
#include "progress.h"
#include "python_builds.h"
#include "server.h"
#include "stacks.h"
#include "text.h"

#define TICK_S 0.05              /* how often the client and the server are looked at */
#define STACK_TOOL_TIMEOUT_S 10.0
#define FAULTHANDLER_WAIT_S 2.0  /* for faulthandler's dump after the SIGABRT */
#define FREEZE_WAIT_S 1.0        /* for every thread of the tree to stop */
#define KILL_WAIT_S 2.0          /* for every process of the tree to be gone */
#define LINGER_GRACE_S 1.0       /* for a descendant to end on its own after the client ended */
/* Before the client has loaded libzmq, on top of the watchdog: twice the
 * watchdog, within these bounds (times ZR_TIMEOUT_MULTIPLIER). */
#define START_BUDGET_MIN_S 5.0
#define START_BUDGET_MAX_S 20.0
#define SERVER_STALE_S 1.0       /* no heartbeat for this long: the server is stuck */
#define SERVER_FRESH_S 0.2       /* a heartbeat this recent: the server's loop is turning */
/* A sleeping client still spends a little CPU (TSan's background thread,
 * CPython's GIL timer): below this share of the window it made no progress. */
#define IDLE_CPU_SHARE 0.02
#define IDLE_CPU_FLOOR_S 0.002

static void error(struct zr_attempt *a, char *signature)
{
    snprintf(a->verdict.outcome, sizeof a->verdict.outcome, "ERROR");
    free(a->verdict.signature);
    a->verdict.signature = signature;
    if (!a->verdict.symptom)
        a->verdict.symptom = zr_strdup_printf("%s", signature);
}

static size_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* The harness's own finding about the library, or NULL when the client ran
 * on the build it was asked to run on. */
static char *check_library(const struct zr_build *build, const char *loaded)
{
    if (!loaded)
        return zr_strdup_printf("the client never loaded libzmq through the dynamic linker (a static link?): the "
                                "build %s cannot be vouched for",
                                build->name);
    if (zr_loaded_is_build(build, loaded))
        return NULL;
    char *have = realpath(loaded, NULL);
    char *finding = zr_strdup_printf("the client loaded %s, not the library of build %s (%s): an RPATH, a RUNPATH or a "
                                     "bundled copy won; no verdict on the wrong library",
                                     have ? have : loaded, build->name, zr_build_field(build, "library"));
    free(have);
    return finding;
}

/* What the watch knows of the client's tree: its processes, when it last
 * made progress, and since when it has been stuck in waits with no
 * deadline. */
struct watch {
    struct zr_tree tree;
    struct zr_tree_sample last; /* the latest sample (its threads' waits, for the stacks) */
    double anchor_t, anchor_cpu; /* the CPU used since the last progress is counted from here */
    long long received, replied;
    double last_progress;   /* the program's last progress */
    double last_served;     /* the server's counters last rose */
    double unbounded_since; /* every judged thread has waited with no deadline since, the server idle */
    char moved[200];        /* what moved last */
};

static void watch_init(struct watch *w, pid_t client, double now)
{
    memset(w, 0, sizeof *w);
    zr_tree_init(&w->tree, client);
    w->anchor_t = w->last_progress = w->unbounded_since = now;
    w->anchor_cpu = -1;
    w->received = w->replied = -1;
}

static void watch_free(struct watch *w)
{
    zr_tree_sample_free(&w->last);
    zr_tree_free(&w->tree);
}

/* Progress: CPU beyond the idle share since the last progress, the server's
 * counters rising, or a thread or process of the tree moving (one coming or
 * going, a thread waiting elsewhere than before). */
static bool made_progress(struct watch *w, const struct zr_tree_sample *s, const struct zr_server_sample *x, double now)
{
    double since = now - w->anchor_t;
    bool served = x && w->anchor_cpu >= 0 && (x->received != w->received || x->replied != w->replied);
    if (served)
        w->last_served = now;
    if (w->anchor_cpu < 0)
        snprintf(w->moved, sizeof w->moved, "the program started");
    else if (s->cpu_s - w->anchor_cpu > IDLE_CPU_FLOOR_S + IDLE_CPU_SHARE * since)
        snprintf(w->moved, sizeof w->moved, "%.0f ms of CPU in %.2f s", (s->cpu_s - w->anchor_cpu) * 1e3, since);
    else if (served)
        snprintf(w->moved, sizeof w->moved, "the server received %lld and answered %lld requests more",
                 x->received - w->received, x->replied - w->replied);
    else if (s->moved)
        snprintf(w->moved, sizeof w->moved, "%s", s->why);
    else
        return false;
    w->anchor_t = now;
    w->anchor_cpu = s->cpu_s;
    if (x) {
        w->received = x->received;
        w->replied = x->replied;
    }
    w->last_progress = now;
    return true;
}

/* One look at the tree. True when it is stuck: every judged thread of every
 * process in a wait with no deadline since the window started, (almost) no
 * CPU used, the server idle with every request answered. */
static bool watch_tick(struct watch *w, const struct zr_server_sample *x, double now, double stall_s)
{
    struct zr_tree_sample s;
    if (zr_tree_sample(&w->tree, &s) != 0) {
        zr_tree_sample_free(&s);
        return false;
    }
    bool progress = made_progress(w, &s, x, now);
    /* The server counts as idle only while its loop keeps turning and finds
     * nothing to read: a server that was not scheduled (a loaded machine)
     * may have requests waiting unread. */
    bool server_busy = x && (x->held > 0 || x->received != x->replied + x->unroutable ||
                             x->heartbeat_age_s > SERVER_FRESH_S);
    if (progress || server_busy || !zr_tree_all_unbounded(&s))
        w->unbounded_since = now;
    zr_tree_sample_free(&w->last);
    w->last = s;
    return stall_s > 0 && now - w->unbounded_since >= stall_s;
}

/* At the watchdog's expiry: still making progress when it moved within the
 * last quiet_s. Not when, the server's counters still, a thread has waited
 * in one place for a file descriptor with no deadline, never leaving it,
 * for the quiet window or longer: the rest of the program spins around a thread that is
 * stuck (the pyzmq #2070 bus whose asyncio loop raises ContextTerminated in
 * a hot loop while the main thread waits in zmq_ctx_term). */
static bool still_progressing(const struct watch *w, double now, double quiet_s, char **note)
{
    /* Stuck right now, every thread waiting with no deadline for a few
     * looks: a hang that began too late for the stall window to close. */
    if (now - w->unbounded_since >= 3 * TICK_S) {
        *note = zr_strdup_printf("every thread waiting with no deadline for the last %.2f s", now - w->unbounded_since);
        return false;
    }
    if (now - w->last_progress >= quiet_s) {
        *note = zr_strdup_printf("nothing moved for the last %.2f s", now - w->last_progress);
        return false;
    }
    if (w->last_served > 0 && now - w->last_served < quiet_s)
        return true;
    const struct zr_known_thread *k = zr_tree_longest_fd_wait(&w->tree);
    if (k && now - k->since >= quiet_s) {
        *note = zr_strdup_printf("thread %d (%s) waited for a file descriptor with no deadline, never leaving it, for "
                                 "the last %.2f s while the rest of the program spun (%s)",
                                 (int)k->tid, k->comm, now - k->since, w->moved);
        return false;
    }
    return true;
}

/* The processes of the tree still alive after the client ended, as
 * "pid N (command line)" lines; NULL when none. */
static char *left_behind(struct watch *w, double grace_s)
{
    pid_t pids[256];
    /* A helper that ends on its own once its parent is gone (multiprocessing's
     * forkserver and resource tracker read EOF) is given a moment to do so. */
    int n = zr_tree_pids(&w->tree, pids, 256);
    for (double until = zr_now() + grace_s; n > 0 && zr_now() < until; n = zr_tree_pids(&w->tree, pids, 256))
        usleep(20000);
    char *out = NULL;
    for (int i = 0; i < n; i++) {
        const struct zr_member *m = zr_tree_member(&w->tree, pids[i]);
        char *more = zr_strdup_printf("%s%spid %d (%s)", out ? out : "", out ? ", " : "", (int)pids[i],
                                      m ? m->cmdline : "?");
        free(out);
        out = more;
    }
    return out;
}

/* After a hang: the tree frozen (SIGSTOP) while the stack tool reads every
 * process of it, so that all the stacks come from one moment; then for
 * Python a SIGABRT and the tree let go, so that faulthandler prints every
 * Python thread's stack. Returns the stacks (or NULL with why in err);
 * *ended when the client turned out to have ended meanwhile. */
static char *capture_hang(const struct zr_setup *setup, const struct zr_attempt_spec *spec, struct zr_proc *client,
                          struct watch *w, const char *workdir, bool *ended, char *err, size_t errlen)
{
    char *stacks = NULL;
    /* A client that exits just after the deadline is not hung: its exit decides. */
    *ended = zr_ended(client);
    if (*ended)
        return NULL;
    zr_tree_freeze(&w->tree, FREEZE_WAIT_S * setup->multiplier);
    if (zr_stack_tool_check(setup->stack_tool, err, errlen) == 0)
        stacks = zr_capture_tree_stacks(setup->stack_tool, &w->tree, &w->last, workdir,
                                        STACK_TOOL_TIMEOUT_S * setup->multiplier, err, errlen);
    *ended = zr_ended(client);
    if (*ended) {
        zr_tree_thaw(&w->tree);
        free(stacks);
        return NULL;
    }
    if (spec->program.python) {
        kill(client->pid, SIGABRT);
        zr_tree_thaw(&w->tree);
        zr_wait(client, FAULTHANDLER_WAIT_S * setup->multiplier);
    }
    return stacks;
}

/* The LOADED lines of every process of the tree (each process that loaded
 * libzmq writes one): the client's own path and version (or the first
 * child's, when the client itself never loaded it), and the harness's
 * finding when a process loaded another library than the build's. 0, or -1
 * when no process loaded libzmq. */
static int check_loaded(const char *workdir, pid_t client, const struct zr_build *build, char **path, char **version,
                        char **finding, struct zr_runtimes *runtimes)
{
    char *logpath = zr_loaded_log_path(workdir);
    char *text = zr_read_file(logpath, NULL);
    free(logpath);
    struct zr_loaded *loaded;
    int n = zr_loaded_parse(text, &loaded);
    free(text);
    *runtimes = zr_loaded_runtimes(loaded, n);
    /* The client's own line names the library; else the first process's. */
    const struct zr_loaded *own = zr_loaded_of(loaded, n, client);
    const struct zr_loaded *shown = own ? own : n ? &loaded[0] : NULL;
    if (shown) {
        *path = zr_strdup_printf("%s", shown->path);
        *version = zr_strdup_printf("%s", shown->version);
    }
    for (int i = 0; i < n && !*finding; i++) {
        char *wrong = check_library(build, loaded[i].path);
        if (wrong && loaded[i].pid != client) {
            *finding = zr_strdup_printf("a child process of the client (pid %d): %s", (int)loaded[i].pid, wrong);
            free(wrong);
        } else
            *finding = wrong;
    }
    zr_loaded_free(loaded, n);
    return n > 0 ? 0 : -1;
}

static void verbose_command(const struct zr_client_cmd *cmd)
{
    fprintf(stderr, "  client:");
    for (int i = 0; cmd->argv[i]; i++)
        fprintf(stderr, " %s", cmd->argv[i]);
    fprintf(stderr, "\n");
    static const char *const shown[] = { "LD_PRELOAD", "LD_LIBRARY_PATH", "TSAN_OPTIONS", "PYTHONPATH",
                                         "ZMQ_REPRO_ENDPOINT", NULL };
    for (int i = 0; shown[i]; i++)
        if (zr_env_get(&cmd->env, shown[i]))
            fprintf(stderr, "    %s=%s\n", shown[i], zr_env_get(&cmd->env, shown[i]));
}

/* The verdict from what the client did, its stacks and the server's view. */
static void judge(const struct zr_attempt_spec *spec, struct zr_attempt *a, const char *workdir, pid_t pid,
                  const char *outpath, const char *errpath, size_t err_before_hang, const char *stacks,
                  const char *stacks_error)
{
    char *finding = NULL;
    struct zr_runtimes runtimes = { 0 };
    if (a->interrupted)
        finding = zr_strdup_printf("interrupted");
    else if (check_loaded(workdir, pid, spec->build, &a->loaded_path, &a->loaded_version, &finding, &runtimes) != 0 &&
             a->exited && a->exit_code == 127)
        finding = NULL; /* never started: the classification says so */
    else if (!a->loaded_path && (a->timed_out || a->stalled))
        /* A slow start (Python under TSan on a loaded machine), not a static link. */
        finding = zr_strdup_printf("the watchdog fired before the client had loaded libzmq (%.1f s: the watchdog "
                                   "counts from that moment, after a start budget of twice the watchdog, 5 to 20 "
                                   "s): its start took longer; raise ZR_TIMEOUT_MULTIPLIER",
                                   a->duration_s);
    else if (!a->loaded_path)
        finding = check_library(spec->build, NULL);
    char *out = zr_read_file(outpath, NULL), *errtext = zr_read_file(errpath, NULL);
    struct zr_run_output run = {
        .exited = a->exited, .exit_code = a->exit_code, .signal = a->signal,
        .timed_out = a->timed_out, .stalled = a->stalled,
        .out = out, .err = errtext, .err_before_hang = err_before_hang,
        .stacks = stacks, .stacks_error = stacks_error,
        .server = spec->server_mode && strcmp(spec->server_mode, "none") ? &a->server : NULL,
        .harness_error = finding,
        .progressing = a->progressing, .progress_note = a->progress_note, .left_behind = a->left_behind,
        .judged_by_exit = spec->judged_by_exit,
        .tsan_absent = runtimes.all_known && !runtimes.tsan,
        .owner_absent = runtimes.all_known && !runtimes.owner,
        .python_absent = runtimes.all_known && !runtimes.python,
    };
    zr_classify(&run, &a->verdict);
    /* A hang in zmq_ctx_term: the sockets it waits for, from the probe's table. */
    if (!strcmp(a->verdict.outcome, "HANG") && !a->verdict.diagnosis) {
        char *sockets = zr_sockets_log_path(workdir);
        a->verdict.diagnosis = zr_diagnose_term_hang_file(sockets, pid);
        free(sockets);
    }
    free(out);
    free(errtext);
    free(finding);
}

/* How long the tree must have been still at the watchdog's expiry for a
 * HANG: a stall window, but at most a quarter of the watchdog (a program's
 * start-up is progress, and the shortest watchdogs are 0.5 s), and at least
 * three looks. Moved more recently than that: TIMEOUT. */
static double expiry_quiet_s(const struct zr_attempt_spec *spec, double mult)
{
    double window = (spec->stall_s > 0 ? spec->stall_s : 0.5) * mult, quarter = spec->timeout_s * mult / 4;
    double quiet = window < quarter ? window : quarter;
    return quiet > 3 * TICK_S ? quiet : 3 * TICK_S;
}

/* Watches the client until it ends, the watchdog fires, the tree is stuck,
 * the server fails or the runner is interrupted; says which in a. */
static void watch_client(const struct zr_setup *setup, const struct zr_attempt_spec *spec, struct zr_proc *client,
                         struct zr_server *server, struct watch *w, const char *workdir, double start,
                         struct zr_attempt *a, bool *server_failed)
{
    double mult = setup->multiplier;
    /* The watchdog counts from the moment the client has loaded libzmq (the
     * probe's first line): an interpreter's start under TSan on a loaded
     * machine is not the program's time. Until then it has a start budget. */
    double timeout = spec->timeout_s * mult, stall_s = spec->stall_s * mult;
    double budget = 2 * spec->timeout_s < START_BUDGET_MIN_S   ? START_BUDGET_MIN_S
                    : 2 * spec->timeout_s > START_BUDGET_MAX_S ? START_BUDGET_MAX_S
                                                               : 2 * spec->timeout_s;
    double deadline = start + timeout + budget * mult;
    char *loaded_log = zr_loaded_log_path(workdir);
    bool loaded = false;
    bool with_server = server != NULL;
    while (!zr_ended(client)) {
        double now = zr_now();
        if (!loaded && file_size(loaded_log) > 0) {
            loaded = true;
            deadline = now + timeout;
        }
        if (zr_interrupted()) {
            a->interrupted = true;
            break;
        }
        if (now >= deadline) {
            a->timed_out = true;
            a->progressing = still_progressing(w, now, expiry_quiet_s(spec, mult), &a->progress_note);
            if (a->progressing)
                a->progress_note = zr_strdup_printf("%s, %.2f s before the watchdog (%.3g s) fired", w->moved,
                                                    now - w->last_progress, spec->timeout_s * mult);
            break;
        }
        if (client->pidfd >= 0) {
            double wait = deadline - now < TICK_S ? deadline - now : TICK_S;
            struct pollfd pfd = { client->pidfd, POLLIN, 0 };
            poll(&pfd, 1, (int)(wait * 1000) + 1);
        } else {
            usleep((useconds_t)(TICK_S * 1e6));
        }
        if (zr_ended(client))
            break;
        struct zr_server_sample x;
        if (with_server) {
            zr_server_sample(server, &x);
            if (!x.alive || zr_server_stalled(&x, SERVER_STALE_S * mult)) {
                *server_failed = true;
                break;
            }
        }
        if (watch_tick(w, with_server ? &x : NULL, zr_now(), stall_s)) {
            a->stalled = true;
            break;
        }
    }
    free(loaded_log);
}

/* The end of the client's tree: its stacks when it hangs, what it left
 * behind, every process of it killed, and how the client ended. */
static void end_client(const struct zr_setup *setup, const struct zr_attempt_spec *spec, struct zr_proc *client,
                       struct watch *w, const char *workdir, double start, struct zr_attempt *a, char **stacks,
                       char **stacks_error)
{
    char err[1024];
    if (a->stalled || (a->timed_out && !a->progressing)) {
        bool ended;
        *stacks = capture_hang(setup, spec, client, w, workdir, &ended, err, sizeof err);
        if (ended) {
            a->timed_out = a->stalled = false;
            a->duration_s = zr_now() - start;
        } else if (!*stacks) {
            *stacks_error = zr_strdup_printf("%s", err);
        }
    }
    /* A descendant still alive once the client ended is left behind: killed, and said. */
    if (!a->timed_out && !a->stalled && zr_ended(client))
        a->left_behind = left_behind(w, LINGER_GRACE_S * setup->multiplier);
    zr_finish(client);
    zr_tree_kill(&w->tree, KILL_WAIT_S * setup->multiplier);
    a->exited = WIFEXITED(client->status);
    a->exit_code = a->exited ? WEXITSTATUS(client->status) : -1;
    a->signal = WIFSIGNALED(client->status) ? WTERMSIG(client->status) : 0;
}

void zr_run_attempt(const struct zr_setup *setup, const struct zr_attempt_spec *spec, struct zr_attempt *a)
{
    memset(a, 0, sizeof *a);
    a->verdict.sent = a->verdict.received = -1;
    char err[1024];
    char *workdir = zr_make_workdir("attempt", err, sizeof err);
    if (!workdir) {
        error(a, zr_strdup_printf("%s", err));
        return;
    }
    /* Orphans of the client's tree come to the runner, where the watch finds them. */
    zr_become_subreaper();
    double mult = setup->multiplier, start = zr_now();
    struct zr_server server = { .out_fd = -1 };
    char *ipc_dir = NULL; /* a short folder for the endpoint when the workdir's path is too long */
    bool with_server = strcmp(spec->server_mode, "none") != 0;
    if (with_server) {
        if (zr_server_start(setup, spec->server_mode, spec->server_delay_ms, workdir, &server, err, sizeof err) != 0) {
            error(a, zr_strdup_printf("%s", err));
            zr_server_stop(&server, SERVER_STALE_S * mult, &a->server);
            zr_remove_tree(workdir);
            return;
        }
        a->endpoint = zr_strdup_printf("%s", server.endpoint);
    } else {
        a->endpoint = zr_ipc_endpoint(workdir, "nobody-listens-here", &ipc_dir, err, sizeof err);
        if (!a->endpoint) {
            error(a, zr_strdup_printf("%s", err));
            zr_remove_tree(workdir);
            return;
        }
    }

    struct zr_client_cmd cmd;
    char *outpath = zr_strdup_printf("%s/client.out", workdir), *errpath = zr_strdup_printf("%s/client.err", workdir);
    struct zr_proc client = { 0 };
    struct watch w;
    watch_init(&w, 0, start);
    char *stacks = NULL, *stacks_error = NULL;
    bool server_failed = false;
    size_t err_before_hang = 0;
    if (zr_client_prepare(setup, spec->mode, spec->build, &spec->program, a->endpoint, workdir, &cmd, err,
                          sizeof err) != 0) {
        error(a, zr_strdup_printf("%s", err));
        goto stop_server;
    }
    if (setup->verbose)
        verbose_command(&cmd);
    a->seed = cmd.seed;
    struct zr_spawn s = { .argv = cmd.argv, .envp = cmd.env.vars, .out = ZR_OUTPUT_FILE(outpath),
                          .err = ZR_OUTPUT_FILE(errpath), .no_aslr = cmd.no_aslr, .let_any_tracer = true };
    start = zr_now();
    int rc = zr_spawn(&s, &client, err, sizeof err);
    zr_client_cmd_free(&cmd);
    if (rc != 0) {
        error(a, zr_strdup_printf("%s", err));
        goto stop_server;
    }
    watch_init(&w, client.pid, start);
    watch_client(setup, spec, &client, with_server ? &server : NULL, &w, workdir, start, a, &server_failed);
    a->duration_s = zr_now() - start;
    err_before_hang = file_size(errpath);
    end_client(setup, spec, &client, &w, workdir, start, a, &stacks, &stacks_error);

stop_server:
    if (with_server)
        zr_server_stop(&server, SERVER_STALE_S * mult, &a->server);
    if (server_failed && !a->server.died && !a->server.stalled) {
        a->server.stalled = true;
        free(a->server.how);
        a->server.how = zr_strdup_printf("stopped answering");
    }
    /* A free-threaded Python whose GIL came back on: no verdict on it. */
    if (client.pid > 0 && !a->verdict.signature && !a->interrupted && spec->program.python) {
        char *sockets = zr_sockets_log_path(workdir), *gil = zr_python_gil_finding(sockets, errpath);
        free(sockets);
        if (gil)
            error(a, gil);
    }
    if (client.pid > 0 && !a->verdict.signature)
        judge(spec, a, workdir, client.pid, outpath, errpath, err_before_hang, stacks, stacks_error);
    a->verdict_s = zr_now() - start;
    if (!a->verdict.signature)
        error(a, zr_strdup_printf("the client did not run"));
    watch_free(&w);
    free(stacks);
    free(stacks_error);
    free(outpath);
    free(errpath);
    zr_remove_tree(ipc_dir);
    zr_remove_tree(workdir);
}

void zr_attempt_free(struct zr_attempt *a)
{
    free(a->progress_note);
    free(a->left_behind);
    zr_verdict_free(&a->verdict);
    zr_server_view_free(&a->server);
    free(a->endpoint);
    free(a->loaded_path);
    free(a->loaded_version);
    memset(a, 0, sizeof *a);
}
