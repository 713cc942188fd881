#include "progress.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "process.h"
#include "text.h"
#include "waits.h"

/* --- /proc --- */

struct proc_stat {
    char state;
    long ppid, pgrp;
    unsigned long long start;
    char comm[20];
};

/* The fields of /proc/.../stat: the command name in parentheses (it may
 * hold blanks and parentheses itself), then state, ppid, pgrp, ... and the
 * start time as field 22. */
static int read_stat(const char *path, struct proc_stat *st)
{
    char buf[1024];
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open)
        return -1;
    snprintf(st->comm, sizeof st->comm, "%.*s", (int)(close - open - 1), open + 1);
    if (sscanf(close + 1, " %c %ld %ld", &st->state, &st->ppid, &st->pgrp) != 3)
        return -1;
    /* Fields 6 to 21 lie between pgrp and starttime. */
    const char *p = close + 1;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p + 1, ' ');
    }
    st->start = p ? strtoull(p + 1, NULL, 10) : 0;
    return 0;
}

static char *read_small(const char *path, size_t *len)
{
    char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    char *copy = malloc(n + 1); /* a copy of every byte: a command line holds NULs */
    if (!copy) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    memcpy(copy, buf, n + 1);
    return copy;
}

static double thread_cpu_s(const char *task_dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/schedstat", task_dir);
    char *text = read_small(path, NULL);
    double s = text ? strtoull(text, NULL, 10) / 1e9 : 0;
    free(text);
    return s;
}

static char *read_cmdline(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    size_t n = 0;
    char *text = read_small(path, &n);
    if (!text)
        return zr_strdup_printf("?");
    for (size_t i = 0; i + 1 < n; i++)
        if (text[i] == '\0')
            text[i] = ' ';
    if (!text[0]) {
        free(text);
        return zr_strdup_printf("?");
    }
    return text;
}

void zr_become_subreaper(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

void zr_tree_init(struct zr_tree *t, pid_t root)
{
    memset(t, 0, sizeof *t);
    t->root = root;
}

void zr_tree_free(struct zr_tree *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->seen[i].cmdline);
    free(t->seen);
    free(t->threads);
    memset(t, 0, sizeof *t);
}

const struct zr_member *zr_tree_member(const struct zr_tree *t, pid_t pid)
{
    for (int i = 0; i < t->n; i++)
        if (t->seen[i].pid == pid)
            return &t->seen[i];
    return NULL;
}

static bool was_member(const struct zr_tree *t, pid_t pid, unsigned long long start)
{
    for (int i = 0; i < t->n; i++)
        if (t->seen[i].pid == pid && t->seen[i].start == start)
            return true;
    return false;
}

static void *grow(void *p, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return p;
    int want = *cap ? *cap * 2 : 16;
    while (want < need)
        want *= 2;
    void *more = realloc(p, (size_t)want * size);
    if (!more) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    *cap = want;
    return more;
}

static void remember_member(struct zr_tree *t, pid_t pid, unsigned long long start)
{
    if (was_member(t, pid, start))
        return;
    for (int i = 0; i < t->n; i++)
        if (t->seen[i].pid == pid) { /* the pid of an ended member, used again */
            t->seen[i].start = start;
            free(t->seen[i].cmdline);
            t->seen[i].cmdline = read_cmdline(pid);
            return;
        }
    t->seen = grow(t->seen, &t->cap, t->n + 1, sizeof *t->seen);
    t->seen[t->n++] = (struct zr_member){ pid, start, read_cmdline(pid) };
}

struct proc_entry {
    pid_t pid;
    struct proc_stat st;
    bool member;
};

/* Every live process of the tree now: the root, its process group, the
 * orphans adopted by the runner (a child of the runner it did not spawn),
 * the members seen before, and every descendant of those. */
