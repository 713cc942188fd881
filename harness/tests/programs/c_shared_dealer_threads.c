/* One DEALER, two threads: a "writer" thread pushes requests while the
 * main thread reads the replies, on the same socket, without any lock. The
 * shape of libzmq #3200 (zmq_send and zmq_recv in two threads; there with a
 * mutex around only one side) and libzmq #4649. libzmq sockets are not
 * thread safe: ThreadSanitizer reports the race inside libzmq, the
 * ownership checker the two threads inside one socket.
 *
 * @server echo
 * @args {endpoint} 20000
 * @upstream libzmq#3200 libzmq#4649
 * @expect tsan TSAN:data-race
 * @expect owner SHARED_SOCKET
 * @says zmq_send
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

static void *dealer;
static int count;

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < count; i++)
        zmq_send(dealer, "job", 3, 0);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    count = atoi(argv[2]);
    void *ctx = zmq_ctx_new();
    dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_connect(dealer, argv[1]);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    char buf[16];
    int got = 0;
    while (got < count && zmq_recv(dealer, buf, sizeof buf, 0) >= 0)
        got++;
    pthread_join(t, NULL);
    printf("%d replies\n", got);
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    return 0;
}
