#include "process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "text.h"

extern char **environ;

/* Live child groups, for the signal handler: a fixed array, since the
 * handler may not allocate. More children at once than it holds is refused
 * at the spawn (the most a command starts at once is matrix's --jobs, 256,
 * each with its server), never a child the interrupt would miss. */
#define MAX_LIVE 1024
static volatile pid_t live_groups[MAX_LIVE];
static volatile sig_atomic_t interrupted_by;

static bool remember(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_groups[i] == 0) {
            live_groups[i] = pid;
            return true;
        }
    return false;
}

static void forget(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_groups[i] == pid)
            live_groups[i] = 0;
}

bool zr_is_spawned(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_groups[i] == pid)
            return true;
    return false;
}

void zr_reap_adopted(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        pid_t pid = (pid_t)atol(e->d_name);
        if (pid <= 0 || zr_is_spawned(pid))
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *close = strrchr(buf, ')'), state;
        long ppid;
        if (close && sscanf(close + 1, " %c %ld", &state, &ppid) == 2 && ppid == (long)self && state == 'Z')
            waitpid(pid, NULL, WNOHANG);
    }
    closedir(d);
}

static void kill_live_groups(void)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_groups[i] > 0)
            kill(-live_groups[i], SIGKILL);
}

/* The first signal stops every child and lets the command wind down (keep
 * what finished, remove what it made); a second one ends the runner now. */
static void on_interrupt(int sig)
{
    kill_live_groups();
    if (interrupted_by) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    interrupted_by = sig;
}

void zr_install_interrupt_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt; /* no SA_RESTART: a blocking wait returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int zr_interrupted(void)
{
    return interrupted_by;
}

int zr_interrupted_exit_code(void)
{
    return 128 + (interrupted_by ? interrupted_by : SIGINT);
}

double zr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_output(const struct zr_output *o)
{
    if (o->fd >= 0)
        return dup(o->fd);
    return open(o->path ? o->path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void exec_child(const struct zr_spawn *s, pid_t parent, int out, int errfd, int report)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, s->death_signal ? s->death_signal : SIGKILL);
    if (getppid() != parent)
        _exit(127);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* A crashing client must not leave a core file in the user's folders. */
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out, 1);
    dup2(errfd, 2);
    if (s->no_aslr)
        personality(ADDR_NO_RANDOMIZE);
    if (s->let_any_tracer)
        prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    int e = 0;
    if (s->cwd && chdir(s->cwd) != 0)
        e = errno;
    else {
        execve(s->argv[0], s->argv, s->envp ? s->envp : environ);
        e = errno;
    }
    ssize_t w = write(report, &e, sizeof e);
    (void)w;
    _exit(127);
}

int zr_spawn(const struct zr_spawn *s, struct zr_proc *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->pidfd = -1;
    if (zr_interrupted()) {
        snprintf(err, errlen, "interrupted");
        return -1;
    }
    int report[2]; /* the child writes its exec errno here; CLOEXEC closes it on success */
    if (pipe2(report, O_CLOEXEC) == -1) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    /* One file for both: one open file description, so that the child's
     * stdout and stderr share its offset instead of writing over each other. */
    bool same_file = s->out.fd < 0 && s->err.fd < 0 && s->out.path && s->err.path && !strcmp(s->out.path, s->err.path);
    int out = open_output(&s->out), errfd = same_file ? (out >= 0 ? dup(out) : -1) : open_output(&s->err);
    if (out < 0 || errfd < 0) {
        snprintf(err, errlen, "cannot open the output files of %s: %s", s->argv[0], strerror(errno));
        if (out >= 0)
            close(out);
        if (errfd >= 0)
            close(errfd);
        close(report[0]);
        close(report[1]);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == -1) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(out);
        close(errfd);
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0)
        exec_child(s, parent, out, errfd, report[1]);
    setpgid(pid, pid); /* also here: no race with a kill before the child ran */
    bool remembered = remember(pid);
    close(report[1]);
    close(out);
    close(errfd);
    p->pid = pid;
    int child_errno = 0;
    ssize_t got;
    do
        got = read(report[0], &child_errno, sizeof child_errno);
    while (got == -1 && errno == EINTR);
    close(report[0]);
    if (!remembered) {
        kill(-pid, SIGKILL);
        snprintf(err, errlen, "more than %d children at once: %s not started", MAX_LIVE, s->argv[0]);
        zr_finish(p);
        return -1;
    }
    if (got == (ssize_t)sizeof child_errno) {
        snprintf(err, errlen, "cannot run %s: %s", s->argv[0], strerror(child_errno));
        zr_finish(p);
        return -1;
    }
    p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    return 0;
}

