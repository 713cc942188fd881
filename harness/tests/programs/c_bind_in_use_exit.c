/* A second server started on a port that the first one holds: zmq_bind
 * fails with "Address already in use", the program says so on stderr and
 * exits 1, after a line of progress on stdout. The most common first
 * error in the trackers' Q&A (a restarted service, a stale process). It is
 * the program's own exit, not a libzmq failure: EXIT, with the end of
 * both outputs shown, and never a reproduction unless EXIT is expected.
 *
 * @server none
 * @expect tsan EXIT
 * @expect stress EXIT
 * @expect perturb EXIT
 * @expect owner EXIT
 * @says Address already in use
 * @says starting the second server
 */
#include <stdio.h>
#include <zmq.h>

int main(void)
{
    void *ctx = zmq_ctx_new();
    void *first = zmq_socket(ctx, ZMQ_REP);
    if (zmq_bind(first, "tcp://127.0.0.1:*") != 0)
        return 2;
    char endpoint[256];
    size_t len = sizeof endpoint;
    zmq_getsockopt(first, ZMQ_LAST_ENDPOINT, endpoint, &len);
    printf("starting the second server on %s\n", endpoint);
    fflush(stdout);
    void *second = zmq_socket(ctx, ZMQ_REP);
    int rc = zmq_bind(second, endpoint);
    if (rc != 0)
        fprintf(stderr, "error: cannot bind %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
    zmq_close(second);
    zmq_close(first);
    zmq_ctx_term(ctx);
    return rc == 0 ? 0 : 1;
}
