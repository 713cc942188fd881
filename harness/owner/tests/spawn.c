/* Running one test program with its output captured. See spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct capture {
    char *text;
    size_t length, capacity;
};

static int append(struct capture *c, const char *data, size_t n)
{
    if (c->length + n + 1 > c->capacity) {
        size_t capacity = c->capacity ? c->capacity : 4096;
        while (capacity < c->length + n + 1)
            capacity *= 2;
        char *text = realloc(c->text, capacity);
        if (!text)
            return -1;
        c->text = text;
        c->capacity = capacity;
    }
    memcpy(c->text + c->length, data, n);
    c->length += n;
    c->text[c->length] = '\0';
    return 0;
}

/* In the child: the environment, the pipes, no core file (an abort is an
 * expected outcome here), then exec. Never returns. */
static void exec_child(char *const argv[], char *const env[], int out_fd, int err_fd)
{
    for (char **e = environ; *e;) {
        if (strncmp(*e, "ZMQ_OWNER_", 10) == 0) {
            char name[256];
            size_t n = strcspn(*e, "=");
            snprintf(name, sizeof name, "%.*s", (int)n, *e);
            unsetenv(name);
            e = environ; /* unsetenv moved the entries */
        } else {
            e++;
        }
    }
    for (int i = 0; env && env[i]; i++)
        if (putenv(env[i]) != 0)
            _exit(126);
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    setpgid(0, 0);
    if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
        _exit(126);
    execv(argv[0], argv);
    fprintf(stderr, "spawn: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int spawn_and_capture(char *const argv[], char *const env[], double time_limit_s,
                      struct spawn_result *result)
{
    memset(result, 0, sizeof *result);
    result->exit_status = -1;
    result->go_at = result->summary_at = -1;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return -1;
    }
    double start = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        exec_child(argv, env, out_pipe[1], err_pipe[1]);
    close(out_pipe[1]);
    close(err_pipe[1]);

    struct capture out = { NULL, 0, 0 }, err = { NULL, 0, 0 };
    struct pollfd fds[2] = { { out_pipe[0], POLLIN, 0 }, { err_pipe[0], POLLIN, 0 } };
    int open_fds = 2;
    while (open_fds > 0) {
        double left = start + time_limit_s - now_s();
        if (left <= 0) {
            result->timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        int ready = poll(fds, 2, (int)(left * 1000) + 1);
        if (ready < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2 && ready > 0; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buffer[8192];
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
                continue;
            }
            struct capture *c = i == 0 ? &out : &err;
            if (append(c, buffer, (size_t)n) != 0)
                break;
            if (i == 0 && result->go_at < 0 && (strncmp(c->text, "GO\n", 3) == 0 || strstr(c->text, "\nGO\n")))
                result->go_at = now_s() - start;
            if (i == 1 && result->summary_at < 0 && strstr(c->text, "zmq-owner: SUMMARY:"))
                result->summary_at = now_s() - start;
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    int status;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR)
        ;
    result->ended_at = now_s() - start;
    result->cpu_s = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6
                    + (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    if (WIFEXITED(status))
        result->exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result->signal = WTERMSIG(status);
    result->out = out.text ? out.text : strdup("");
    result->err = err.text ? err.text : strdup("");
    result->out_length = out.length;
    result->err_length = err.length;
    return 0;
}

void spawn_result_free(struct spawn_result *result)
{
    free(result->out);
    free(result->err);
    result->out = result->err = NULL;
}
