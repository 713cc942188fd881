/* A test program, not a case: a DEALER connects to ENDPOINT (where nothing
 * listens), sends one message, then zmq_ctx_term. With the default LINGER
 * (-1) term never returns (libzmq #2586):
 *   open     the socket is never closed: term waits for its close
 *   closed   closed first, LINGER -1: term waits for the unsent message
 *   linger0  LINGER 0, closed, then term: returns at once (a correct program)
 * Prints TERMINATING before zmq_ctx_term and DONE after it.
 *
 * usage: term_hang_unsent ENDPOINT open|closed|linger0
 */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "open") && strcmp(argv[2], "closed") && strcmp(argv[2], "linger0"))) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT open|closed|linger0\n", argv[0]);
        return 3;
    }
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    if (!dealer || zmq_connect(dealer, argv[1]) != 0 || zmq_send(dealer, "hello", 5, 0) != 5) {
        fprintf(stderr, "SETUP-ERROR: %s\n", zmq_strerror(zmq_errno()));
        return 3;
    }
    if (!strcmp(argv[2], "linger0")) {
        int zero = 0;
        zmq_setsockopt(dealer, ZMQ_LINGER, &zero, sizeof zero);
    }
    if (strcmp(argv[2], "open"))
        zmq_close(dealer);
    printf("TERMINATING\n");
    fflush(stdout);
    zmq_ctx_term(ctx);
    printf("DONE\n");
    return 0;
}
