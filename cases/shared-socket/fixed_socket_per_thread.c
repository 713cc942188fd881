/* The simplest fix for the shared-socket bug: every thread creates, uses and
 * closes its own DEALER; only the context is shared, and a context is thread
 * safe (zmq(7): "Individual sockets are not thread safe ... contexts are").
 * Each thread keeps at most WINDOW requests outstanding, alternating blocking
 * zmq_send and zmq_recv on its own socket.
 *
 * Proves: CLEAN under TSan with an instrumented libzmq and under stress:
 * every request answered (DONE sent=N received=N, N = THREADS * MESSAGES).
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

#define THREADS 4
#define WINDOW 100

static void *ctx;
static const char *endpoint;
static long n; /* per thread */
static long sent[THREADS], received[THREADS];
static int connect_errno[THREADS];

static void *client(void *arg)
{
    int id = (int)(intptr_t)arg;
    void *sock = zmq_socket(ctx, ZMQ_DEALER); /* this thread's own */
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(sock, endpoint) != 0) {
        connect_errno[id] = zmq_errno();
        zmq_close(sock);
        return NULL;
    }
    char buf[16];
    while (received[id] < n) {
        int rc;
        if (sent[id] < n && sent[id] - received[id] < WINDOW) {
            if ((rc = zmq_send(sock, "ping", 4, 0)) == 4)
                sent[id]++;
        } else if ((rc = zmq_recv(sock, buf, sizeof buf, 0)) >= 0)
            received[id]++;
        if (rc == -1 && zmq_errno() != EINTR) {
            fprintf(stderr, "thread %d: %s\n", id, zmq_strerror(zmq_errno()));
            break;
        }
    }
    zmq_close(sock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (n = atol(argv[2])) <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MESSAGES_PER_THREAD\n", argv[0]);
        return 3;
    }
    endpoint = argv[1];
    ctx = zmq_ctx_new();
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, client, (void *)(intptr_t)i);

    long total_sent = 0, total_received = 0;
    int bad_endpoint = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        total_sent += sent[i];
        total_received += received[i];
        if (connect_errno[i])
            bad_endpoint = connect_errno[i];
    }
    zmq_ctx_term(ctx);
    if (bad_endpoint) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", endpoint, zmq_strerror(bad_endpoint));
        return 3;
    }
    printf("DONE sent=%ld received=%ld\n", total_sent, total_received);
    return 0;
}
