/* A test program, not a case: a well-behaved DEALER client that sends one
 * request every 10 ms and waits for its reply, for SECONDS seconds, then
 * prints "DONE sent=N received=N". The harness's own tests run it under
 * `zmq-repro check` and interfere from outside (kill the server, kill or
 * stop the client) to prove that such interference is never taken for a
 * symptom.
 *
 * usage: steady_client ENDPOINT SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT SECONDS\n", argv[0]);
        return 3;
    }
    double seconds = atof(argv[2]);
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
        return 3;
    }
    struct timespec start, now, tick = { 0, 10 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &start);
    long sent = 0, received = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec + (now.tv_nsec - start.tv_nsec) / 1e9 >= seconds)
            break;
        if (zmq_send(sock, "ping", 4, 0) == 4)
            sent++;
        char buf[8];
        if (zmq_recv(sock, buf, sizeof buf, 0) >= 0 && ++received == 1) {
            /* Readiness, for a test that interferes halfway (the runner keeps stdout in a file). */
            printf("first reply\n");
            fflush(stdout);
        }
        nanosleep(&tick, NULL);
    }
    printf("DONE sent=%ld received=%ld\n", sent, received);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}
