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
#include "open_sockets.h"
#include "process.h"
#include "progress.h"
#include "server.h"
#include "stacks.h"
#include "text.h"

#define TICK_S 0.05              /* how often the client and the server are looked at */
#define STACK_TOOL_TIMEOUT_S 10.0
#define FAULTHANDLER_WAIT_S 2.0  /* for faulthandler's dump after the SIGABRT */
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

/* What the loaded-library probe wrote for the client's process: 0 with the
 * path and version, -1 when the process never loaded libzmq. */
static int read_loaded(const char *workdir, pid_t pid, char **path, char **version)
{
    char *logpath = zr_loaded_log_path(workdir);
    char *text = zr_read_file(logpath, NULL);
    free(logpath);
    int rc = -1;
    for (const char *line = text; line && *line && rc != 0;) {
        int p;
        char v[64];
        int consumed = 0;
        if (sscanf(line, "LOADED pid=%d version=%63s path=%n", &p, v, &consumed) == 2 && consumed > 0 && p == pid) {
            *path = zr_strdup_printf("%.*s", (int)strcspn(line + consumed, "\n"), line + consumed);
            *version = zr_strdup_printf("%s", v);
            rc = 0;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    free(text);
    return rc;
}

/* The harness's own finding about the library, or NULL when the client ran
 * on the build it was asked to run on. */
static char *check_library(const struct zr_build *build, const char *loaded)
{
    if (!loaded)
        return zr_strdup_printf("the client never loaded libzmq through the dynamic linker (a static link?): the "
                                "build %s cannot be vouched for",
                                build->name);
    char *have = realpath(loaded, NULL), *want = realpath(zr_build_field(build, "library"), NULL);
    char *finding = NULL;
    if (!have || !want || strcmp(have, want))
        finding = zr_strdup_printf("the client loaded %s, not the library of build %s (%s): an RPATH, a RUNPATH or a "
                                   "bundled copy won; no verdict on the wrong library",
                                   have ? have : loaded, build->name, zr_build_field(build, "library"));
    free(have);
    free(want);
    return finding;
}

struct watch {
    double window_start;
    double window_cpu;
    long long received, replied;
};

/* True when nothing moved since the window started: the client's threads all
 * asleep and (almost) no CPU used, the server idle with every request
 * answered. Restarts the window on any progress. */
static bool no_progress(struct watch *w, pid_t client, const struct zr_server_sample *x, double now)
{
    struct zr_group_sample g;
    if (zr_group_sample(client, &g) != 0)
        return false;
    /* The server counts as idle only while its loop keeps turning and finds
     * nothing to read: a server that was not scheduled (a loaded machine)
     * may have requests waiting unread. */
    bool server_busy = x && (x->held > 0 || x->received != x->replied + x->unroutable || x->received != w->received ||
                             x->replied != w->replied || x->heartbeat_age_s > SERVER_FRESH_S);
    double window = now - w->window_start;
    bool cpu_moved = g.cpu_s - w->window_cpu > IDLE_CPU_FLOOR_S + IDLE_CPU_SHARE * window;
    if (w->window_cpu < 0 || g.running || cpu_moved || server_busy) {
        w->window_start = now;
        w->window_cpu = g.cpu_s;
        if (x) {
            w->received = x->received;
            w->replied = x->replied;
        }
        return false;
    }
    return true;
}

/* After a hang: the stacks, then for Python a SIGABRT so that faulthandler
 * prints every Python thread's stack. Returns the stacks (or NULL with why in
 * err); *ended when the client turned out to have ended meanwhile. */
static char *capture_hang(const struct zr_setup *setup, const struct zr_attempt_spec *spec, struct zr_proc *client,
                          const char *workdir, bool *ended, char *err, size_t errlen)
{
    char *stacks = NULL;
    if (zr_stack_tool_check(setup->stack_tool, err, errlen) == 0)
        stacks = zr_capture_stacks(setup->stack_tool, client->pid, workdir, STACK_TOOL_TIMEOUT_S * setup->multiplier, err,
                                   errlen);
    /* A client that exits just after the deadline is not hung: its exit decides. */
    *ended = zr_ended(client);
    if (*ended) {
        free(stacks);
        return NULL;
    }
    if (spec->program.python) {
        kill(client->pid, SIGABRT);
        zr_wait(client, FAULTHANDLER_WAIT_S * setup->multiplier);
    }
    return stacks;
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
    double mult = setup->multiplier, start = zr_now();
    struct zr_server server = { .out_fd = -1 };
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
        a->endpoint = zr_strdup_printf("ipc://%s/nobody-listens-here", workdir);
    }

    struct zr_client_cmd cmd;
    char *outpath = zr_strdup_printf("%s/client.out", workdir), *errpath = zr_strdup_printf("%s/client.err", workdir);
    struct zr_proc client = { 0 };
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

    double deadline = start + spec->timeout_s * mult, stall_s = spec->stall_s * mult;
    struct watch w = { start, -1, -1, -1 };
    while (!zr_ended(&client)) {
        double now = zr_now();
        if (zr_interrupted()) {
            a->interrupted = true;
            break;
        }
        if (now >= deadline) {
            a->timed_out = true;
            break;
        }
        if (client.pidfd >= 0) {
            double wait = deadline - now < TICK_S ? deadline - now : TICK_S;
            struct pollfd pfd = { client.pidfd, POLLIN, 0 };
            poll(&pfd, 1, (int)(wait * 1000) + 1);
        } else {
            usleep((useconds_t)(TICK_S * 1e6));
        }
        if (zr_ended(&client))
            break;
        struct zr_server_sample x;
        if (with_server) {
            zr_server_sample(&server, &x);
            if (!x.alive || zr_server_stalled(&x, SERVER_STALE_S * mult)) {
                server_failed = true;
                break;
            }
        }
        if (stall_s > 0 && no_progress(&w, client.pid, with_server ? &x : NULL, zr_now()) &&
            zr_now() - w.window_start >= stall_s) {
            a->stalled = true;
            break;
        }
    }
    a->duration_s = zr_now() - start;
    err_before_hang = file_size(errpath);
    if (a->timed_out || a->stalled) {
        bool ended;
        stacks = capture_hang(setup, spec, &client, workdir, &ended, err, sizeof err);
        if (ended) {
            a->timed_out = a->stalled = false;
            a->duration_s = zr_now() - start;
        } else if (!stacks) {
            stacks_error = zr_strdup_printf("%s", err);
        }
    }
    zr_finish(&client);
    a->exited = WIFEXITED(client.status);
    a->exit_code = a->exited ? WEXITSTATUS(client.status) : -1;
    a->signal = WIFSIGNALED(client.status) ? WTERMSIG(client.status) : 0;

stop_server:
    if (with_server)
        zr_server_stop(&server, SERVER_STALE_S * mult, &a->server);
    if (server_failed && !a->server.died && !a->server.stalled) {
        a->server.stalled = true;
        free(a->server.how);
        a->server.how = zr_strdup_printf("stopped answering");
    }
    if (client.pid > 0 && !a->verdict.signature) {
        char *finding = NULL;
        if (a->interrupted)
            finding = zr_strdup_printf("interrupted");
        else if (read_loaded(workdir, client.pid, &a->loaded_path, &a->loaded_version) != 0 && a->exited &&
                 a->exit_code == 127)
            finding = NULL; /* never started: the classification says so */
        else
            finding = check_library(spec->build, a->loaded_path);
        char *out = zr_read_file(outpath, NULL), *errtext = zr_read_file(errpath, NULL);
        struct zr_run_output run = {
            .exited = a->exited, .exit_code = a->exit_code, .signal = a->signal,
            .timed_out = a->timed_out, .stalled = a->stalled,
            .out = out, .err = errtext, .err_before_hang = err_before_hang,
            .stacks = stacks, .stacks_error = stacks_error,
            .server = with_server ? &a->server : NULL, .harness_error = finding,
            .judged_by_exit = spec->judged_by_exit,
        };
        zr_classify(&run, &a->verdict);
        /* A hang in zmq_ctx_term: the sockets it waits for, from the probe's table. */
        if (!strcmp(a->verdict.outcome, "HANG") && !a->verdict.diagnosis) {
            char *sockets = zr_sockets_log_path(workdir);
            a->verdict.diagnosis = zr_diagnose_term_hang_file(sockets, client.pid);
            free(sockets);
        }
        free(out);
        free(errtext);
        free(finding);
    }
    a->verdict_s = zr_now() - start;
    if (!a->verdict.signature)
        error(a, zr_strdup_printf("the client did not run"));
    free(stacks);
    free(stacks_error);
    free(outpath);
    free(errpath);
    zr_remove_tree(workdir);
}

void zr_attempt_free(struct zr_attempt *a)
{
    zr_verdict_free(&a->verdict);
    zr_server_view_free(&a->server);
    free(a->endpoint);
    free(a->loaded_path);
    free(a->loaded_version);
    memset(a, 0, sizeof *a);
}
