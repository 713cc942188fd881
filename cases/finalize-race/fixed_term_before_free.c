/* The twin of broken_zerocopy_free_after_close.c in the right order.
 *
 * The client queues zero-copy messages (zmq_msg_init_data) for a peer that is
 * not there, each with a free callback that updates the client's bookkeeping
 * (a struct passed as the hint). It shuts down with zmq_close (LINGER 50 ms),
 * then zmq_ctx_term, and only then frees the bookkeeping. zmq_ctx_term returns
 * only when every socket is closed and every message released, and after it
 * libzmq's threads are gone: every free callback has run, on live memory, and
 * what it wrote is visible to main.
 *
 * This is the order zeroc-ice PR #3838 restored for Python: the owner waits
 * for the library's thread to be done with the callbacks before tearing down
 * what they use.
 *
 * Proves: no TSan report, a clean exit, and every queued message accounted for
 * by its callback (released == sent) once zmq_ctx_term has returned.
 * Measured: clean in 10 of 10 runs in each mode (also 3 of 3 under TSan
 * against the echo server, where most callbacks run during the sends).
 *
 * @family finalize-race
 * @variant fixed
 * @twin finalize-race/broken_zerocopy_free_after_close
 * @server none
 * @upstream zeroc-ice#3824 zeroc-ice#3840 zeroc-ice#3838
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @args tsan 1000
 * @args stress 1000
 * @expect owner CLEAN
 * @args owner 1000
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* The client's bookkeeping: owned by main, updated by the free callback. */
struct outbox {
    long released; /* messages libzmq has let go of */
    long bytes_released;
};

static void release_payload(void *data, void *hint)
{
    struct outbox *box = hint;
    box->released++; /* box outlives every message: freed after zmq_ctx_term */
    box->bytes_released += (long) strlen(data) + 1;
    free(data);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT COUNT\n", argv[0]);
        return 3;
    }
    char *end;
    long count = strtol(argv[2], &end, 10);
    if (*end || count <= 0) {
        fprintf(stderr, "SETUP-ERROR: COUNT must be a positive integer: %s\n", argv[2]);
        return 3;
    }

    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int linger_ms = 50;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1], zmq_strerror(errno));
        zmq_close(sock);
        zmq_ctx_term(ctx);
        return 3;
    }

    struct outbox *box = calloc(1, sizeof *box);
    long sent = 0;
    while (sent < count) {
        char *payload = malloc(32);
        snprintf(payload, 32, "request %ld", sent);
        zmq_msg_t msg;
        zmq_msg_init_data(&msg, payload, strlen(payload) + 1, release_payload, box);
        if (zmq_msg_send(&msg, sock, ZMQ_DONTWAIT) == -1) {
            zmq_msg_close(&msg); /* EAGAIN at SNDHWM: released here, in main */
            box->released--;     /* count only the messages that were queued */
            break;
        }
        sent++;
    }

    zmq_close(sock);   /* the queued messages are dropped 50 ms later */
    zmq_ctx_term(ctx); /* FIXED: returns once every message is released */
    long released = box->released;
    free(box);         /* nothing in libzmq refers to box any more */

    printf("DONE sent=%ld released=%ld\n", sent, released);
    return 0;
}
