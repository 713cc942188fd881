/* The ROUTER server every case talks to: a helper process of the runner.
 *
 * It binds the endpoint it is given (a tcp wildcard port on loopback or an
 * ipc:// path), prints the endpoint it really bound as its first line of
 * stdout ("ENDPOINT tcp://127.0.0.1:40123"), serves in one of a few modes,
 * and on SIGTERM or SIGINT closes, terminates its context and prints what it
 * counted ("SERVER received=N replied=N unroutable=N"). With --stats FILE it
 * also keeps those counts, and a heartbeat, in FILE while it serves
 * (server_stats.h), so that the runner can tell a lost wake-up in the client
 * from a server that died or stalled.
 *
 * Plain C, one thread: the server must never be the thing that is racy.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "server_stats.h"

#define MAX_PARTS 16

enum mode { MODE_ECHO, MODE_SLOW, MODE_DELAY, MODE_SINK };

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* One multipart message (routing id first) held by the delay mode. */
struct pending {
    struct pending *next;
    long long due_ms;
    int nparts;
    zmq_msg_t parts[MAX_PARTS];
};

/* The counts live in the shared stats block (or in a private one without
 * --stats): one writer, this thread. */
static struct zr_server_stats private_stats;
static struct zr_server_stats *stats = &private_stats;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void count(_Atomic int64_t *counter, int64_t delta)
{
    atomic_fetch_add_explicit(counter, delta, memory_order_relaxed);
    atomic_store_explicit(&stats->last_activity_ms, now_ms(), memory_order_relaxed);
}

static void heartbeat(void)
{
    atomic_store_explicit(&stats->heartbeat_ms, now_ms(), memory_order_release);
}

/* Maps FILE (created here, in the runner's private folder) as the shared block. */
static int map_stats(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, sizeof *stats) != 0) {
        fprintf(stderr, "router_server: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    void *p = mmap(NULL, sizeof *stats, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        fprintf(stderr, "router_server: cannot map %s: %s\n", path, strerror(errno));
        return -1;
    }
    stats = p;
    stats->version = ZR_SERVER_STATS_VERSION;
    heartbeat();
    /* The magic last: a reader that sees it sees an initialised block. */
    atomic_thread_fence(memory_order_release);
    stats->magic = ZR_SERVER_STATS_MAGIC;
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !stop_requested)
        ;
}

static void usage(FILE *out)
{
    fprintf(out,
        "usage: router_server --bind ENDPOINT [--mode MODE] [--delay-ms N] [--stats FILE]\n"
        "\n"
        "  --bind ENDPOINT  where to listen: tcp://127.0.0.1:* (the OS picks the port)\n"
        "                   or ipc:///private/dir/name\n"
        "  --mode MODE      echo   reply to each request at once (default)\n"
        "                   slow   drain slowly: wait --delay-ms before each read\n"
        "                   delay  read at once, reply --delay-ms later\n"
        "                   sink   accept connections and never read\n"
        "  --delay-ms N     the wait of slow and delay, 0 to 60000 (default 10)\n"
        "  --stats FILE     keep the counts and a heartbeat in FILE while serving\n"
        "\n"
        "Prints 'ENDPOINT <bound endpoint>' once listening; exits on SIGTERM/SIGINT\n"
        "after printing 'SERVER received=N replied=N unroutable=N'.\n");
}

/* Reads one whole multipart message; returns its number of parts, 0 if
 * nothing was ready, -1 on error (EINTR included). */
static int recv_multipart(void *sock, zmq_msg_t *parts)
{
    int n = 0, more = 1;
    while (more) {
        if (n == MAX_PARTS) {
            fprintf(stderr, "router_server: message of more than %d parts\n", MAX_PARTS);
            exit(1);
        }
        zmq_msg_init(&parts[n]);
        if (zmq_msg_recv(&parts[n], sock, n == 0 ? ZMQ_DONTWAIT : 0) == -1) {
            int err = errno;
            zmq_msg_close(&parts[n]);
            for (int i = 0; i < n; i++)
                zmq_msg_close(&parts[i]);
            errno = err;
            return (n == 0 && err == EAGAIN) ? 0 : -1;
        }
        more = zmq_msg_more(&parts[n]);
        n++;
    }
    return n;
}

/* Sends a message back to the peer named by parts[0]; the parts are consumed. */
static void send_multipart(void *sock, zmq_msg_t *parts, int n)
{
    for (int i = 0; i < n; i++) {
        if (zmq_msg_send(&parts[i], sock, i + 1 < n ? ZMQ_SNDMORE : 0) == -1) {
            /* EHOSTUNREACH: the peer is gone (ZMQ_ROUTER_MANDATORY). */
            for (int j = i; j < n; j++)
                zmq_msg_close(&parts[j]);
            count(&stats->unroutable, 1);
            return;
        }
    }
    count(&stats->replied, 1);
}

