/* libzmq's I/O thread runs a heartbeat timer on a connection engine it has
 * already torn down and freed: libzmq #3594 ("stream_engine use after free",
 * PR #3594, commit 13387c5c, in 4.3.3: "Don't allow concurrent heartbeat
 * timers"). Up to 4.3.2, stream_engine_t::mechanism_ready adds a
 * ZMQ_HEARTBEAT_IVL timer each time it runs, and it runs more than once when
 * it returns early: when the session cannot push the peer's routing id
 * because the ROUTER's inbound pipe is full (RCVHWM reached, the application
 * not reading). The engine cancels one timer when the connection ends; the
 * other fires on the freed engine.
 *
 * The client is a ROUTER with heartbeats (ZMQ_HEARTBEAT_IVL 100 ms) and
 * RCVHWM 1 whose owner is busy and does not read it for a while. Its peer is
 * played by a thread of this program over a plain AF_UNIX socket at ENDPOINT
 * (ipc://, @server none), speaking ZMTP 3.0 NULL as a DEALER, so that every
 * step happens in the same order each time: connection 1 sends one message
 * (the inbound pipe is now full) and closes; the ROUTER reconnects;
 * connection 2 completes its handshake (two heartbeat timers on <= 4.3.2)
 * and closes. The owner then reads what is queued and shuts down.
 *
 * Proves: on <= 4.3.2, under TSan a heap-use-after-free in
 * zmq::poller_base_t::execute_timers (libzmq's I/O thread) on the engine freed
 * by the connection's end; without a sanitizer the I/O thread calls through
 * the freed engine's vtable and the process dies with SIGSEGV. On >= 4.3.3:
 * DONE messages=1. The twin whose owner keeps reading its ROUTER (so the
 * pipe is not full at the reconnect) is fixed_router_read_heartbeat.c.
 * Measured (20 runs per libzmq and mode): on 4.3.2 the heap-use-after-free
 * 20 of 20 under TSan and SIGSEGV 20 of 20 in plain and owner runs; CLEAN
 * 20 of 20 on 4.3.3, 4.3.4 and 4.3.5.
 *
 * @family finalize-race
 * @variant broken
 * @server none
 * @upstream libzmq#3594
 * @fixed-in 4.3.3 CLEAN
 * @expect tsan TSAN:heap-use-after-free:zmq::poller_base_t::execute_timers
 * @expect stress SIGNAL:SIGSEGV
 * @expect owner SIGNAL:SIGSEGV
 * Watchdog (no run hangs; it bounds the runs on a fixed libzmq), from 100
 * runs per mode on 4.3.4 of the fixed twin and of the broken case (which
 * must end CLEAN there): worst 0.50 s tsan, 0.48 s stress, 0.49 s owner;
 * with two CPU hogs on a 2-core machine already at load 5: worst 1.03 s
 * tsan, 0.56 s stress, 0.96 s owner. 3 s, 2 s and 3 s are 2.9x, 3.6x and
 * 3.1x the loaded worst.
 * @timeout tsan 3
 * @timeout stress 2
 * @timeout owner 3
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define IVL_MS 100          /* ZMQ_HEARTBEAT_IVL */

struct peer {
    int listener;
    char path[108];
    const char *failed;     /* the step the peer could not do, or NULL */
};

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads and discards what libzmq sends (greeting, READY, pings) for ms. */
static void drain(int fd, int ms)
{
    char buf[512];
    struct pollfd p = { fd, POLLIN, 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        int left = ms - (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0 || (poll(&p, 1, left) == 1 && recv(fd, buf, sizeof buf, 0) <= 0))
            return;
    }
}

/* Reads what libzmq sends until its READY command has come: its 64-byte
 * greeting, then ZMTP frames (flags, size, body). A peer must not send a
 * message before the handshake is over: libzmq would take it for a second
 * READY ("duplicate READY"), drop the connection as a protocol error and
 * never reconnect. 0 when READY came within 2 s. */
