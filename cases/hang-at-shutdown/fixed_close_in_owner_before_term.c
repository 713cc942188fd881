/* The twin of broken_socket_open_in_idle_thread.c with the fix: the shutdown
 * order is reversed. The main thread first tells the idle worker to stop; the
 * worker, the socket's owner, closes its own socket and returns; main joins
 * it, and only then calls zmq_ctx_term. Every socket is closed by the thread
 * that owns it before the context is terminated, so zmq_ctx_term returns at
 * once (zmq_ctx_term(3); the clean-exit rules of the zguide).
 *
 * Proves: CLEAN in both modes, far inside the 2 s watchdog.
 *
 * @family hang-at-shutdown
 * @variant fixed
 * @twin hang-at-shutdown/broken_socket_open_in_idle_thread
 * @server echo
 * @upstream pyzmq#2070
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @timeout tsan 2
 * @timeout stress 2
 * @expect owner CLEAN
 * @timeout owner 2
 */
#include <pthread.h>
#include <stdio.h>
#include <zmq.h>

struct shared {
    void *ctx;
    const char *endpoint;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int ready;          /* worker: setup done (1) or failed (-1) */
    int stop;           /* main: the worker may close its socket and return */
    int sent, received;
};

static void *worker(void *arg)
{
    struct shared *s = arg;
    void *sock = zmq_socket(s->ctx, ZMQ_DEALER);
    int linger = 0, rcvtimeo = 1000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
    int ok = zmq_connect(sock, s->endpoint) == 0;
    if (ok && zmq_send(sock, "ping", 4, 0) == 4) {
        s->sent = 1;
        char buf[16];
        if (zmq_recv(sock, buf, sizeof buf, 0) >= 0)
            s->received = 1;
    }
    ok = ok && s->received;               /* no reply in 1 s: no server */

    pthread_mutex_lock(&s->lock);
    s->ready = ok ? 1 : -1;
    pthread_cond_broadcast(&s->cond);
    while (!s->stop)                      /* idle: not in a zmq call */
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);

    zmq_close(sock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT\n", argv[0]);
        return 3;
    }
    struct shared s = { .endpoint = argv[1],
                        .lock = PTHREAD_MUTEX_INITIALIZER,
                        .cond = PTHREAD_COND_INITIALIZER };
    s.ctx = zmq_ctx_new();
    pthread_t t;
    pthread_create(&t, NULL, worker, &s);

    pthread_mutex_lock(&s.lock);
    while (!s.ready)
        pthread_cond_wait(&s.cond, &s.lock);
    int ready = s.ready;
    pthread_mutex_unlock(&s.lock);
    if (ready < 0) {
        fprintf(stderr, "SETUP-ERROR: no round trip with %s\n", argv[1]);
        return 3;
    }

    pthread_mutex_lock(&s.lock);
    s.stop = 1;               /* FIXED: first the owner closes its socket */
    pthread_cond_broadcast(&s.cond);
    pthread_mutex_unlock(&s.lock);
    pthread_join(t, NULL);

    zmq_ctx_term(s.ctx);      /* then term: no socket is left open */

    printf("DONE sent=%d received=%d\n", s.sent, s.received);
    return 0;
}
