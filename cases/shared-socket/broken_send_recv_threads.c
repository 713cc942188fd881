/* One DEALER used by two threads at once: a send thread in blocking zmq_send
 * and a receive thread in blocking zmq_recv. This is the shape of pyzmq #2094
 * (a Python DEALER client whose send and recv run in different threads; the
 * GIL does not serialize them, pyzmq releases it in every blocking call) and
 * of libzmq #4649, #4477, #3582 and #3200. zmq(7): "Individual sockets are
 * not thread safe"; nothing in libzmq will ever make this pattern correct.
 *
 * Both threads process the socket's command mailbox, so each can consume the
 * wake-up the other is blocked waiting for.
 *
 * Proves: under TSan, a data race inside libzmq (zmq::mailbox_t::recv) within
 * a fraction of a second. Without TSan (Debian libzmq 4.3.4, 200k messages,
 * HWM 10): mostly a lost wake-up, both threads asleep in poll() on the
 * socket's mailbox although the server has answered every request it got
 * (HANG); sometimes "Assertion failed: false (src/object.cpp:170)", the
 * assertion of pyzmq #2094, or a SIGSEGV; a zmq_recv that fails shows as
 * LOSS. The fixed twins are the fixed_*.c cases of this family.
 *
 * HWM (optional; SNDHWM and RCVHWM, libzmq's default 1000) sets how often the
 * two threads block and trade activate_read/activate_write commands, which
 * is where the race lives. Measured here: at 1000, 0 of 13 stress runs
 * (200k to 2M messages) failed; at 10, 17 of 20.
 *
 * @family shared-socket
 * @variant broken
 * @server echo
 * @upstream pyzmq#2094 libzmq#4649 libzmq#4477 libzmq#3582 libzmq#3200
 * @expect tsan TSAN:data-race:@libzmq
 * @expect stress ASSERT SIGNAL HANG LOSS
 * @args tsan 2000
 * @args stress 200000 10
 * @expect owner SHARED_SOCKET
 * @args owner 200000 10
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

static void *sock; /* BROKEN: shared by sender() and receiver() */
static long n, sent, received;

static void *sender(void *arg)
{
    (void)arg;
    while (sent < n) {
        if (zmq_send(sock, "ping", 4, 0) == 4)
            sent++;
        else if (zmq_errno() != EINTR) {
            fprintf(stderr, "zmq_send: %s\n", zmq_strerror(zmq_errno()));
            break;
        }
    }
    return NULL;
}

static void *receiver(void *arg)
{
    (void)arg;
    char buf[16];
    while (received < n) {
        if (zmq_recv(sock, buf, sizeof buf, 0) >= 0)
            received++;
        else if (zmq_errno() != EINTR) {
            fprintf(stderr, "zmq_recv: %s\n", zmq_strerror(zmq_errno()));
            break;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int hwm = 1000;
    if (argc < 3 || argc > 4 || (n = atol(argv[2])) <= 0
        || (argc == 4 && (hwm = atoi(argv[3])) <= 0)) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MESSAGES [HWM]\n", argv[0]);
        return 3;
    }
    void *ctx = zmq_ctx_new();
    sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1],
                zmq_strerror(zmq_errno()));
        return 3;
    }

    pthread_t s, r;
    pthread_create(&r, NULL, receiver, NULL);
    pthread_create(&s, NULL, sender, NULL);
    pthread_join(s, NULL);
    pthread_join(r, NULL);

    printf("DONE sent=%ld received=%ld\n", sent, received);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}
