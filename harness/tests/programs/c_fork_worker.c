/* A worker process forked before any ZeroMQ context exists: the child
 * makes its own context and REP socket, binds a loopback port and tells the
 * parent which one through a pipe; the parent makes its own context and
 * REQ socket and asks ten questions, then waits for the child. zmq(7): a
 * context must not be shared across fork(); this one is not (the shape of
 * the multiprocessing questions behind libzmq #4649). Correct; prints
 * nothing.
 *
 * @server none
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @expect perturb CLEAN
 * @expect owner CLEAN
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#define QUESTIONS 10

static int worker(int tell)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    if (zmq_bind(rep, "tcp://127.0.0.1:*") != 0)
        return 1;
    char endpoint[256];
    size_t len = sizeof endpoint;
    zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, endpoint, &len);
    if (write(tell, endpoint, strlen(endpoint) + 1) < 0)
        return 1;
    close(tell);
    char buf[32];
    for (int i = 0; i < QUESTIONS; i++)
        if (zmq_recv(rep, buf, sizeof buf, 0) < 0 || zmq_send(rep, "answer", 6, 0) < 0)
            return 1;
    zmq_close(rep);
    zmq_ctx_term(ctx);
    return 0;
}

int main(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        close(fds[0]);
        _exit(worker(fds[1]));
    }
    close(fds[1]);
    char endpoint[256] = "";
    ssize_t n = read(fds[0], endpoint, sizeof endpoint - 1);
    close(fds[0]);
    if (n <= 0) {
        fprintf(stderr, "the worker did not say where it listens\n");
        return 1;
    }
    void *ctx = zmq_ctx_new();
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_connect(req, endpoint);
    char buf[32];
    int answered = 0;
    for (int i = 0; i < QUESTIONS; i++)
        if (zmq_send(req, "question", 8, 0) == 8 && zmq_recv(req, buf, sizeof buf, 0) >= 0)
            answered++;
    zmq_close(req);
    zmq_ctx_term(ctx);
    int status = 0;
    waitpid(pid, &status, 0);
    return answered == QUESTIONS && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
