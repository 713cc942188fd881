/* CLEAN: a thread-safe socket type (ZMQ_CLIENT, draft API) used by two
 * threads at once, which libzmq allows: the checker must say nothing.
 * libzmq built without the draft API (Debian's) cannot create a CLIENT: then
 * this prints SKIP and exits 77, and the exemption is covered by
 * test_socket_table (by type number) only.
 *
 * usage: thread_safe_client
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <zmq.h>

#define CLIENT 13 /* ZMQ_CLIENT, zmq.h draft section */
#define SERVER 12 /* ZMQ_SERVER */

static void *client; /* shared by two threads: legal for this type */

static void *receiver(void *arg)
{
    (void)arg;
    char buffer[16];
    for (int i = 0; i < 5; i++) /* RCVTIMEO: each call blocks 100 ms */
        (void)zmq_recv(client, buffer, sizeof buffer, 0);
    return NULL;
}

static void *sender(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++)
        (void)zmq_send(client, "ping", 4, ZMQ_DONTWAIT);
    return NULL;
}

int main(void)
{
    void *context = zmq_ctx_new();
    client = zmq_socket(context, CLIENT);
    if (!client) {
        printf("SKIP: this libzmq has no ZMQ_CLIENT (%s)\n", zmq_strerror(zmq_errno()));
        zmq_ctx_term(context);
        return 77;
    }
    void *server = zmq_socket(context, SERVER);
    int timeout = 100, zero = 0;
    if (!server || zmq_bind(server, "inproc://owner-thread-safe") != 0
        || zmq_setsockopt(client, ZMQ_RCVTIMEO, &timeout, sizeof timeout) != 0
        || zmq_setsockopt(client, ZMQ_LINGER, &zero, sizeof zero) != 0
        || zmq_setsockopt(server, ZMQ_LINGER, &zero, sizeof zero) != 0
        || zmq_connect(client, "inproc://owner-thread-safe") != 0) {
        fprintf(stderr, "SETUP-ERROR: %s\n", zmq_strerror(zmq_errno()));
        return 3;
    }
    pthread_t threads[2];
    if (pthread_create(&threads[0], NULL, receiver, NULL) != 0
        || pthread_create(&threads[1], NULL, sender, NULL) != 0)
        return 3;
    pthread_join(threads[0], NULL);
    pthread_join(threads[1], NULL);
    zmq_close(client);
    zmq_close(server);
    zmq_ctx_term(context);
    printf("DONE sent=0 received=0\n");
    return 0;
}
