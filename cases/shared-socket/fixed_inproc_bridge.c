/* Threads that need one tcp connection without sharing its socket: each
 * worker thread owns an inproc PAIR socket to the owner thread, and the owner
 * alone owns the tcp DEALER and forwards requests out and replies back. The
 * worker's id travels in the message, so the owner knows where a reply goes.
 * Sockets cross no thread: each is created, used and closed by one thread
 * (zmq(7): "Individual sockets are not thread safe"; inproc is the
 * recommended way to talk between threads).
 *
 * Proves: CLEAN under TSan with an instrumented libzmq and under stress:
 * every request answered (DONE sent=N received=N, N = WORKERS * MESSAGES).
 * The broken twin is broken_send_recv_threads.c.
 *
 * @family shared-socket
 * @variant fixed
 * @twin shared-socket/broken_send_recv_threads
 * @server echo
 * @upstream pyzmq#2094 libzmq#4649 libzmq#4477 libzmq#3582 libzmq#3200
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @args tsan 5000
 * @args stress 50000
 * @expect owner CLEAN
 * @args owner 50000
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#define WORKERS 4
#define WINDOW 100 /* per worker; WORKERS * WINDOW stays below every HWM */

struct request {
    int worker;
    long seq;
};

static void *ctx;
static long n; /* per worker */
static long replies[WORKERS];

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    char ep[32];
    snprintf(ep, sizeof ep, "inproc://bridge-%d", id);
    void *pair = zmq_socket(ctx, ZMQ_PAIR);
    zmq_connect(pair, ep); /* bound by the owner before this thread started */

    struct request req = { id, 0 };
    long sent = 0;
    while (replies[id] < n) {
        int rc;
        if (sent < n && sent - replies[id] < WINDOW) {
            req.seq = sent;
            if ((rc = zmq_send(pair, &req, sizeof req, 0)) == sizeof req)
                sent++;
        } else if ((rc = zmq_recv(pair, &req, sizeof req, 0)) == sizeof req)
            replies[id]++;
        if (rc == -1 && zmq_errno() != EINTR) {
            fprintf(stderr, "worker %d: %s\n", id, zmq_strerror(zmq_errno()));
            break;
        }
    }
    zmq_close(pair);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (n = atol(argv[2])) <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MESSAGES_PER_WORKER\n", argv[0]);
        return 3;
    }
    ctx = zmq_ctx_new();
    void *tcp = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(tcp, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(tcp, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1],
                zmq_strerror(zmq_errno()));
        return 3;
    }
    void *pairs[WORKERS];
    zmq_pollitem_t items[WORKERS + 1] = { { tcp, 0, ZMQ_POLLIN, 0 } };
    for (int i = 0; i < WORKERS; i++) {
        char ep[32];
        snprintf(ep, sizeof ep, "inproc://bridge-%d", i);
        pairs[i] = zmq_socket(ctx, ZMQ_PAIR);
        zmq_setsockopt(pairs[i], ZMQ_LINGER, &zero, sizeof zero);
        if (zmq_bind(pairs[i], ep) != 0) {
            fprintf(stderr, "SETUP-ERROR: zmq_bind %s: %s\n", ep, zmq_strerror(zmq_errno()));
            return 3;
        }
        items[i + 1] = (zmq_pollitem_t){ pairs[i], 0, ZMQ_POLLIN, 0 };
    }
    pthread_t threads[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);

    /* The owner: this thread alone uses tcp and the bound ends of the pairs. */
    struct request req;
    long forwarded = 0;
    while (forwarded < WORKERS * n) {
        if (zmq_poll(items, WORKERS + 1, -1) == -1) {
            if (zmq_errno() == EINTR)
                continue;
            fprintf(stderr, "zmq_poll: %s\n", zmq_strerror(zmq_errno()));
            break;
        }
        if (items[0].revents & ZMQ_POLLIN)
            while (zmq_recv(tcp, &req, sizeof req, ZMQ_DONTWAIT) == sizeof req
                   && req.worker >= 0 && req.worker < WORKERS) {
                zmq_send(pairs[req.worker], &req, sizeof req, 0);
                forwarded++;
            }
        for (int i = 0; i < WORKERS; i++)
            if (items[i + 1].revents & ZMQ_POLLIN)
                while (zmq_recv(pairs[i], &req, sizeof req, ZMQ_DONTWAIT) == sizeof req)
                    zmq_send(tcp, &req, sizeof req, 0);
    }

    long received = 0;
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(threads[i], NULL);
        received += replies[i];
    }
    printf("DONE sent=%ld received=%ld\n", WORKERS * n, received);
    for (int i = 0; i < WORKERS; i++)
        zmq_close(pairs[i]);
    zmq_close(tcp);
    zmq_ctx_term(ctx);
    return 0;
}
