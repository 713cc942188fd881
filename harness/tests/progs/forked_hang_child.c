/* A test program, not a case: the parent forks; the child makes a context
 * and a DEALER connected to ENDPOINT (where nobody listens), sends one
 * message with the default LINGER (-1) and calls zmq_ctx_term, which waits
 * forever for that message to leave (libzmq #2586); the parent waits for
 * the child in waitpid(). The hang is the child's: its verdict must name the
 * child's pid and zmq_ctx_term.
 *
 * With LEAVE as second argument the parent does not wait: it prints DONE
 * and exits at once, and the child, hung, is left behind. With DAEMON the
 * child is a daemon made the classic way: it starts a session of its own
 * (setsid: another process group), forks the one that hangs and exits; the
 * parent waits for it and prints DONE. The hung grandchild is in none of
 * the client's process groups and its parent is gone: only the runner, as
 * child subreaper, still finds it.
 *
 * usage: forked_hang_child ENDPOINT [LEAVE|DAEMON]
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT [LEAVE|DAEMON]\n", argv[0]);
        return 3;
    }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "SETUP-ERROR: fork failed\n");
        return 3;
    }
    bool daemon = argc > 2 && !strcmp(argv[2], "DAEMON");
    if (child == 0 && daemon) {
        setsid();
        if (fork() != 0)
            _exit(0);
    }
    if (child == 0) {
        void *ctx = zmq_ctx_new();
        void *sock = zmq_socket(ctx, ZMQ_DEALER);
        zmq_connect(sock, argv[1]);
        zmq_send(sock, "lost", 4, 0);
        zmq_close(sock);
        zmq_ctx_term(ctx); /* never returns: the message cannot leave */
        _exit(0);
    }
    if (argc > 2 && !strcmp(argv[2], "LEAVE")) {
        printf("DONE\n");
        return 0;
    }
    int status;
    waitpid(child, &status, 0);
    printf("DONE\n");
    return 0;
}
