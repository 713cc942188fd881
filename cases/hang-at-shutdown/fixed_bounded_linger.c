/* The twin of broken_default_linger_unsent.c with the fix: the DEALER's
 * ZMQ_LINGER is set to a bound (100 ms) before it is closed. The messages
 * still queued for the absent peer are discarded when the linger period
 * ends, and zmq_ctx_term returns about 100 ms after zmq_close. This is the
 * answer given on libzmq #2586 and pyzmq #991: never leave LINGER at -1 on a
 * socket that may hold unsent messages when the program shuts down.
 *
 * Proves: CLEAN in both modes, far inside the 2 s watchdog. "queued" counts
 * messages that were dropped by design, so DONE carries no sent/received.
 *
 * @family hang-at-shutdown
 * @variant fixed
 * @twin hang-at-shutdown/broken_default_linger_unsent
 * @server none
 * @upstream libzmq#2586 pyzmq#991
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @timeout tsan 2
 * @timeout stress 2
 * @expect owner CLEAN
 * @timeout owner 2
 */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define QUEUED 10

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT\n", argv[0]);
        return 3;
    }
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1],
                zmq_strerror(zmq_errno()));
        return 3;
    }
    int queued = 0;
    for (int i = 0; i < QUEUED; i++) {
        char buf[16];
        int n = snprintf(buf, sizeof buf, "%d", i);
        if (zmq_send(sock, buf, (size_t)n, ZMQ_DONTWAIT) == n)
            queued++;
    }
    printf("queued=%d\n", queued);
    fflush(stdout);

    int linger_ms = 100;  /* FIXED: a bounded linger period */
    zmq_setsockopt(sock, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
    zmq_close(sock);
    zmq_ctx_term(ctx);    /* returns once the linger period has ended */

    printf("DONE\n");
    return 0;
}
