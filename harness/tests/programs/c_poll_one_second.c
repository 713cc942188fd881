/* A service's idle loop with a one-second zmq_poll timeout: nothing comes,
 * it polls three times, then closes and exits 0. Correct, and the most
 * common timeout in users' code (the guide's examples use 1000 ms). While
 * it waits every thread sleeps, which the no-progress watch (0.5 s) takes
 * for a hang today: a bounded wait is not a hang.
 *
 * @server none
 * @label corpus-waits
 * @expect stress CLEAN
 * @expect perturb CLEAN
 * @expect owner CLEAN
 */
#include <zmq.h>

int main(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    zmq_bind(pull, "inproc://jobs");
    for (int tick = 0; tick < 3; tick++) {
        zmq_pollitem_t item = { pull, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, 1000) < 0)
            return 1;
    }
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return 0;
}
