#include "attempt.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "text.h"

#define SERVER_START_TIMEOUT_S 10.0
#define SERVER_STOP_TIMEOUT_S 5.0
#define GDB_TIMEOUT_S 20.0
#define FAULTHANDLER_WAIT_S 2.0

void zr_client_path(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode, char *buf,
                    size_t len)
{
    if (spec->language == ZR_LANG_PYTHON)
        snprintf(buf, len, "%s", setup->python);
    else
        snprintf(buf, len, "%s/cases/%s/%s/%s", setup->build_dir, zr_mode_name(mode), spec->family, spec->name);
}

static void error(struct zr_attempt *a, const char *fmt, const char *detail)
{
    zr_copy(a->verdict.outcome, sizeof a->verdict.outcome, "ERROR");
    snprintf(a->verdict.signature, sizeof a->verdict.signature, fmt, detail);
}

/* Reads the server's first line, "ENDPOINT <endpoint>", within the timeout. */
static int read_endpoint(int fd, char *endpoint, size_t len)
{
    char line[600];
    size_t used = 0;
    double deadline = zr_now() + SERVER_START_TIMEOUT_S;
    while (used + 1 < sizeof line) {
        int ms = (int)((deadline - zr_now()) * 1000);
        struct pollfd pfd = { fd, POLLIN, 0 };
        if (ms <= 0 || poll(&pfd, 1, ms) <= 0)
            return -1;
        ssize_t got = read(fd, line + used, 1);
        if (got <= 0)
            return -1;
        if (line[used] == '\n')
            break;
        used++;
    }
    line[used] = '\0';
    if (strncmp(line, "ENDPOINT ", 9))
        return -1;
    zr_copy(endpoint, len, line + 9);
    return 0;
}

static void read_server_counts(int fd, struct zr_attempt *a)
{
    char buf[512];
    ssize_t got = read(fd, buf, sizeof buf - 1);
    if (got <= 0)
        return;
    buf[got] = '\0';
    const char *line = strstr(buf, "SERVER ");
    if (line)
        sscanf(line, "SERVER received=%lld replied=%lld unroutable=%lld", &a->server_received, &a->server_replied,
               &a->server_unroutable);
}

/* The environment of a client: TSan's options and, for Python, the preload
 * of libtsan with the instrumented libzmq first on the library path (the
 * interpreter binary is exec'd directly: a shell under the preload crashes). */
void zr_client_env(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode,
                   struct zr_env *env)
{
    char buf[2048];
    zr_env_init(env);
    zr_env_set(env, "LD_PRELOAD", NULL);
    if (mode == ZR_MODE_TSAN) {
        /* halt_on_error: the first report ends the run, so detection is fast
         * and a fixed case fails on its first report. */
        snprintf(buf, sizeof buf, "halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=%s",
                 setup->suppressions);
        zr_env_set(env, "TSAN_OPTIONS", buf);
    } else {
        zr_env_set(env, "TSAN_OPTIONS", NULL);
    }
    if (spec->language != ZR_LANG_PYTHON)
        return;
    zr_env_set(env, "PYTHONDONTWRITEBYTECODE", "1");
    zr_env_set(env, "PYTHONFAULTHANDLER", "1"); /* Python stacks on a fatal signal, and on the watchdog's SIGABRT */
    zr_env_set(env, "PYTHONHOME", NULL);
    if (spec->pymodule[0]) {
        snprintf(buf, sizeof buf, "%s/pyext/%s", setup->build_dir, zr_mode_name(mode));
        zr_env_set(env, "PYTHONPATH", buf);
    } else {
        zr_env_set(env, "PYTHONPATH", NULL);
    }
    if (mode == ZR_MODE_TSAN) {
        zr_env_set(env, "LD_PRELOAD", setup->libtsan);
        snprintf(buf, sizeof buf, "%s/lib", setup->tsan_libzmq);
        zr_env_set(env, "LD_LIBRARY_PATH", buf);
    }
}

static int start_server(const struct zr_setup *setup, const struct zr_case_spec *spec, const char *workdir,
                        struct zr_proc *server, int *server_out, struct zr_attempt *a)
{
    char bind[600], delay[16], errpath[600], err[512];
    if (!strcmp(setup->transport, "ipc"))
        snprintf(bind, sizeof bind, "ipc://%s/router", workdir);
    else
        snprintf(bind, sizeof bind, "tcp://127.0.0.1:*");
    snprintf(delay, sizeof delay, "%d", spec->server_delay_ms);
    snprintf(errpath, sizeof errpath, "%s/server.err", workdir);
    char *argv[] = { (char *)setup->server, "--bind", bind, "--mode", (char *)spec->server_mode,
                     "--delay-ms", delay, NULL };
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == -1) {
        error(a, "pipe: %s", strerror(errno));
        return -1;
    }
    struct zr_spawn s = { argv, NULL, NULL, fds[1], errpath, false };
    int rc = zr_spawn(&s, server, err, sizeof err);
    close(fds[1]);
    *server_out = fds[0];
    if (rc != 0) {
        error(a, "the ROUTER server could not be started: %s", err);
        return -1;
    }
    if (read_endpoint(fds[0], a->endpoint, sizeof a->endpoint) != 0) {
        char *text = zr_read_file(errpath, NULL);
        char last[400];
        zr_last_line(text, last, sizeof last);
        free(text);
        error(a, "the ROUTER server did not report its endpoint: %s", last[0] ? last : "no output");
        return -1;
    }
    return 0;
}

