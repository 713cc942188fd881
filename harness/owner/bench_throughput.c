/* The overhead benchmark of libzmq_owner: a ROUTER echo thread and a DEALER
 * client in one process, N round trips in a pipelined window, every call on
 * a socket made by that socket's only thread (the checker's hot path: a call
 * on a known socket by its owner). Prints one line:
 *
 *     msgs_per_s=123456
 *
 * (round trips per second). Run it with and without the checker preloaded,
 * alternating, several times, and compare the medians; the test driver's
 * companion tests/bench_compare does exactly that.
 *
 * usage: bench_throughput [ENDPOINT [ROUND_TRIPS [WINDOW]]]
 *        (default inproc://bench-throughput 200000 100; tcp://127.0.0.1:*
 *        or ipc:///private/dir/name work too)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

struct echo {
    void *router;
    long round_trips;
    int failed;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_throughput: %s: %s\n", what, zmq_strerror(zmq_errno()));
    return 1;
}

/* The ROUTER thread: receives [identity, body] and sends it back, as many
 * times as the client will send. */
static void *echo_thread(void *arg)
{
    struct echo *echo = arg;
    zmq_msg_t identity, body;
    zmq_msg_init(&identity);
    zmq_msg_init(&body);
    for (long i = 0; i < echo->round_trips; i++) {
        if (zmq_msg_recv(&identity, echo->router, 0) < 0 || zmq_msg_recv(&body, echo->router, 0) < 0
            || zmq_msg_send(&identity, echo->router, ZMQ_SNDMORE) < 0 || zmq_msg_send(&body, echo->router, 0) < 0) {
            if (zmq_errno() == EINTR) {
                i--;
                continue;
            }
            echo->failed = fail("echo");
            break;
        }
    }
    zmq_msg_close(&identity);
    zmq_msg_close(&body);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "inproc://bench-throughput";
    long round_trips = argc > 2 ? atol(argv[2]) : 200000;
    long window = argc > 3 ? atol(argv[3]) : 100;
    if (argc > 4 || round_trips <= 0 || window <= 0) {
        fprintf(stderr, "usage: %s [ENDPOINT [ROUND_TRIPS [WINDOW]]]\n", argv[0]);
        return 2;
    }

    void *context = zmq_ctx_new();
    if (!context)
        return fail("zmq_ctx_new");
    struct echo echo = { zmq_socket(context, ZMQ_ROUTER), round_trips, 0 };
    void *dealer = zmq_socket(context, ZMQ_DEALER);
    int zero = 0;
    char bound[256];
    size_t bound_length = sizeof bound;
    if (!echo.router || !dealer)
        return fail("zmq_socket");
    if (zmq_setsockopt(echo.router, ZMQ_LINGER, &zero, sizeof zero) != 0
        || zmq_setsockopt(dealer, ZMQ_LINGER, &zero, sizeof zero) != 0)
        return fail("zmq_setsockopt");
    if (zmq_bind(echo.router, endpoint) != 0)
        return fail("zmq_bind");
    if (zmq_getsockopt(echo.router, ZMQ_LAST_ENDPOINT, bound, &bound_length) != 0)
        return fail("zmq_getsockopt");
    if (zmq_connect(dealer, bound) != 0)
        return fail("zmq_connect");

    /* The router passes to the echo thread at its creation (a full barrier)
     * and main never touches it again until the join. */
    pthread_t thread;
    if (pthread_create(&thread, NULL, echo_thread, &echo) != 0) {
        fprintf(stderr, "bench_throughput: pthread_create failed\n");
        return 1;
    }
    double start = now_s();
    long sent = 0, received = 0;
    char buffer[64];
    while (received < round_trips) {
        int rc;
        if (sent < round_trips && sent - received < window) {
            if ((rc = zmq_send(dealer, "0123456789abcdef", 16, 0)) == 16)
                sent++;
        } else if ((rc = zmq_recv(dealer, buffer, sizeof buffer, 0)) >= 0) {
            received++;
        }
        if (rc < 0 && zmq_errno() != EINTR) {
            fail("client");
            break;
        }
    }
    double elapsed = now_s() - start;
    pthread_join(thread, NULL);
    zmq_close(dealer);
    zmq_close(echo.router);
    zmq_ctx_term(context);
    if (echo.failed || received < round_trips)
        return 1;
    printf("msgs_per_s=%.0f\n", (double)received / elapsed);
    return 0;
}
