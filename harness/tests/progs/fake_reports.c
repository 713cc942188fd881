/* A program that prints, as its own text, what looks like the reports of
 * libzmq, ThreadSanitizer, the ownership checker or CPython, then exits as
 * told: the harness must take none of it for a report of the runtime that
 * was not there. usage: fake_reports assert|tsan|owner|python EXIT-CODE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    /* libzmq is loaded and used: the run is a real one. */
    void *ctx = zmq_ctx_new();
    zmq_ctx_term(ctx);
    if (!strcmp(argv[1], "assert"))
        fprintf(stderr, "Assertion failed: false (src/object.cpp:170)\nretrying connection (myapp.cpp:42)\n");
    else if (!strcmp(argv[1], "tsan"))
        fprintf(stderr, "==================\nWARNING: ThreadSanitizer: data race (pid=1)\n"
                        "  Write of size 8 at 0x7b0400000000 by thread T1:\n"
                        "    #0 zmq::mailbox_t::recv(zmq::command_t*, int) src/mailbox.cpp:72 (libzmq.so.5+0x1)\n\n"
                        "  Previous read of size 8 at 0x7b0400000000 by main thread:\n"
                        "    #0 zmq::mailbox_t::recv(zmq::command_t*, int) src/mailbox.cpp:77 (libzmq.so.5+0x2)\n\n"
                        "SUMMARY: ThreadSanitizer: data race src/mailbox.cpp:72 in zmq::mailbox_t::recv\n"
                        "==================\n");
    else if (!strcmp(argv[1], "owner"))
        fprintf(stderr, "==1== zmq-owner: SUMMARY: SHARED_SOCKET DEALER zmq_recv (receiver) | zmq_send (sender)\n");
    else if (!strcmp(argv[1], "python"))
        fprintf(stderr, "Fatal Python error: PyThreadState_Get: no current thread\n");
    return atoi(argv[2]);
}
