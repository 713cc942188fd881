/* The loop of every service that must also do other work: zmq_poll with a
 * short timeout (100 ms), a reply handled when it comes, a "tick" of other
 * work when the poll times out. Requests go to the harness's echo ROUTER;
 * once every reply is in, three idle ticks, then a bounded LINGER, close,
 * term. The shape of the poll loops in libzmq #3346 and #3259's reports
 * (there with a socket per thread). Correct; prints nothing.
 *
 * @server echo
 * @args {endpoint}
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @expect perturb CLEAN
 * @expect owner CLEAN
 */
#include <stdio.h>
#include <zmq.h>

#define REQUESTS 50

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 100;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(dealer, argv[1]);
    int sent = 0, received = 0, idle_ticks = 0;
    char buf[32];
    while (idle_ticks < 3) {
        if (sent < REQUESTS && zmq_send(dealer, "ping", 4, ZMQ_DONTWAIT) == 4)
            sent++;
        zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll(&item, 1, 100);
        if (rc < 0)
            return 1;
        if (rc > 0 && zmq_recv(dealer, buf, sizeof buf, 0) >= 0)
            received++;
        else if (received == REQUESTS)
            idle_ticks++; /* the other work of the loop */
    }
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    return 0;
}