int zr_tree_pids(struct zr_tree *t, pid_t *pids, int max)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct proc_entry *all = NULL;
    int n = 0, cap = 0;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        struct proc_entry p = { .pid = (pid_t)atol(e->d_name) };
        if (read_stat(path, &p.st) != 0 || p.st.state == 'Z' || p.st.state == 'X')
            continue;
        p.member = p.pid == t->root || p.st.pgrp == (long)t->root || was_member(t, p.pid, p.st.start) ||
                   (p.st.ppid == (long)self && p.pid != t->root && !zr_is_spawned(p.pid));
        all = grow(all, &cap, n + 1, sizeof *all);
        all[n++] = p;
    }
    closedir(d);
    for (bool more = true; more;) {
        more = false;
        for (int i = 0; i < n; i++) {
            if (all[i].member)
                continue;
            for (int j = 0; j < n && !all[i].member; j++)
                if (all[j].member && all[i].st.ppid == (long)all[j].pid)
                    all[i].member = more = true;
        }
    }
    int count = 0;
    for (int i = 0; i < n; i++)
        if (all[i].member) {
            remember_member(t, all[i].pid, all[i].st.start);
            if (count < max)
                pids[count] = all[i].pid;
            count++;
        }
    free(all);
    return count < max ? count : max;
}

/* TSan's background thread sleeps 100 ms at a time in a nanosleep issued
 * from inside libtsan itself: its pc lies in a mapping of libtsan. */
static bool pc_in_libtsan(pid_t pid, const char *syscall_line)
{
    const char *last = strrchr(syscall_line, ' ');
    if (!last)
        return false;
    unsigned long long pc = strtoull(last + 1, NULL, 16);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        if (!strstr(line, "libtsan.so"))
            continue;
        unsigned long long lo, hi;
        found = sscanf(line, "%llx-%llx", &lo, &hi) == 2 && pc >= lo && pc < hi;
    }
    fclose(f);
    return found;
}

static struct zr_known_thread *known_thread(struct zr_tree *t, pid_t tid, bool *is_new)
{
    for (int i = 0; i < t->nthreads; i++)
        if (t->threads[i].tid == tid) {
            *is_new = false;
            return &t->threads[i];
        }
    t->threads = grow(t->threads, &t->threads_cap, t->nthreads + 1, sizeof *t->threads);
    struct zr_known_thread *k = &t->threads[t->nthreads++];
    memset(k, 0, sizeof *k);
    k->tid = tid;
    *is_new = true;
    return k;
}

static void note_move(struct zr_tree_sample *s, const char *fmt, const char *a, long b)
{
    if (!s->moved) {
        snprintf(s->why, sizeof s->why, fmt, a, b);
        s->moved = true;
    }
}

/* How many times the thread went to sleep (voluntary_ctxt_switches): a
 * thread seen twice in the same wait with no deadline that slept again in
 * between left its wait and came back (a request answered, a message read). */
static unsigned long long voluntary_switches(const char *task_dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/status", task_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[256];
    unsigned long long n = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "voluntary_ctxt_switches: %llu", &n) == 1)
            break;
    fclose(f);
    return n;
}

/* Whether a judged thread moved since the tree's previous sample: it is
 * new, it waits elsewhere, or it left a wait with no deadline and came back
 * to it. A thread that wakes on its timer and waits again where it was has
 * not moved. */
