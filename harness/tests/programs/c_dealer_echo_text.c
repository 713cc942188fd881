/* A DEALER client of someone else's ROUTER (the harness's echo server,
 * given as the first argument): send a batch of requests, read every reply,
 * say how it went in plain text on stdout, exit 0. The everyday client of
 * pyzmq #2094's C++ ROUTER server, written in C, one thread. Correct: it
 * prints no DONE line and needs none.
 *
 * @server echo
 * @args {endpoint} 200
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @expect perturb CLEAN
 * @expect owner CLEAN
 */
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ENDPOINT COUNT\n", argv[0]);
        return 2;
    }
    int count = atoi(argv[2]);
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    if (zmq_connect(dealer, argv[1]) != 0) {
        fprintf(stderr, "connect %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
        return 1;
    }
    char buf[64];
    int replies = 0;
    for (int i = 0; i < count; i++) {
        int n = snprintf(buf, sizeof buf, "request %d", i);
        zmq_send(dealer, buf, (size_t)n, 0);
    }
    while (replies < count && zmq_recv(dealer, buf, sizeof buf, 0) >= 0)
        replies++;
    printf("sent %d requests, got %d replies\n", count, replies);
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    return 0;
}