bool zr_ended(struct zr_proc *p)
{
    if (p->reaped)
        return true;
    if (p->pid > 0 && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
        p->reaped = true;
    return p->reaped;
}

bool zr_wait(struct zr_proc *p, double timeout_s)
{
    double deadline = zr_now() + timeout_s;
    while (!zr_ended(p)) {
        double left = deadline - zr_now();
        if (left <= 0 || zr_interrupted())
            return false;
        if (p->pidfd >= 0) {
            struct pollfd pfd = { p->pidfd, POLLIN, 0 };
            poll(&pfd, 1, (int)(left * 1000) + 1);
        } else {
            usleep(2000);
        }
    }
    return true;
}

int zr_run_to_end(const struct zr_spawn *s, double timeout_s, char *err, size_t errlen)
{
    struct zr_proc p;
    if (zr_spawn(s, &p, err, errlen) != 0)
        return -1;
    bool ended = zr_wait(&p, timeout_s);
    zr_finish(&p);
    if (!ended) {
        snprintf(err, errlen, "%s %s", s->argv[0], zr_interrupted() ? "was interrupted" : "did not finish in time");
        return -1;
    }
    return WIFEXITED(p.status) ? WEXITSTATUS(p.status) : 128 + WTERMSIG(p.status);
}

char *zr_find_program(const char *name)
{
    if (strchr(name, '/'))
        return zr_strdup_printf("%s", name);
    const char *path = getenv("PATH");
    char *copy = zr_strdup_printf("%s", path && *path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char *candidate = zr_strdup_printf("%s/%s", *dir ? dir : ".", name);
        struct stat st;
        if (access(candidate, X_OK) == 0 && stat(candidate, &st) == 0 && S_ISREG(st.st_mode))
            found = candidate;
        else
            free(candidate);
    }
    free(copy);
    return found;
}

/* Reads what fd gives until EOF or the deadline; the first line goes into *line. */
static void read_first_line(int fd, double deadline, char **line)
{
    size_t used = 0, cap = 256;
    char *buf = malloc(cap);
    bool have_line = false;
    while (buf && zr_now() < deadline && !zr_interrupted()) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        if (poll(&pfd, 1, (int)((deadline - zr_now()) * 1000) + 1) <= 0)
            continue;
        char chunk[4096];
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got <= 0)
            break;
        for (ssize_t k = 0; k < got && !have_line; k++) {
            if (chunk[k] == '\n') {
                have_line = true;
                break;
            }
            if (used + 2 > cap) {
                char *more = realloc(buf, cap * 2);
                if (!more)
                    break;
                buf = more;
                cap *= 2;
            }
            buf[used++] = chunk[k];
        }
    }
    if (buf)
        buf[used] = '\0';
    *line = buf;
}

char *zr_first_line_of(char *const *argv, double timeout_s)
{
    char *exe = zr_find_program(argv[0]);
    int fds[2];
    if (!exe || pipe2(fds, O_CLOEXEC) != 0) {
        free(exe);
        return NULL;
    }
    int n = 0;
    while (argv[n])
        n++;
    char **args = calloc((size_t)n + 1, sizeof *args);
    args[0] = exe;
    for (int i = 1; i < n; i++)
        args[i] = argv[i];
    struct zr_spawn s = { .argv = args, .out = ZR_OUTPUT_FD(fds[1]), .err = ZR_OUTPUT_NULL };
    struct zr_proc p;
    char err[256], *line = NULL;
    int started = zr_spawn(&s, &p, err, sizeof err);
    close(fds[1]);
    if (started == 0) {
        double deadline = zr_now() + timeout_s;
        read_first_line(fds[0], deadline, &line);
        bool ended = zr_wait(&p, deadline - zr_now());
        zr_finish(&p);
        if (!ended || !line || !line[0]) {
            free(line);
            line = NULL;
        }
    }
    close(fds[0]);
    free(args);
    free(exe);
    return line;
}

const char *zr_self_path(void)
{
    static char self[4096];
    if (!self[0]) {
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        self[len > 0 ? len : 0] = '\0';
    }
    return self;
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
    if (!p->reaped) {
        pid_t r;
        do
            r = waitpid(p->pid, &p->status, 0);
        while (r == -1 && errno == EINTR);
        if (r == p->pid)
            p->reaped = true;
    }
    forget(p->pid);
    if (p->pidfd >= 0)
        close(p->pidfd);
    p->pidfd = -1;
}