static void note_thread_moves(struct zr_tree_sample *s, struct zr_known_thread *k, const struct zr_thread_view *v,
                              bool is_new, unsigned long long nvcsw)
{
    if (is_new)
        note_move(s, "a thread started (%s %ld)", v->comm, (long)v->tid);
    const char *name = zr_syscall_name(v->nr);
    char what[64];
    snprintf(what, sizeof what, "%s (%s)", v->comm, name ? name : "a syscall");
    if (v->where[0]) {
        bool elsewhere = k->where[0] && strcmp(k->where, v->where);
        bool came_back = !elsewhere && k->where[0] && v->wait == ZR_WAIT_UNBOUNDED && nvcsw != k->nvcsw;
        if (elsewhere)
            note_move(s, "thread %s now waits elsewhere (tid %ld)", what, (long)v->tid);
        else if (came_back)
            note_move(s, "thread %s left its wait and came back (tid %ld)", what, (long)v->tid);
        if (elsewhere || came_back || k->since == 0)
            k->since = zr_now();
        snprintf(k->where, sizeof k->where, "%s", v->where);
    } else {
        k->since = 0;
    }
    k->nvcsw = nvcsw;
    snprintf(k->comm, sizeof k->comm, "%s", v->comm);
    k->on_fd = v->wait == ZR_WAIT_UNBOUNDED && zr_wait_is_on_fd(v->nr);
}

/* One thread: its state, CPU and wait; whether it is judged, and whether it moved. */
static void sample_thread(struct zr_tree *t, pid_t pid, pid_t tid, const char *task, struct zr_tree_sample *s)
{
    char path[600];
    snprintf(path, sizeof path, "%s/stat", task);
    struct proc_stat st;
    if (read_stat(path, &st) != 0 || st.state == 'Z' || st.state == 'X')
        return;
    s->threads = grow(s->threads, &s->threads_cap, s->nthreads + 1, sizeof *s->threads);
    struct zr_thread_view *v = &s->threads[s->nthreads++];
    memset(v, 0, sizeof *v);
    v->pid = pid;
    v->tid = tid;
    v->state = st.state;
    snprintf(v->comm, sizeof v->comm, "%s", st.comm);
    v->cpu_s = thread_cpu_s(task);
    snprintf(path, sizeof path, "%s/syscall", task);
    char *line = read_small(path, NULL);
    v->nr = -1;
    if (st.state == 'R' || st.state == 'D')
        v->wait = ZR_WAIT_RUNNING;
    else if (st.state != 'S' || !line)
        v->wait = ZR_WAIT_UNKNOWN;
    else
        v->wait = zr_wait_of_syscall(line, &v->nr);
    bool is_new;
    struct zr_known_thread *k = known_thread(t, tid, &is_new);
    k->seen = true;
    if (!k->tsan && v->nr >= 0 && (v->nr == 35 || v->nr == 230) && pc_in_libtsan(pid, line))
        k->tsan = true;
    v->ignored = k->tsan || !strncmp(v->comm, "ZMQbg/", 6);
    /* TSan's background thread never works for the program (under a Python
     * client it spends some 5% of a CPU on its own upkeep); libzmq's threads
     * do (an I/O thread moving a large message is progress). */
    if (!k->tsan)
        s->cpu_s += v->cpu_s;
    if (v->nr >= 0 && v->wait != ZR_WAIT_RUNNING)
        zr_wait_place(line, v->nr, v->where, sizeof v->where);
    free(line);
    if (!v->ignored)
        note_thread_moves(s, k, v, is_new, voluntary_switches(task));
}

const struct zr_known_thread *zr_tree_longest_fd_wait(const struct zr_tree *t)
{
    const struct zr_known_thread *best = NULL;
    for (int i = 0; i < t->nthreads; i++) {
        const struct zr_known_thread *k = &t->threads[i];
        if (k->tsan || !k->on_fd || !strncmp(k->comm, "ZMQbg/", 6))
            continue;
        if (k->since > 0 && (!best || k->since < best->since))
            best = k;
    }
    return best;
}

static void sample_process(struct zr_tree *t, pid_t pid, struct zr_tree_sample *s)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char task[512];
        snprintf(task, sizeof task, "%s/%s", dir, e->d_name);
        sample_thread(t, pid, (pid_t)atol(e->d_name), task, s);
    }
    closedir(d);
}

