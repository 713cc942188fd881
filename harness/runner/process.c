#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "text.h"

extern char **environ;

#define MAX_LIVE 16
static volatile pid_t live_groups[MAX_LIVE];

static void remember(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_groups[i] == 0) {
            live_groups[i] = pid;
            return;
        }
}

static void forget(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_groups[i] == pid)
            live_groups[i] = 0;
}

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_groups[i] > 0)
            kill(-live_groups[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

void zr_install_cleanup_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

double zr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_output(const char *path)
{
    return open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

int zr_spawn(const struct zr_spawn *s, struct zr_proc *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->pidfd = -1;
    int report[2]; /* the child writes its exec errno here; CLOEXEC closes it on success */
    if (pipe2(report, O_CLOEXEC) == -1) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    int out = s->stdout_fd >= 0 ? s->stdout_fd : open_output(s->stdout_path);
    int errfd = open_output(s->stderr_path);
    if (out < 0 || errfd < 0) {
        snprintf(err, errlen, "cannot open the output files of %s: %s", s->argv[0], strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == -1) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++)
            sigaction(sig, &dfl, NULL);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out, 1);
        dup2(errfd, 2);
        if (s->no_aslr)
            personality(ADDR_NO_RANDOMIZE);
        execve(s->argv[0], s->argv, s->envp ? s->envp : environ);
        int e = errno;
        if (write(report[1], &e, sizeof e) < 0)
            _exit(127);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with a kill before the child ran */
    remember(pid);
    close(report[1]);
    if (s->stdout_fd < 0)
        close(out);
    close(errfd);
    p->pid = pid;
    int child_errno = 0;
    ssize_t got = read(report[0], &child_errno, sizeof child_errno);
    close(report[0]);
    if (got == (ssize_t)sizeof child_errno) {
        snprintf(err, errlen, "cannot run %s: %s", s->argv[0], strerror(child_errno));
        zr_finish(p);
        return -1;
    }
    p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    return 0;
}

bool zr_wait(struct zr_proc *p, double timeout_s)
{
    double deadline = zr_now() + timeout_s;
    while (!p->reaped) {
        pid_t r = waitpid(p->pid, &p->status, WNOHANG);
        if (r == p->pid) {
            p->reaped = true;
            break;
        }
        double left = deadline - zr_now();
        if (left <= 0)
            return false;
        if (p->pidfd >= 0) {
            struct pollfd pfd = { p->pidfd, POLLIN, 0 };
            int ms = (int)(left * 1000) + 1;
            poll(&pfd, 1, ms);
        } else {
            usleep(2000);
        }
    }
    return true;
}

void zr_kill_group(struct zr_proc *p, int sig)
{
    if (p->pid > 0)
        kill(-p->pid, sig);
}

void zr_finish(struct zr_proc *p)
{
    if (p->pid <= 0)
        return;
    zr_kill_group(p, SIGKILL);
    if (!p->reaped && waitpid(p->pid, &p->status, 0) == p->pid)
        p->reaped = true;
    forget(p->pid);
    if (p->pidfd >= 0)
        close(p->pidfd);
    p->pidfd = -1;
}

char *zr_capture_stacks(pid_t pid, const char *workdir, double timeout_s, char *err, size_t errlen)
{
    char pidtext[32], path[1024];
    snprintf(pidtext, sizeof pidtext, "%d", (int)pid);
    snprintf(path, sizeof path, "%s/stacks.txt", workdir);
    char *argv[] = {
        /* debuginfod off: no network here, and a lookup would stall the verdict. */
        "/usr/bin/gdb", "-p", pidtext, "-batch", "-nx", "-q", "-iex", "set debuginfod enabled off",
        "-ex", "set pagination off", "-ex", "set print thread-events off",
        "-ex", "thread apply all bt", NULL,
    };
    struct zr_spawn s = { argv, NULL, path, -1, NULL, false };
    struct zr_proc gdb;
    if (zr_spawn(&s, &gdb, err, errlen) != 0)
        return NULL;
    bool done = zr_wait(&gdb, timeout_s);
    zr_finish(&gdb);
    char *text = zr_read_file(path, NULL);
    if (!done)
        snprintf(err, errlen, "gdb did not finish within %.0f s", timeout_s);
    else if (!text || !strstr(text, "Thread "))
        snprintf(err, errlen, "gdb could not attach to pid %d (is ptrace allowed here?)", (int)pid);
    else
        return text;
    free(text);
    return NULL;
}

void zr_env_init(struct zr_env *env)
{
    int n = 0;
    while (environ[n])
        n++;
    env->cap = n + 16;
    env->n = 0;
    env->vars = calloc((size_t)env->cap, sizeof *env->vars);
    for (int i = 0; i < n; i++)
        env->vars[env->n++] = strdup(environ[i]);
}

void zr_env_set(struct zr_env *env, const char *name, const char *value)
{
    size_t len = strlen(name);
    for (int i = 0; i < env->n; i++)
        if (!strncmp(env->vars[i], name, len) && env->vars[i][len] == '=') {
            free(env->vars[i]);
            env->vars[i] = env->vars[--env->n];
            env->vars[env->n] = NULL;
            break;
        }
    if (!value)
        return;
    if (env->n + 1 >= env->cap) {
        env->cap *= 2;
        env->vars = realloc(env->vars, (size_t)env->cap * sizeof *env->vars);
    }
    size_t size = len + strlen(value) + 2;
    env->vars[env->n] = malloc(size);
    snprintf(env->vars[env->n], size, "%s=%s", name, value);
    env->vars[++env->n] = NULL;
}

void zr_env_free(struct zr_env *env)
{
    for (int i = 0; i < env->n; i++)
        free(env->vars[i]);
    free(env->vars);
    env->vars = NULL;
}
