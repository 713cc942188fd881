/* A REQ client and its own REP server in a second thread of the same
 * process, over inproc: the first program most people write from the
 * guide's hello-world, folded into one binary (the shape of many "is this
 * thread safe?" questions on the libzmq tracker, e.g. libzmq #3200's
 * discussion: one socket per thread is the rule). The REP socket is made
 * and bound by the main thread before the server thread starts
 * (pthread_create orders the two), then used only by that thread.
 * Correct; prints nothing, exits 0.
 *
 * @server none
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @expect perturb CLEAN
 * @expect owner CLEAN
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define ROUNDS 100

static void *serve(void *rep)
{
    char buf[32];
    for (int i = 0; i < ROUNDS; i++) {
        int n = zmq_recv(rep, buf, sizeof buf, 0);
        if (n < 0 || zmq_send(rep, "world", 5, 0) != 5)
            break;
    }
    zmq_close(rep);
    return NULL;
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    if (zmq_bind(rep, "inproc://hello") != 0) {
        fprintf(stderr, "bind: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    pthread_t server;
    pthread_create(&server, NULL, serve, rep);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_connect(req, "inproc://hello");
    char buf[32];
    int ok = 0;
    for (int i = 0; i < ROUNDS; i++)
        if (zmq_send(req, "hello", 5, 0) == 5 && zmq_recv(req, buf, sizeof buf, 0) == 5)
            ok++;
    zmq_close(req);
    pthread_join(server, NULL);
    zmq_ctx_term(ctx);
    return ok == ROUNDS ? 0 : 1;
}
