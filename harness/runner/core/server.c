#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../server/server_stats.h"
#include "progress.h"
#include "text.h"

#define SERVER_START_TIMEOUT_S 10.0
#define SERVER_STOP_TIMEOUT_S 5.0

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one line from fd within timeout_s. */
static int read_line(int fd, char *line, size_t len, double timeout_s)
{
    size_t used = 0;
    double deadline = zr_now() + timeout_s;
    while (used + 1 < len) {
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
    return 0;
}

static const struct zr_server_stats *map_stats(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    void *p = mmap(NULL, sizeof(struct zr_server_stats), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return NULL;
    const struct zr_server_stats *st = p;
    if (st->magic != ZR_SERVER_STATS_MAGIC || st->version != ZR_SERVER_STATS_VERSION) {
        munmap(p, sizeof *st);
        return NULL;
    }
    return st;
}

int zr_server_start(const struct zr_setup *setup, const char *mode, int delay_ms, const char *workdir,
                    struct zr_server *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->out_fd = -1;
    char *bind = !strcmp(setup->transport, "ipc") ? zr_ipc_endpoint(workdir, "router", &s->ipc_dir, err, errlen)
                                                  : zr_strdup_printf("tcp://127.0.0.1:*");
    if (!bind)
        return -1;
    char *statspath = zr_strdup_printf("%s/server.stats", workdir);
    char delay[16];
    snprintf(delay, sizeof delay, "%d", delay_ms);
    s->errpath = zr_strdup_printf("%s/server.err", workdir);
    char *argv[] = { (char *)setup->server, (char *)"--bind", bind, (char *)"--mode", (char *)mode,
                     (char *)"--delay-ms", delay, (char *)"--stats", statspath, NULL };
    int fds[2];
    int rc = -1;
    if (pipe2(fds, O_CLOEXEC) == -1) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        goto out;
    }
    struct zr_spawn sp = { .argv = argv, .out = ZR_OUTPUT_FD(fds[1]), .err = ZR_OUTPUT_FILE(s->errpath) };
    char why[512];
    int spawned = zr_spawn(&sp, &s->proc, why, sizeof why);
    close(fds[1]);
    s->out_fd = fds[0];
    if (spawned != 0) {
        snprintf(err, errlen, "the ROUTER server could not be started: %s (build it: cmake --build)", why);
        goto out;
    }
    char line[700];
    if (read_line(fds[0], line, sizeof line, SERVER_START_TIMEOUT_S * setup->multiplier) != 0 ||
        strncmp(line, "ENDPOINT ", 9)) {
        char *text = zr_read_file(s->errpath, NULL);
        char last[400];
        zr_last_line(text, last, sizeof last);
        free(text);
        snprintf(err, errlen, "the ROUTER server did not report its endpoint: %s", last[0] ? last : "no output");
        goto out;
    }
    s->endpoint = zr_strdup_printf("%s", line + 9);
    s->stats = map_stats(statspath);
    if (!s->stats) {
        snprintf(err, errlen, "the ROUTER server's statistics (%s) cannot be read: is router_server from this build?",
                 statspath);
        goto out;
    }
    rc = 0;
out:
    free(bind);
    free(statspath);
    return rc;
}

void zr_server_sample(struct zr_server *s, struct zr_server_sample *x)
{
    memset(x, 0, sizeof *x);
    x->alive = s->proc.pid > 0 && !zr_ended(&s->proc);
    char state = x->alive ? zr_process_state(s->proc.pid) : 0;
    x->stopped = state == 'T' || state == 't';
    if (!s->stats)
        return;
    x->heartbeat_age_s = (monotonic_ms() - atomic_load_explicit(&s->stats->heartbeat_ms, memory_order_acquire)) / 1000.0;
    x->received = atomic_load_explicit(&s->stats->received, memory_order_relaxed);
    x->replied = atomic_load_explicit(&s->stats->replied, memory_order_relaxed);
    x->unroutable = atomic_load_explicit(&s->stats->unroutable, memory_order_relaxed);
    x->held = atomic_load_explicit(&s->stats->held, memory_order_relaxed);
}

bool zr_server_stalled(const struct zr_server_sample *x, double stale_s)
{
    return x->stopped || (x->alive && x->heartbeat_age_s > stale_s);
}

static char *status_text(int status)
{
    if (WIFSIGNALED(status)) {
        const char *name = sigabbrev_np(WTERMSIG(status));
        return zr_strdup_printf("was killed by SIG%s", name ? name : "?");
    }
    return zr_strdup_printf("exited with status %d", WEXITSTATUS(status));
}

void zr_server_stop(struct zr_server *s, double stale_s, struct zr_server_view *view)
{
    memset(view, 0, sizeof *view);
    view->present = true;
    view->received = view->replied = view->unroutable = view->held = -1;
    if (s->proc.pid > 0) {
        struct zr_server_sample x;
        zr_server_sample(s, &x);
        /* A request read in the server's current loop turn is answered in the
         * same turn: let such a turn end before counting. */
        for (double until = zr_now() + 0.3; x.alive && !x.stopped && x.received != x.replied + x.unroutable + x.held &&
                                            zr_now() < until;) {
            usleep(10000);
            zr_server_sample(s, &x);
        }
        if (!x.alive) {
            view->died = true;
            view->how = status_text(s->proc.status);
        } else if (zr_server_stalled(&x, stale_s)) {
            view->stalled = true;
            view->how = x.stopped ? zr_strdup_printf("was stopped (state T)")
                                  : zr_strdup_printf("stopped turning its loop (no heartbeat for %.1f s)",
                                                     x.heartbeat_age_s);
        }
        if (s->stats) {
            view->received = x.received;
            view->replied = x.replied;
            view->unroutable = x.unroutable;
            view->held = x.held;
        }
        if (x.alive) {
            kill(s->proc.pid, SIGTERM);
            kill(s->proc.pid, SIGCONT); /* a stopped server must run to see the SIGTERM */
            zr_wait(&s->proc, SERVER_STOP_TIMEOUT_S);
        }
        zr_finish(&s->proc);
    }
    view->err_text = s->errpath ? zr_read_file(s->errpath, NULL) : NULL;
    if (s->stats)
        munmap((void *)s->stats, sizeof *s->stats);
    if (s->out_fd >= 0)
        close(s->out_fd);
    free(s->errpath);
    free(s->endpoint);
    zr_remove_tree(s->ipc_dir);
    memset(s, 0, sizeof *s);
    s->out_fd = -1;
}

void zr_server_view_free(struct zr_server_view *view)
{
    free(view->how);
    free(view->err_text);
    memset(view, 0, sizeof *view);
}
