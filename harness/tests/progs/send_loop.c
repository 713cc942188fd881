/* A test program: the probe's hot path, a send loop. A PUSH socket sends
 * MESSAGES messages of 16 bytes as fast as it can to a PULL socket read by
 * a second thread (each socket used by its own thread only); prints
 *
 *     msgs_per_s=123456
 *
 * Run with and without libzr_loaded.so (and ZR_SOCKETS_LOG) preloaded, with
 * harness/owner's bench_compare, which alternates the two:
 *     bench_compare --lib build/libzr_loaded.so --bench build/tests/progs/send_loop --rounds 10
 *
 * usage: send_loop [ENDPOINT [MESSAGES]]   (default inproc://send-loop 1000000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

struct receiver {
    void *pull;
    long messages;
    int failed;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *receive_all(void *arg)
{
    struct receiver *r = arg;
    char buf[64];
    for (long i = 0; i < r->messages; i++) {
        if (zmq_recv(r->pull, buf, sizeof buf, 0) < 0) {
            r->failed = 1;
            break;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "inproc://send-loop";
    long messages = argc > 2 ? atol(argv[2]) : 1000000;
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    if (!push || !pull || zmq_bind(pull, endpoint) != 0 || zmq_connect(push, endpoint) != 0) {
        fprintf(stderr, "send_loop: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    struct receiver r = { pull, messages, 0 };
    pthread_t thread;
    pthread_create(&thread, NULL, receive_all, &r);
    double start = now_s();
    for (long i = 0; i < messages; i++) {
        if (zmq_send(push, "0123456789abcdef", 16, 0) != 16) {
            fprintf(stderr, "send_loop: send: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
    }
    pthread_join(thread, NULL);
    double elapsed = now_s() - start;
    if (r.failed) {
        fprintf(stderr, "send_loop: recv failed\n");
        return 1;
    }
    printf("msgs_per_s=%.0f\n", (double)messages / elapsed);
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return 0;
}
