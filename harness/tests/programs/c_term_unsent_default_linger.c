/* A request queued for a peer that never comes, the socket closed with the
 * default LINGER (-1), then zmq_ctx_term: it waits forever for that
 * message to leave. The C form of pyzmq #102 and #1407 ("send, close,
 * term/destroy hangs") and libzmq #2586. The peer's address is the one
 * the harness gives with no server: an ipc path where nothing listens
 * (the connect succeeds at once and the message is queued).
 *
 * @server none
 * @args {endpoint}
 * @upstream libzmq#2586 pyzmq#102 pyzmq#1407
 * @expect tsan HANG:zmq_ctx_term
 * @expect stress HANG:zmq_ctx_term
 * @expect perturb HANG:zmq_ctx_term
 * @expect owner HANG:zmq_ctx_term
 * @says closed with LINGER -1 (the default)
 */
#include <stdio.h>
#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    zmq_connect(push, argv[1]);
    zmq_send(push, "result", 6, 0);
    zmq_close(push);
    zmq_ctx_term(ctx); /* never returns */
    puts("terminated");
    return 0;
}