static int serve(void *sock, enum mode mode, int delay_ms)
{
    struct pending *head = NULL, **tail = &head;
    zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };

    while (!stop_requested) {
        long timeout = ZR_SERVER_HEARTBEAT_MS;
        heartbeat();
        if (mode == MODE_SINK) {
            sleep_ms(ZR_SERVER_HEARTBEAT_MS);
            continue;
        }
        if (head) {
            long long left = head->due_ms - now_ms();
            timeout = left < 0 ? 0 : (left < timeout ? left : timeout);
        }
        if (zmq_poll(&item, 1, timeout) == -1) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "router_server: zmq_poll: %s\n", zmq_strerror(errno));
            return -1;
        }
        while (head && head->due_ms <= now_ms()) {
            struct pending *p = head;
            head = p->next;
            if (!head)
                tail = &head;
            count(&stats->held, -1);
            send_multipart(sock, p->parts, p->nparts);
            free(p);
        }
        if (!(item.revents & ZMQ_POLLIN))
            continue;
        if (mode == MODE_SLOW)
            sleep_ms(delay_ms);

        struct pending *p = malloc(sizeof *p);
        if (!p) {
            fprintf(stderr, "router_server: out of memory\n");
            return -1;
        }
        p->nparts = recv_multipart(sock, p->parts);
        if (p->nparts <= 0) {
            int failed = p->nparts == -1 && errno != EINTR && errno != EAGAIN;
            free(p);
            if (failed) {
                fprintf(stderr, "router_server: recv: %s\n", zmq_strerror(errno));
                return -1;
            }
            continue;
        }
        count(&stats->received, 1);
        if (mode == MODE_DELAY) {
            count(&stats->held, 1);
            p->next = NULL;
            p->due_ms = now_ms() + delay_ms;
            *tail = p;
            tail = &p->next;
        } else {
            send_multipart(sock, p->parts, p->nparts);
            free(p);
        }
    }
    while (head) {
        struct pending *p = head;
        head = p->next;
        for (int i = 0; i < p->nparts; i++)
            zmq_msg_close(&p->parts[i]);
        free(p);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "bind", required_argument, NULL, 'b' },
        { "mode", required_argument, NULL, 'm' },
        { "delay-ms", required_argument, NULL, 'd' },
        { "stats", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *bind_to = NULL, *stats_path = NULL;
    enum mode mode = MODE_ECHO;
    int delay_ms = 10, opt;
    char *end;
    long v;

    while ((opt = getopt_long(argc, argv, "b:m:d:s:h", options, NULL)) != -1) {
        switch (opt) {
        case 'b': bind_to = optarg; break;
        case 'm':
            if (!strcmp(optarg, "echo")) mode = MODE_ECHO;
            else if (!strcmp(optarg, "slow")) mode = MODE_SLOW;
            else if (!strcmp(optarg, "delay")) mode = MODE_DELAY;
            else if (!strcmp(optarg, "sink")) mode = MODE_SINK;
            else {
                fprintf(stderr, "router_server: unknown mode '%s' (echo, slow, delay, sink)\n", optarg);
                return 2;
            }
            break;
        case 'd':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 0 || v > 60000) {
                fprintf(stderr, "router_server: --delay-ms takes a whole number from 0 to 60000, not '%s'\n", optarg);
                return 2;
            }
            delay_ms = (int)v;
            break;
        case 's': stats_path = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!bind_to || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (stats_path && map_stats(stats_path) != 0)
        return 2;

    /* No SA_RESTART: a blocking zmq_poll returns EINTR and the loop sees the flag. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_ROUTER);
    int zero = 0, one = 1;
    /* Unlimited queues and mandatory routing: the server never drops a reply
     * silently, so a reply a client did not get is the client's loss. */
    zmq_setsockopt(sock, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_bind(sock, bind_to) == -1) {
        fprintf(stderr, "router_server: cannot bind %s: %s\n", bind_to, zmq_strerror(errno));
        zmq_close(sock);
        zmq_ctx_term(ctx);
        return 3;
    }
    char endpoint[1024];
    size_t len = sizeof endpoint;
    zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, endpoint, &len);
    printf("ENDPOINT %s\n", endpoint);
    fflush(stdout);

    int rc = serve(sock, mode, delay_ms);

    zmq_close(sock);
    zmq_ctx_term(ctx);
    printf("SERVER received=%lld replied=%lld unroutable=%lld\n", (long long)atomic_load(&stats->received),
           (long long)atomic_load(&stats->replied), (long long)atomic_load(&stats->unroutable));
    return rc == 0 ? 0 : 1;
}
