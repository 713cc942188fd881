/* A test program, not a case: sleeps MILLISECONDS then exits cleanly
 * ("DONE"), having loaded libzmq. Run with a watchdog set just below its
 * sleep, it ends while the watchdog is firing: the verdict must follow its
 * exit or its hang, never be a harness error.
 *
 * usage: sleep_then_exit ENDPOINT MILLISECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MILLISECONDS\n", argv[0]);
        return 3;
    }
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    long ms = atol(argv[2]);
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    printf("DONE\n");
    return 0;
}