static int await_ready(int fd)
{
    unsigned char buf[4096];
    size_t have = 0, pos = 64;              /* frames start after the greeting */
    struct pollfd p = { fd, POLLIN, 0 };
    for (int waited = 0; waited < 2000; ) {
        while (have >= pos + 2) {
            unsigned char flags = buf[pos];
            size_t hdr = (flags & 0x02) ? 9 : 2, size = 0;
            if (have < pos + hdr)
                break;
            if (flags & 0x02)
                for (int i = 1; i <= 8; i++)
                    size = (size << 8) | buf[pos + i];
            else
                size = buf[pos + 1];
            if (size > sizeof buf - 9 || have < pos + hdr + size)
                break;
            if ((flags & 0x04) && size >= 6 && !memcmp(buf + pos + hdr, "\x05READY", 6))
                return 0;
            pos += hdr + size;
        }
        if (have == sizeof buf)
            return -1;
        if (poll(&p, 1, 10) == 1) {
            ssize_t r = recv(fd, buf + have, sizeof buf - have, 0);
            if (r <= 0)
                return -1;
            have += (size_t)r;
        } else {
            waited += 10;
        }
    }
    return -1;
}

/* Accepts the ROUTER's next connection and sends a ZMTP 3.0 greeting (NULL
 * mechanism) and a READY command naming a DEALER. */
static int accept_and_greet(int listener)
{
    static const unsigned char greeting[64] = { 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0, 'N', 'U', 'L', 'L' };
    static const unsigned char ready[] = {
        0x04, 28, 5, 'R', 'E', 'A', 'D', 'Y', 11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e',
        0, 0, 0, 6, 'D', 'E', 'A', 'L', 'E', 'R',
    };
    struct pollfd p = { listener, POLLIN, 0 };
    if (poll(&p, 1, 2000) != 1)
        return -1;
    int fd = accept(listener, NULL, NULL);
    if (fd >= 0 && (write_all(fd, greeting, sizeof greeting) || write_all(fd, ready, sizeof ready))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void *peer_thread(void *arg)
{
    struct peer *pr = arg;
    static const unsigned char message[] = { 0x00, 2, 'm', '1' };
    pr->failed = "accept connection 1";
    int fd = accept_and_greet(pr->listener);          /* connection 1 */
    if (fd >= 0) {
        pr->failed = "complete the handshake of connection 1";
        if (await_ready(fd) == 0 && write_all(fd, message, sizeof message) == 0) {
            drain(fd, 20);                            /* m1 fills RCVHWM 1 */
            pr->failed = "accept connection 2 (the ROUTER's reconnection)";
        }
        close(fd);
        fd = pr->failed[0] == 'a' ? accept_and_greet(pr->listener) : -1;
    }
    if (fd >= 0) {                                    /* connection 2 */
        pr->failed = "complete the handshake of connection 2";
        if (await_ready(fd) == 0) {
            drain(fd, 30);                            /* mechanism_ready has run */
            pr->failed = NULL;
        }
        close(fd);                                    /* the engine is freed */
    }
    close(pr->listener);                              /* no third connection */
    unlink(pr->path);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2 || strncmp(argv[1], "ipc://", 6) || strlen(argv[1] + 6) >= 108) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ipc://PATH (where nothing listens)\n", argv[0]);
        return 3;
    }
    struct peer pr = { .listener = socket(AF_UNIX, SOCK_STREAM, 0) };
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(pr.path, argv[1] + 6);
    strcpy(a.sun_path, pr.path);
    if (pr.listener < 0 || bind(pr.listener, (struct sockaddr *)&a, sizeof a) || listen(pr.listener, 4)) {
        fprintf(stderr, "SETUP-ERROR: cannot listen at %s\n", pr.path);
        return 3;
    }
    pthread_t t;
    pthread_create(&t, NULL, peer_thread, &pr);

    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    int ivl = IVL_MS, ttl = 10000, hwm = 1, reconnect = 10, linger = 0;
    zmq_setsockopt(router, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(router, ZMQ_HEARTBEAT_TIMEOUT, &ttl, sizeof ttl);  /* the peer never answers pings */
    zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(router, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect);
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(router, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
        return 3;
    }

    pthread_join(t, NULL);    /* BROKEN on <= 4.3.2: the owner is busy, its */
    sleep_ms(2 * IVL_MS);     /* inbound pipe full; the stray timer fires */

    int messages = 0;         /* then it reads what is queued */
    zmq_pollitem_t item = { router, 0, ZMQ_POLLIN, 0 };
    while (zmq_poll(&item, 1, 50) == 1) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, router, 0) < 0)
            break;
        if (!zmq_msg_more(&part))   /* [routing id, body] */
            messages++;
        zmq_msg_close(&part);
    }
    zmq_close(router);
    zmq_ctx_term(ctx);
    if (pr.failed) {
        fprintf(stderr, "SETUP-ERROR: the peer at %s could not %s\n", pr.path, pr.failed);
        return 3;
    }
    printf("DONE messages=%d\n", messages);
    return 0;
}
