/* The twin of broken_heartbeat_timer_after_engine_teardown.c (libzmq #3594):
 * the same ROUTER (ZMQ_HEARTBEAT_IVL 100 ms, RCVHWM 1), the same peer and the
 * same two connections, but the ROUTER's owner keeps reading it: a zmq_poll
 * loop in the owner thread takes each message as it arrives, so the inbound
 * pipe is never full when the peer reconnects, mechanism_ready pushes the
 * routing id at its first run and adds one heartbeat timer, and the engine
 * cancels it when the connection ends. Safe on every libzmq version; on
 * <= 4.3.2 an owner that can fall behind has to upgrade to 4.3.3. The
 * peer waits until the owner has read connection 1's message before it
 * closes the connection, so that the order is the same every run.
 *
 * Proves: CLEAN on every libzmq version (4.3.2 to 4.3.5 measured), in every
 * mode: DONE messages=1.
 *
 * @family finalize-race
 * @variant fixed
 * @twin finalize-race/broken_heartbeat_timer_after_engine_teardown
 * @server none
 * @upstream libzmq#3594
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @expect owner CLEAN
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
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int messages;           /* owner: messages read */
    int done;               /* peer: finished */
};

/* The peer waits (2 s at most) until the owner has read n messages. */
static void wait_read(struct peer *pr, int n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    pthread_mutex_lock(&pr->lock);
    while (pr->messages < n && pthread_cond_timedwait(&pr->cond, &pr->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&pr->lock);
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
    const char *failed = "accept connection 1";
    int fd = accept_and_greet(pr->listener);          /* connection 1 */
    if (fd >= 0) {
        failed = "complete the handshake of connection 1";
        if (await_ready(fd) == 0 && write_all(fd, message, sizeof message) == 0) {
            wait_read(pr, 1);                         /* the owner has read m1 */
            drain(fd, 20);
            failed = "accept connection 2 (the ROUTER's reconnection)";
        }
        close(fd);
        fd = failed[0] == 'a' ? accept_and_greet(pr->listener) : -1;
    }
    if (fd >= 0) {                                    /* connection 2 */
        failed = "complete the handshake of connection 2";
        if (await_ready(fd) == 0) {
            drain(fd, 30);                            /* mechanism_ready has run */
            failed = NULL;
        }
        close(fd);                                    /* the engine is freed */
    }
    close(pr->listener);                              /* no third connection */
    unlink(pr->path);
    pthread_mutex_lock(&pr->lock);
    pr->failed = failed;
    pr->done = 1;
    pthread_mutex_unlock(&pr->lock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2 || strncmp(argv[1], "ipc://", 6) || strlen(argv[1] + 6) >= 108) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ipc://PATH (where nothing listens)\n", argv[0]);
        return 3;
    }
    struct peer pr = { .listener = socket(AF_UNIX, SOCK_STREAM, 0),
                       .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
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

    /* FIXED: the owner keeps reading its ROUTER while the peer comes and
     * goes, and 2 heartbeat intervals after the peer is done. */
    struct timespec now, end = { 0, 0 };
    for (;;) {
        zmq_pollitem_t item = { router, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, 10) == 1) {
            zmq_msg_t part;
            zmq_msg_init(&part);
            if (zmq_msg_recv(&part, router, 0) >= 0 && !zmq_msg_more(&part)) {
                pthread_mutex_lock(&pr.lock);      /* [routing id, body] */
                pr.messages++;
                pthread_cond_broadcast(&pr.cond);
                pthread_mutex_unlock(&pr.lock);
            }
            zmq_msg_close(&part);
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        pthread_mutex_lock(&pr.lock);
        int done = pr.done;
        pthread_mutex_unlock(&pr.lock);
        if (done && !end.tv_sec) {
            end = now;
            end.tv_nsec += 2 * IVL_MS * 1000000L;
            end.tv_sec += end.tv_nsec / 1000000000L;
            end.tv_nsec %= 1000000000L;
        }
        if (end.tv_sec && (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)))
            break;
    }
    pthread_join(t, NULL);
    int messages = pr.messages;
    zmq_close(router);
    zmq_ctx_term(ctx);
    if (pr.failed) {
        fprintf(stderr, "SETUP-ERROR: the peer at %s could not %s\n", pr.path, pr.failed);
        return 3;
    }
    if (messages != 1) {
        fprintf(stderr, "the owner read %d messages, not 1\n", messages);
        return 1;
    }
    printf("DONE messages=%d\n", messages);
    return 0;
}
