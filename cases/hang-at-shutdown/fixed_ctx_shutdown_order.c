/* The canonical clean shutdown of a context whose socket is owned by a thread
 * that is blocked in a zmq call: libzmq's own tests/test_ctx_destroy.cpp
 * (test_ctx_shutdown; "if we used destroy here we would deadlock").
 * A worker owns a DEALER, does one request/reply, then blocks in zmq_recv for
 * a reply that never comes. The main thread calls zmq_ctx_shutdown (which,
 * unlike zmq_ctx_term, does not wait); the blocked zmq_recv returns -1 with
 * errno ETERM; the worker closes its own socket and returns; main joins it and
 * only then calls zmq_ctx_term, which returns at once. pyzmq's
 * test_term_thread is the Python twin. Contrast
 * broken_socket_open_in_idle_thread.c, where the owner is not in a zmq call
 * and zmq_ctx_term is called while its socket is open.
 *
 * Proves: CLEAN in both modes, far inside the 2 s watchdog. The worker's recv
 * must end with ETERM; any other result is written to stderr (not CLEAN).
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
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <zmq.h>

struct shared {
    void *ctx;
    const char *endpoint;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int ready;          /* worker: round trip done (1) or failed (-1) */
    int sent, received;
    int last_rc, last_errno;
};

static void *worker(void *arg)
{
    struct shared *s = arg;
    void *sock = zmq_socket(s->ctx, ZMQ_DEALER);
    int linger = 0, rcvtimeo = 1000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
    int ok = zmq_connect(sock, s->endpoint) == 0;
    char buf[16];
    if (ok && zmq_send(sock, "ping", 4, 0) == 4) {
        s->sent = 1;
        if (zmq_recv(sock, buf, sizeof buf, 0) >= 0)
            s->received = 1;
    }
    ok = ok && s->received;               /* no reply in 1 s: no server */

    pthread_mutex_lock(&s->lock);
    s->ready = ok ? 1 : -1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);

    if (ok) {
        rcvtimeo = -1;
        zmq_setsockopt(sock, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
        s->last_rc = zmq_recv(sock, buf, sizeof buf, 0);  /* blocks until ETERM */
        s->last_errno = zmq_errno();
    }
    zmq_close(sock);                      /* the owner closes its socket */
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
        pthread_join(t, NULL);
        zmq_ctx_term(s.ctx);
        fprintf(stderr, "SETUP-ERROR: no round trip with %s\n", argv[1]);
        return 3;
    }

    zmq_ctx_shutdown(s.ctx);  /* FIXED: blocked calls return ETERM; no wait */
    pthread_join(t, NULL);    /* the worker closed its socket and returned */
    zmq_ctx_term(s.ctx);      /* nothing left open: returns at once */

    if (s.last_rc != -1 || s.last_errno != ETERM) {
        fprintf(stderr, "worker's blocked zmq_recv ended with rc=%d errno=%d (%s),"
                " not ETERM\n", s.last_rc, s.last_errno, zmq_strerror(s.last_errno));
        return 1;
    }
    printf("DONE sent=%d received=%d\n", s.sent, s.received);
    return 0;
}