int zr_tree_sample(struct zr_tree *t, struct zr_tree_sample *out)
{
    memset(out, 0, sizeof *out);
    int members_before = t->n;
    pid_t pids[256];
    int n = zr_tree_pids(t, pids, 256);
    if (t->n != members_before && members_before > 0)
        note_move(out, "a process started (%s pid %ld)", "", (long)t->seen[t->n - 1].pid);
    out->pids = calloc((size_t)n + 1, sizeof *out->pids);
    if (!out->pids) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    for (int i = 0; i < t->nthreads; i++)
        t->threads[i].seen = false;
    for (int i = 0; i < n; i++) {
        out->pids[out->nprocs++] = pids[i];
        sample_process(t, pids[i], out);
    }
    /* A judged thread that is gone ended: that is progress too. */
    for (int i = 0; i < t->nthreads;) {
        if (t->threads[i].seen) {
            i++;
            continue;
        }
        if (!t->threads[i].tsan)
            note_move(out, "a thread ended%s (tid %ld)", "", (long)t->threads[i].tid);
        t->threads[i] = t->threads[--t->nthreads];
    }
    return n > 0 ? 0 : -1;
}

void zr_tree_sample_free(struct zr_tree_sample *s)
{
    free(s->pids);
    free(s->threads);
    memset(s, 0, sizeof *s);
}

const struct zr_thread_view *zr_tree_first_not_unbounded(const struct zr_tree_sample *s)
{
    for (int i = 0; i < s->nthreads; i++)
        if (!s->threads[i].ignored && s->threads[i].wait != ZR_WAIT_UNBOUNDED)
            return &s->threads[i];
    return NULL;
}

bool zr_tree_all_unbounded(const struct zr_tree_sample *s)
{
    return s->nprocs > 0 && !zr_tree_first_not_unbounded(s);
}

int zr_tree_unbounded_tids(const struct zr_tree_sample *s, pid_t pid, int *tids, int max)
{
    int n = 0;
    for (int i = 0; i < s->nthreads && n < max; i++)
        if (s->threads[i].pid == pid && !s->threads[i].ignored && s->threads[i].wait == ZR_WAIT_UNBOUNDED)
            tids[n++] = (int)s->threads[i].tid;
    return n;
}

char zr_process_state(pid_t pid)
{
    char path[64];
    struct proc_stat st;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    return read_stat(path, &st) == 0 ? st.state : 0;
}

static bool all_threads_stopped(pid_t pid)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return true; /* gone */
    bool stopped = true;
    struct dirent *e;
    while (stopped && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s/stat", dir, e->d_name);
        struct proc_stat st;
        if (read_stat(path, &st) == 0)
            stopped = st.state == 'T' || st.state == 't' || st.state == 'Z' || st.state == 'X';
    }
    closedir(d);
    return stopped;
}

void zr_tree_freeze(struct zr_tree *t, double timeout_s)
{
    pid_t pids[256];
    double deadline = zr_now() + timeout_s;
    /* Twice: a process forked just before the first round is stopped by the second. */
    for (int round = 0; round < 2; round++) {
        int n = zr_tree_pids(t, pids, 256);
        for (int i = 0; i < n; i++)
            kill(pids[i], SIGSTOP);
    }
    int n = zr_tree_pids(t, pids, 256);
    for (int i = 0; i < n; i++)
        while (!all_threads_stopped(pids[i]) && zr_now() < deadline)
            usleep(1000);
}

void zr_tree_thaw(struct zr_tree *t)
{
    pid_t pids[256];
    int n = zr_tree_pids(t, pids, 256);
    for (int i = 0; i < n; i++)
        kill(pids[i], SIGCONT);
}

void zr_tree_kill(struct zr_tree *t, double timeout_s)
{
    pid_t pids[256];
    double deadline = zr_now() + timeout_s;
    for (;;) {
        zr_reap_adopted();
        int n = zr_tree_pids(t, pids, 256);
        if (n == 0 || zr_now() >= deadline)
            return;
        for (int i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        usleep(2000);
    }
}