void zr_stop_gently(struct zr_proc *p, double grace_s)
{
    if (p->pid > 0 && !p->reaped) {
        zr_kill_group(p, SIGTERM);
        /* Not zr_wait: it returns at once once the runner is interrupted. */
        for (double deadline = zr_now() + grace_s; !zr_ended(p) && zr_now() < deadline;)
            usleep(10000);
    }
    zr_finish(p);
}

/* --- Private folders, removed also when a command stops early. --- */

/* The private folders still there, removed at the runner's exit: a list
 * that grows (a long command makes many), never one that drops entries. */
static char **workdirs;
static int nworkdirs, workdirs_cap;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_workdirs_at_exit(void)
{
    for (int i = 0; i < nworkdirs; i++) {
        nftw(workdirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(workdirs[i]);
    }
    free(workdirs);
    workdirs = NULL;
    nworkdirs = workdirs_cap = 0;
}

static void remember_workdir(const char *dir)
{
    static bool registered;
    if (!registered) {
        atexit(remove_workdirs_at_exit);
        registered = true;
    }
    if (nworkdirs == workdirs_cap) {
        int cap = workdirs_cap ? 2 * workdirs_cap : 16;
        char **more = realloc(workdirs, (size_t)cap * sizeof *more);
        if (!more)
            return;
        workdirs = more;
        workdirs_cap = cap;
    }
    workdirs[nworkdirs++] = zr_strdup_printf("%s", dir);
}

static char *make_workdir_in(const char *base, const char *what, char *err, size_t errlen)
{
    char *dir = zr_strdup_printf("%s/zmq-repro-%s.XXXXXX", base, what);
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "cannot make a private folder %s: %s (set TMPDIR to a writable place)", dir,
                 strerror(errno));
        free(dir);
        return NULL;
    }
    remember_workdir(dir);
    return dir;
}

char *zr_make_workdir(const char *what, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    return make_workdir_in(tmp && *tmp ? tmp : "/tmp", what, err, errlen);
}

/* A Unix socket path holds at most 107 bytes (sun_path): a long TMPDIR (a
 * checkout's results/soak/... folder, say) cannot hold an ipc endpoint. */
#define IPC_PATH_MAX 107

char *zr_ipc_endpoint(const char *workdir, const char *name, char **short_dir, char *err, size_t errlen)
{
    *short_dir = NULL;
    if (strlen(workdir) + 1 + strlen(name) <= IPC_PATH_MAX)
        return zr_strdup_printf("ipc://%s/%s", workdir, name);
    *short_dir = make_workdir_in("/tmp", "ipc", err, errlen);
    if (!*short_dir)
        return NULL;
    return zr_strdup_printf("ipc://%s/%s", *short_dir, name);
}

void zr_remove_tree(char *dir)
{
    if (!dir)
        return;
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    for (int i = 0; i < nworkdirs; i++)
        if (!strcmp(workdirs[i], dir)) {
            free(workdirs[i]);
            workdirs[i] = workdirs[--nworkdirs];
            break;
        }
    free(dir);
}

/* --- Environments. --- */

void zr_env_init(struct zr_env *env)
{
    int n = 0;
    while (environ[n])
        n++;
    env->cap = n + 16;
    env->n = 0;
    env->vars = calloc((size_t)env->cap, sizeof *env->vars);
    if (!env->vars) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    for (int i = 0; i < n; i++)
        env->vars[env->n++] = zr_strdup_printf("%s", environ[i]);
}

static int find_var(const struct zr_env *env, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < env->n; i++)
        if (!strncmp(env->vars[i], name, len) && env->vars[i][len] == '=')
            return i;
    return -1;
}

const char *zr_env_get(const struct zr_env *env, const char *name)
{
    int i = find_var(env, name);
    return i < 0 ? NULL : strchr(env->vars[i], '=') + 1;
}

void zr_env_set(struct zr_env *env, const char *name, const char *value)
{
    int i = find_var(env, name);
    if (i >= 0) {
        free(env->vars[i]);
        env->vars[i] = env->vars[--env->n];
        env->vars[env->n] = NULL;
    }
    if (!value)
        return;
    if (env->n + 1 >= env->cap) {
        char **more = realloc(env->vars, (size_t)env->cap * 2 * sizeof *more);
        if (!more) {
            fputs("zmq-repro: out of memory\n", stderr);
            exit(2);
        }
        env->vars = more;
        env->cap *= 2;
    }
    env->vars[env->n] = zr_strdup_printf("%s=%s", name, value);
    env->vars[++env->n] = NULL;
}

void zr_env_free(struct zr_env *env)
{
    for (int i = 0; i < env->n; i++)
        free(env->vars[i]);
    free(env->vars);
    env->vars = NULL;
}
