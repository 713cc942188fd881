/* A zero-copy message outlives the client state its free callback uses.
 *
 * The client queues zero-copy messages (zmq_msg_init_data) for a peer that is
 * not there (yet): nothing listens at ENDPOINT, so the DEALER keeps them in
 * its pipe, up to SNDHWM. Their free callback updates the client's own
 * bookkeeping (a struct passed as the hint). Then the client shuts down in the
 * wrong order: zmq_close with a short LINGER (50 ms, so that shutdown cannot
 * hang on an absent peer), free() of the bookkeeping, zmq_ctx_term. zmq_close
 * only hands the socket over to libzmq: the queued messages are dropped when
 * the linger runs out, and their free callbacks run in libzmq's I/O thread, on
 * memory the client has already freed. zmq_ctx_term is the call
 * that waits until every message has been released
 * (fixed_term_before_free.c).
 *
 * This is the C shape of the finalize race of zeroc-ice #3824/#3840: a
 * library thread calls back into client state that its owner already tore
 * down.
 *
 * Proves: under TSan (libzmq built instrumented), a heap-use-after-free in
 * release_payload, called from zmq::msg_t::close in
 * zmq::pipe_t::process_pipe_term_ack on libzmq's I/O thread, of the block
 * main freed ("heap-use-after-free zmq::msg_t::close msg.cpp:287"). Measured:
 * 50 of 50 runs (30 of them two at a time), 0.2 s each. Without a sanitizer
 * the writes land in freed heap memory and nothing shows it (clean exit 10 of
 * 10), so the case runs in tsan mode only.
 *
 * Why no server: the harness's ROUTER has unlimited queues, so against it the
 * messages leave at once and most callbacks run while main is still sending.
 * TSan then reports the free() racing with a callback that ran earlier, with
 * no ordering between them, as a "data race" at free(), not as a
 * use-after-free; and the count of messages still queued at close is left to
 * chance. A peer that is not there keeps all of them queued, every callback
 * runs after free(), and the report is the same every time. LINGER 0 instead
 * of 50 ms gives the same use-after-free in 19 of 20 runs; in the 20th TSan
 * saw no order between the free() and the callback (the drop most likely ran
 * before libzmq's threads got main's zmq_ctx_term commands) and reported a
 * "data race" at free() instead. With the linger the drop comes after them.
 *
 * @family finalize-race
 * @variant broken
 * @server none
 * @upstream zeroc-ice#3824 zeroc-ice#3840
 * @expect tsan TSAN:heap-use-after-free
 * @args tsan 1000
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
    box->released++; /* BROKEN: box is freed by the time libzmq gets here */
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
            break;
        }
        sent++;
    }

    zmq_close(sock);   /* the queued messages are dropped 50 ms later */
    free(box);         /* BROKEN: the queued messages still carry hint=box */
    zmq_ctx_term(ctx); /* by now their callbacks have run, on freed memory */

    printf("DONE sent=%ld\n", sent);
    return 0;
}