static void stop_server(struct zr_proc *server, int server_out, struct zr_attempt *a)
{
    if (server->pid <= 0)
        return;
    kill(server->pid, SIGTERM);
    if (zr_wait(server, SERVER_STOP_TIMEOUT_S))
        read_server_counts(server_out, a);
    zr_finish(server);
}

/* After the watchdog: the native stacks through gdb, then for Python a
 * SIGABRT so that faulthandler prints every thread's Python stack. Without
 * the stacks there is no blocked frame to judge: NULL, the cause in err. */
static char *capture_hang(const struct zr_case_spec *spec, struct zr_proc *client, const char *workdir, char *err,
                          size_t errlen)
{
    char *stacks = zr_capture_stacks(client->pid, workdir, GDB_TIMEOUT_S, err, errlen);
    if (stacks && spec->language == ZR_LANG_PYTHON) {
        kill(client->pid, SIGABRT);
        zr_wait(client, FAULTHANDLER_WAIT_S);
    }
    return stacks;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void zr_run_attempt(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode,
                    struct zr_attempt *a)
{
    memset(a, 0, sizeof *a);
    a->server_received = a->server_replied = a->server_unroutable = -1;
    const struct zr_mode_spec *m = &spec->modes[mode];

    const char *tmp = getenv("TMPDIR");
    char workdir[256];
    snprintf(workdir, sizeof workdir, "%s/zmq-repro.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(workdir)) {
        error(a, "cannot make a private directory: %s", strerror(errno));
        return;
    }

    struct zr_proc server = { 0 };
    int server_out = -1;
    if (strcmp(spec->server_mode, "none")) {
        if (start_server(setup, spec, workdir, &server, &server_out, a) != 0)
            goto cleanup;
    } else {
        snprintf(a->endpoint, sizeof a->endpoint, "ipc://%s/nobody-listens-here", workdir);
    }

    char client[1024], outpath[600], errpath[600], err[512];
    zr_client_path(setup, spec, mode, client, sizeof client);
    snprintf(outpath, sizeof outpath, "%s/client.out", workdir);
    snprintf(errpath, sizeof errpath, "%s/client.err", workdir);
    char *argv[ZR_MAX_ARGS + 4];
    int argc = 0;
    argv[argc++] = client;
    if (spec->language == ZR_LANG_PYTHON)
        argv[argc++] = (char *)spec->path;
    argv[argc++] = a->endpoint;
    for (int i = 0; i < m->nargs; i++)
        argv[argc++] = (char *)m->args[i];
    argv[argc] = NULL;

    struct zr_env env;
    zr_client_env(setup, spec, mode, &env);
    /* TSan's shadow memory needs a fixed layout: no address randomization,
     * as setarch -R does (gcc 12's TSan fails to start on some kernels otherwise). */
    struct zr_spawn s = { argv, env.vars, outpath, -1, errpath, mode == ZR_MODE_TSAN };
    struct zr_proc proc;
    double start = zr_now();
    int rc = zr_spawn(&s, &proc, err, sizeof err);
    zr_env_free(&env);
    if (rc != 0) {
        error(a, "%s", err);
        goto cleanup;
    }
    char *stacks = NULL;
    if (!zr_wait(&proc, m->timeout_s)) {
        a->timed_out = true;
        a->duration_s = zr_now() - start;
        stacks = capture_hang(spec, &proc, workdir, err, sizeof err);
        if (!stacks) {
            zr_finish(&proc);
            error(a, "the watchdog fired but no stacks could be taken: %s (apt-get install gdb)", err);
            goto cleanup;
        }
    }
    zr_finish(&proc);
    if (!a->timed_out)
        a->duration_s = zr_now() - start;
    a->exited = WIFEXITED(proc.status);
    a->exit_code = a->exited ? WEXITSTATUS(proc.status) : -1;
    a->signal = WIFSIGNALED(proc.status) ? WTERMSIG(proc.status) : 0;

    char *out = zr_read_file(outpath, NULL), *errtext = zr_read_file(errpath, NULL);
    struct zr_run_output run = { a->exited, a->exit_code, a->signal, a->timed_out, out, errtext, stacks };
    zr_classify(&run, &a->verdict);
    a->verdict_s = zr_now() - start;
    free(out);
    free(errtext);
    free(stacks);

cleanup:
    stop_server(&server, server_out, a);
    if (server_out >= 0)
        close(server_out);
    nftw(workdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}
