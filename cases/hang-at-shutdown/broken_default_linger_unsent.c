/* A DEALER queues messages for a peer that never takes them, keeps the
 * default LINGER (-1: wait forever for unsent messages), and is closed; then
 * zmq_ctx_term waits, forever, for those messages to be sent. This is the
 * hang of libzmq #2586 and pyzmq #991: zmq_close returns at once, but the
 * context's reaper keeps the socket's pipe until it is flushed or the linger
 * period ends, and zmq_ctx_term returns only after that. zmq_setsockopt(3):
 * "The default value of -1 specifies an infinite linger period".
 *
 * The endpoint is one where nothing listens (@server none): zmq_connect
 * succeeds at once (connection is asynchronous) and, without ZMQ_IMMEDIATE,
 * the DEALER creates its outgoing pipe at once, so the sends are queued.
 *
 * Proves: HANG with main blocked in zmq_ctx_term (in both modes). The twin
 * that bounds the linger is fixed_bounded_linger.c.
 *
 * The watchdogs come from what the fixed twin, fixed_bounded_linger.c,
 * needs: its worst run took 0.12 s (tsan), 0.11 s (stress, owner) in 50
 * unloaded runs of each mode (zmq-repro bench -n 50 -L fixed
 * -L hang-at-shutdown). The hang itself is found earlier, by the no-progress watch
 * (@stall, 0.5 s after every thread sleeps); the watchdog catches it when a
 * thread keeps spinning. A slower machine scales both with
 * ZR_TIMEOUT_MULTIPLIER.
 *
 * @family hang-at-shutdown
 * @variant broken
 * @server none
 * @upstream libzmq#2586 pyzmq#991
 * @expect tsan HANG:zmq_ctx_term
 * @expect stress HANG:zmq_ctx_term
 * @expect owner HANG:zmq_ctx_term
 * @timeout tsan 1
 * @timeout stress 1
 * @timeout owner 1
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

    zmq_close(sock);      /* BROKEN: default LINGER -1 with messages unsent */
    zmq_ctx_term(ctx);    /* waits for the unsent messages: forever */

    printf("DONE\n");
    return 0;
}
