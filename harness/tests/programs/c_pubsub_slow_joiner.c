/* PUB and SUB in one program over loopback TCP, the SUB given a moment
 * (200 ms) to join before the first message: the "slow joiner" of the
 * guide, asked about again and again (libzmq #2826, #4656, pyzmq #2036:
 * "a delay is needed after bind"). Whatever arrives within the receive
 * timeout is counted and printed; PUB/SUB may drop, so the count is
 * information, not a failure. Correct; exits 0.
 *
 * @server none
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @expect perturb CLEAN
 * @expect owner CLEAN
 */
#include <stdio.h>
#include <unistd.h>
#include <zmq.h>

#define MESSAGES 20

int main(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    if (zmq_bind(pub, "tcp://127.0.0.1:*") != 0) {
        fprintf(stderr, "bind: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    char endpoint[256];
    size_t len = sizeof endpoint;
    zmq_getsockopt(pub, ZMQ_LAST_ENDPOINT, endpoint, &len);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "weather", 7);
    int timeout_ms = 200; /* with the sleep, under the no-progress watch's 0.5 s */
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
    zmq_connect(sub, endpoint);
    usleep(200 * 1000); /* the slow joiner's sleep */
    for (int i = 0; i < MESSAGES; i++) {
        char msg[64];
        int n = snprintf(msg, sizeof msg, "weather %d", i);
        zmq_send(pub, msg, (size_t)n, 0);
    }
    int got = 0;
    char buf[64];
    while (got < MESSAGES && zmq_recv(sub, buf, sizeof buf, 0) >= 0)
        got++;
    printf("subscriber got %d of %d updates\n", got, MESSAGES);
    int zero = 0;
    zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(sub);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    return 0;
}
