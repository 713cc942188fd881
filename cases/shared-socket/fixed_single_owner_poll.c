/* The fix zmq(7) prescribes for the shared-socket bug: one thread owns the
 * DEALER and is the only one that ever touches it. Other threads hand it
 * work through a non-zmq channel (here a pipe, which zmq_poll can wait on
 * beside the socket); the owner sends when a request is ready and fewer than
 * WINDOW replies are outstanding, and receives when the socket is readable.
 *
 * Proves: CLEAN under TSan with an instrumented libzmq and under stress:
 * every request answered (DONE sent=N received=N), no report, no hang.
 * The broken twin is broken_send_recv_threads.c.
 *
 * @family shared-socket
 * @variant fixed
 * @twin shared-socket/broken_send_recv_threads
 * @server echo
 * @upstream pyzmq#2094 libzmq#4649 libzmq#4477 libzmq#3582 libzmq#3200
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @args tsan 20000
 * @args stress 200000
 * @expect owner CLEAN
 * @args owner 50000
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zmq.h>

#define WINDOW 100

static int work[2]; /* pipe: producer -> owner, one long per request */
static long n;

static void *producer(void *arg)
{
    (void)arg;
    for (long seq = 0; seq < n; seq++)
        if (write(work[1], &seq, sizeof seq) != sizeof seq) {
            perror("producer: write");
            break;
        }
    close(work[1]); /* end of work: the owner reads EOF */
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (n = atol(argv[2])) <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MESSAGES\n", argv[0]);
        return 3;
    }
    if (pipe(work) != 0) {
        perror("SETUP-ERROR: pipe");
        return 3;
    }
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1],
                zmq_strerror(zmq_errno()));
        return 3;
    }
    pthread_t prod;
    pthread_create(&prod, NULL, producer, NULL);

    /* The owner: this thread alone uses sock, from here to zmq_close. */
    zmq_pollitem_t items[2] = {
        { sock, 0, ZMQ_POLLIN, 0 },
        { NULL, work[0], ZMQ_POLLIN, 0 },
    };
    long sent = 0, received = 0, reply, batch[WINDOW];
    int eof = 0;
    while (!eof || received < sent) {
        long room = WINDOW - (sent - received);
        int nitems = (!eof && room > 0) ? 2 : 1;
        if (zmq_poll(items, nitems, -1) == -1) {
            if (zmq_errno() == EINTR)
                continue;
            fprintf(stderr, "zmq_poll: %s\n", zmq_strerror(zmq_errno()));
            break;
        }
        if (items[0].revents & ZMQ_POLLIN)
            while (zmq_recv(sock, &reply, sizeof reply, ZMQ_DONTWAIT) >= 0)
                received++;
        /* zmq_poll reports the closed pipe's POLLHUP as ZMQ_POLLERR */
        if (nitems == 2 && (items[1].revents & (ZMQ_POLLIN | ZMQ_POLLERR))) {
            ssize_t got = read(work[0], batch, room * sizeof *batch);
            if (got <= 0)
                eof = 1;
            for (long i = 0; i < got / (ssize_t)sizeof *batch; i++)
                if (zmq_send(sock, &batch[i], sizeof *batch, 0) == sizeof *batch)
                    sent++;
        }
    }
    pthread_join(prod, NULL);
    close(work[0]);

    printf("DONE sent=%ld received=%ld\n", sent, received);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}
