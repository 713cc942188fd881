/* One DEALER used by two threads at once, as in broken_send_recv_threads.c,
 * but with the bounded waits of a long-running service: ZMQ_SNDTIMEO and
 * ZMQ_RCVTIMEO of 10 ms, EAGAIN retried. libzmq #3200 (send and recv in
 * two threads, "Assertion failed: false (src/object.cpp:155)" on 4.2.3) and
 * the programs behind pyzmq #2094 and libzmq #4649 ran for hours before the
 * assertion: a blocking program meets a lost wake-up first and hangs for
 * good, while a bounded wait survives it, goes on using the damaged socket
 * and meets the corruption of its command mailbox.
 *
 * Proves: without a sanitizer (Debian libzmq 4.3.4, 200k messages, HWM 10),
 * "Assertion failed: false (src/object.cpp:170)" (142 on 4.3.5, 166 on
 * 4.3.2) or "ok (src/mailbox.cpp:99)" in about half of the runs, a SIGSEGV
 * or glibc's abort on a damaged heap in most others. Replies that never
 * arrive show as LOSS: the receiver gives up after 1 s without one. Under
 * TSan, a data race inside libzmq at once.
 *
 * @family shared-socket
 * @variant broken
 * @server echo
 * @upstream libzmq#3200 pyzmq#2094 libzmq#4649
 * @expect tsan TSAN:data-race:@libzmq
 * @expect stress ASSERT SIGNAL HANG LOSS
 * @args tsan 2000
 * @args stress 200000 10
 * A run that gets through its 200k messages takes up to 6 s here (50 runs
 * of bench, stress and perturb), and the receiver may wait 1 s before it
 * gives up: the watchdog leaves room for both on a loaded machine. A hang
 * is still found at once, by the no-progress watch.
 * @timeout stress 30
 * @expect owner SHARED_SOCKET
 * @args owner 200000 10
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

#define WAIT_MS 10
#define GIVE_UP_S 1.0

static void *sock; /* BROKEN: shared by sender() and receiver() */
static long n;
static _Atomic long sent, received;
static atomic_bool stop;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sender(void *arg)
{
    (void)arg;
    while (sent < n && !stop) {
        if (zmq_send(sock, "ping", 4, 0) == 4)
            sent++;
        else if (zmq_errno() != EAGAIN && zmq_errno() != EINTR) {
            fprintf(stderr, "zmq_send: %s\n", zmq_strerror(zmq_errno()));
            break;
        }
    }
    return NULL;
}

static void *receiver(void *arg)
{
    (void)arg;
    char buf[16];
    double last = now_s();
    while (received < n) {
        if (zmq_recv(sock, buf, sizeof buf, 0) >= 0) {
            received++;
            last = now_s();
        } else if (zmq_errno() != EAGAIN && zmq_errno() != EINTR) {
            fprintf(stderr, "zmq_recv: %s\n", zmq_strerror(zmq_errno()));
            break;
        } else if (now_s() - last > GIVE_UP_S) {
            break;
        }
    }
    stop = true;
    return NULL;
}

int main(int argc, char **argv)
{
    int hwm = 1000;
    if (argc < 3 || argc > 4 || (n = atol(argv[2])) <= 0
        || (argc == 4 && (hwm = atoi(argv[3])) <= 0)) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MESSAGES [HWM]\n", argv[0]);
        return 3;
    }
    void *ctx = zmq_ctx_new();
    sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0, wait_ms = WAIT_MS;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_SNDTIMEO, &wait_ms, sizeof wait_ms);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1],
                zmq_strerror(zmq_errno()));
        return 3;
    }

    pthread_t s, r;
    pthread_create(&r, NULL, receiver, NULL);
    pthread_create(&s, NULL, sender, NULL);
    pthread_join(r, NULL);
    pthread_join(s, NULL);

    printf("DONE sent=%ld received=%ld\n", (long)sent, (long)received);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}
