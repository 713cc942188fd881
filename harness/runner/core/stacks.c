#include "stacks.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "progress.h"
#include "text.h"

/* --- eu-stack's output: "TID 42:" then "#3  0x00007f.. zmq_ctx_term - /usr/lib/../libzmq.so.5.2.4",
 * each frame optionally followed by an indented "    /path/src/zmq.cpp:157:66". --- */

static int add_thread(struct zr_native_stacks *s, int tid)
{
    struct zr_native_thread *more = realloc(s->threads, (size_t)(s->nthreads + 1) * sizeof *more);
    if (!more)
        return -1;
    s->threads = more;
    s->threads[s->nthreads++] = (struct zr_native_thread){ tid, 0, NULL };
    return 0;
}

static int add_frame(struct zr_native_thread *t, const char *line)
{
    /* "#3  0x00007f.. FUNC - MODULE": FUNC may hold blanks ("wait(int) const"),
     * and is empty when the module has no symbol there ("#1  0x.. - /lib.."). */
    const char *p = strstr(line, "0x");
    if (!p)
        return 0;
    while (*p && !isspace((unsigned char)*p))
        p++;
    while (*p == ' ')
        p++;
    const char *sep = strstr(p, " - ");
    const char *last = NULL;
    for (const char *q = sep; q; q = strstr(q + 1, " - "))
        last = q;
    if (!strncmp(p, "- ", 2))
        last = p - 1; /* no function name at all */
    struct zr_native_frame *more = realloc(t->frames, (size_t)(t->nframes + 1) * sizeof *more);
    if (!more)
        return -1;
    t->frames = more;
    struct zr_native_frame *f = &t->frames[t->nframes++];
    if (last) {
        f->func = zr_strdup_printf("%.*s", (int)(last - p > 0 ? last - p : 0), p);
        f->module = zr_strdup_printf("%s", last + 3);
    } else {
        f->func = zr_strdup_printf("%s", p);
        f->module = zr_strdup_printf("%s", "");
    }
    f->source = NULL;
    return 0;
}

int zr_native_stacks_parse(const char *text, struct zr_native_stacks *s)
{
    memset(s, 0, sizeof *s);
    for (const char *line = text; line && *line;) {
        char *l = zr_line_dup(line);
        int id;
        if (sscanf(l, "PID %d", &id) == 1)
            s->pid = id;
        else if (sscanf(l, "TID %d:", &id) == 1) {
            if (add_thread(s, id) != 0) {
                free(l);
                return -1;
            }
        } else if (l[0] == '#' && s->nthreads > 0) {
            if (add_frame(&s->threads[s->nthreads - 1], l) != 0) {
                free(l);
                return -1;
            }
        } else if (!strncmp(l, "    ", 4) && s->nthreads > 0) {
            struct zr_native_thread *t = &s->threads[s->nthreads - 1];
            if (t->nframes > 0 && !t->frames[t->nframes - 1].source) {
                const char *src = l;
                while (*src == ' ')
                    src++;
                t->frames[t->nframes - 1].source = zr_strdup_printf("%s", src);
            }
        }
        free(l);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return 0;
}

void zr_native_stacks_free(struct zr_native_stacks *s)
{
    for (int i = 0; i < s->nthreads; i++) {
        for (int j = 0; j < s->threads[i].nframes; j++) {
            free(s->threads[i].frames[j].func);
            free(s->threads[i].frames[j].module);
            free(s->threads[i].frames[j].source);
        }
        free(s->threads[i].frames);
    }
    free(s->threads);
    memset(s, 0, sizeof *s);
}

/* --- What a hang's signature keeps. --- */

static bool in_libzmq(const struct zr_native_frame *f)
{
    const char *base = strrchr(f->module, '/');
    base = base ? base + 1 : f->module;
    /* libzmq.so.5.2.4, not the ownership checker's libzmq_owner.so that wraps its calls. */
    return !strncmp(base, "libzmq.so", 9);
}

/* CPython handing the GIL over: a thread stuck here waits for the GIL, not
 * for libzmq (the native-thread deadlock of the finalize-race family). */
static bool is_gil_frame(const char *func)
{
    static const char *const gil[] = {
        "take_gil", "PyEval_RestoreThread", "PyEval_AcquireThread", "PyGILState_Ensure", NULL,
    };
    for (int i = 0; gil[i]; i++)
        if (!strcmp(func, gil[i]))
            return true;
    return false;
}

static bool is_api_frame(const struct zr_native_frame *f)
{
    return in_libzmq(f) && !strncmp(f->func, "zmq_", 4);
}

/* Strips the argument list: "zmq::signaler_t::wait(int) const" -> "zmq::signaler_t::wait". */
static char *short_name(const char *func)
{
    size_t n = strcspn(func, "(");
    if (n >= 8 && !strncmp(func + n - 8, "operator", 8))
        n = strlen(func);
    return zr_strdup_printf("%.*s", (int)n, func);
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t want = (*cap ? *cap : 256);
        while (want < *len + n + 1)
            want *= 2;
        char *more = realloc(*buf, want);
        if (!more) {
            fputs("zmq-repro: out of memory\n", stderr);
            exit(2);
        }
        *buf = more;
        *cap = want;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

/* The chain of one thread, outermost first, or NULL when the thread is not
 * in a libzmq call nor taking the GIL (libzmq's own I/O and reaper threads
 * idling in their poll loop, TSan's background thread). */
static char *thread_chain(const struct zr_native_thread *t)
{
    int outermost = -1;
    for (int i = t->nframes - 1; i >= 0 && outermost < 0; i--)
        if (is_api_frame(&t->frames[i]) || is_gil_frame(t->frames[i].func))
            outermost = i;
    if (outermost < 0)
        return NULL;
    char *chain = NULL;
    size_t len = 0, cap = 0;
    append(&chain, &len, &cap, "");
    for (int i = outermost; i >= 0; i--) {
        const struct zr_native_frame *f = &t->frames[i];
        bool named = f->func[0] && (in_libzmq(f) || is_gil_frame(f->func));
        if (!named)
            continue;
        char *name = short_name(f->func);
        if (len)
            append(&chain, &len, &cap, " -> ");
        append(&chain, &len, &cap, name);
        free(name);
    }
    return chain;
}

/* The innermost libzmq API call (or GIL frame) of a thread, or NULL: the
 * call that blocks. Innermost, because the outer ones depend on the build
 * (zmq_ctx_destroy calling zmq_ctx_term is one frame at -O2, two at -O1). */
static char *thread_call(const struct zr_native_thread *t)
{
    for (int i = 0; i < t->nframes; i++)
        if (is_api_frame(&t->frames[i]) || is_gil_frame(t->frames[i].func))
            return short_name(t->frames[i].func);
    return NULL;
}

typedef char *(*thread_fn)(const struct zr_native_thread *t);

#define NO_THREAD_IN_LIBZMQ "no thread in a libzmq call or taking the GIL"

/* The threads described, main first; NULL when none is in a libzmq call or taking the GIL. */
static char *join_threads_or_null(const struct zr_native_stacks *s, thread_fn describe)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    append(&out, &len, &cap, "");
    /* The main thread (its tid is the pid) first, then the others in the tool's order. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < s->nthreads; i++) {
            bool is_main = s->threads[i].tid == s->pid;
            if ((pass == 0) != is_main)
                continue;
            char *one = describe(&s->threads[i]);
            if (!one)
                continue;
            if (len)
                append(&out, &len, &cap, " | ");
            append(&out, &len, &cap, one);
            free(one);
        }
    if (!len) {
        free(out);
        return NULL;
    }
    return out;
}

static char *join_threads(const struct zr_native_stacks *s, thread_fn describe)
{
    char *out = join_threads_or_null(s, describe);
    return out ? out : zr_strdup_printf("%s", NO_THREAD_IN_LIBZMQ);
}

char *zr_native_hang_calls(const struct zr_native_stacks *s)
{
    return join_threads(s, thread_call);
}

char *zr_native_hang_summary(const struct zr_native_stacks *s)
{
    return join_threads(s, thread_chain);
}

/* --- faulthandler: "Thread 0x00007f.. (most recent call first):" or
 * "Current thread 0x..:" then '  File "path", line N in func' lines. --- */

struct py_frame {
    char *file;
    int line;
    char *func;
};

static bool is_library_file(const char *file)
{
    return strstr(file, "/lib/python3") || strstr(file, "/dist-packages/") || strstr(file, "/site-packages/") ||
           file[0] == '<';
}

static const char *tail_path(const char *file, int parts)
{
    const char *p = file + strlen(file);
    int seen = 0;
    while (p > file) {
        if (p[-1] == '/' && ++seen == parts)
            break;
        p--;
    }
    return p;
}

/* One thread: "main: x.py:127 main -> zmq/sugar/context.py:217 term". */
static char *python_thread_summary(const struct py_frame *f, int n, bool is_main)
{
    const struct py_frame *inner = &f[0], *user = NULL;
    for (int i = 0; i < n && !user; i++)
        if (!is_library_file(f[i].file))
            user = &f[i];
    const char *who = is_main ? "main" : "thread";
    if (!user || user == inner)
        return zr_strdup_printf("%s: %s:%d %s", who, tail_path(inner->file, 1), inner->line, inner->func);
    return zr_strdup_printf("%s: %s:%d %s -> %s:%d %s", who, tail_path(user->file, 1), user->line, user->func,
                            strstr(inner->file, "/zmq/") ? strstr(inner->file, "/zmq/") + 1 : tail_path(inner->file, 1),
                            inner->line, inner->func);
}

static void free_py_frames(struct py_frame *f, int n)
{
    for (int i = 0; i < n; i++) {
        free(f[i].file);
        free(f[i].func);
    }
    free(f);
}

static bool is_thread_header(const char *line)
{
    return (!strncmp(line, "Thread 0x", 9) || !strncmp(line, "Current thread 0x", 17)) &&
           strstr(line, "(most recent call first):");
}

/* '  File "path", line N in func' into f; false for any other line. */
static bool parse_py_frame(const char *line, struct py_frame *f)
{
    if (strncmp(line, "  File \"", 8))
        return false;
    const char *file = line + 8, *quote = strchr(file, '"');
    const char *at = quote ? strstr(quote, ", line ") : NULL;
    if (!at)
        return false;
    const char *in = strstr(at, " in ");
    f->file = zr_strdup_printf("%.*s", (int)(quote - file), file);
    f->line = atoi(at + 7);
    f->func = zr_strdup_printf("%s", in ? in + 4 : "?");
    return true;
}

/* The end of one thread's dump: keep the threads of the program itself (a
 * frame in a file that is not the standard library's or a package's), not
 * the idle helpers of asyncio or the interpreter. */
/* Which Python threads a hang's signature keeps: those whose native thread
 * waits with no deadline. faulthandler names a thread by its pthread_t, the
 * address of glibc's thread descriptor, which lies at the top of that
 * thread's own stack mapping; the main thread's lies elsewhere. */
struct py_filter {
    bool active;
    int n;
    unsigned long long lo[256], hi[256];
    bool keep[256];
    bool keep_main;
};

static bool py_thread_kept(const struct py_filter *f, unsigned long long id)
{
    if (!f || !f->active)
        return true;
    for (int i = 0; i < f->n; i++)
        if (id >= f->lo[i] && id < f->hi[i])
            return f->keep[i];
    return f->keep_main;
}

static void flush_thread(struct py_frame **frames, int *n, char **out, size_t *len, size_t *cap, bool kept)
{
    bool own = false;
    for (int i = 0; i < *n && !own; i++)
        own = !is_library_file((*frames)[i].file);
    if (own && kept) {
        bool is_main = !strcmp((*frames)[*n - 1].func, "<module>");
        char *one = python_thread_summary(*frames, *n, is_main);
        /* The main thread first. */
        if (is_main && *len) {
            char *rest = zr_strdup_printf("%s; %s", one, *out);
            *len = 0;
            (*out)[0] = '\0';
            append(out, len, cap, rest);
            free(rest);
        } else {
            if (*len)
                append(out, len, cap, "; ");
            append(out, len, cap, one);
        }
        free(one);
    }
    free_py_frames(*frames, *n);
    *frames = NULL;
    *n = 0;
}

static char *python_summary(const char *text, const struct py_filter *filter)
{
    if (!text)
        return NULL;
    char *out = NULL;
    size_t len = 0, cap = 0;
    struct py_frame *frames = NULL;
    int n = 0;
    bool in_thread = false, kept = true;
    for (const char *p = text;; p = strchr(p, '\n') + 1) {
        char *line = zr_line_dup(p);
        struct py_frame f;
        bool frame = in_thread && parse_py_frame(line, &f);
        if (frame) {
            struct py_frame *more = realloc(frames, (size_t)(n + 1) * sizeof *more);
            if (!more) {
                fputs("zmq-repro: out of memory\n", stderr);
                exit(2);
            }
            frames = more;
            frames[n++] = f;
        } else if (in_thread) {
            flush_thread(&frames, &n, &out, &len, &cap, kept);
            in_thread = false;
        }
        if (!frame && is_thread_header(line)) {
            in_thread = true;
            const char *id = strstr(line, "0x");
            kept = py_thread_kept(filter, id ? strtoull(id, NULL, 16) : 0);
        }
        free(line);
        if (!strchr(p, '\n'))
            break;
    }
    flush_thread(&frames, &n, &out, &len, &cap, kept);
    return out;
}

char *zr_python_hang_summary(const char *text)
{
    return python_summary(text, NULL);
}

/* --- Taking the stacks. --- */

char *zr_capture_stacks(const char *tool, pid_t pid, const char *workdir, double timeout_s, char *err, size_t errlen)
{
    char pidtext[32];
    snprintf(pidtext, sizeof pidtext, "%d", (int)pid);
    char *path = zr_strdup_printf("%s/stacks.txt", workdir);
    char *errpath = zr_strdup_printf("%s/stacks.err", workdir);
    /* -i inlined frames, -s source lines, -m the module of each frame. */
    char *argv[] = { (char *)tool, (char *)"-i", (char *)"-s", (char *)"-m", (char *)"-p", pidtext, NULL };
    struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_FILE(path), .err = ZR_OUTPUT_FILE(errpath) };
    struct zr_proc p;
    char *text = NULL;
    if (zr_spawn(&s, &p, err, errlen) == 0) {
        bool done = zr_wait(&p, timeout_s);
        zr_finish(&p);
        text = zr_read_file(path, NULL);
        if (!done) {
            snprintf(err, errlen, "%s did not finish within %.1f s", tool, timeout_s);
        } else if (!text || !strstr(text, "TID ")) {
            char *why = zr_read_file(errpath, NULL);
            char last[300];
            zr_last_line(why, last, sizeof last);
            snprintf(err, errlen, "%s could not attach to pid %d: %s", tool, (int)pid, last[0] ? last : "no output");
            free(why);
        } else {
            free(path);
            free(errpath);
            return text;
        }
    }
    free(text);
    free(path);
    free(errpath);
    return NULL;
}

int zr_stack_tool_check(const char *tool, char *err, size_t errlen)
{
    static int checked; /* 0 not yet, 1 fine, -1 not */
    static char cause[512];
    if (checked) {
        snprintf(err, errlen, "%s", cause);
        return checked > 0 ? 0 : -1;
    }
    if (access(tool, X_OK) != 0) {
        snprintf(cause, sizeof cause, "no stack tool at %s: apt-get install elfutils, or name one with --stack-tool", tool);
    } else {
        char *argv[] = { (char *)"/bin/sleep", (char *)"10", NULL };
        struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_NULL, .err = ZR_OUTPUT_NULL, .let_any_tracer = true };
        struct zr_proc p;
        char why[512];
        char *dir = zr_make_workdir("stack-check", why, sizeof why);
        if (dir && zr_spawn(&s, &p, why, sizeof why) == 0) {
            char *text = zr_capture_stacks(tool, p.pid, dir, 10, why, sizeof why);
            zr_finish(&p);
            if (text)
                checked = 1;
            free(text);
        }
        if (checked != 1)
            snprintf(cause, sizeof cause, "stacks cannot be taken here (%s): a hang is reported without its blocked "
                                          "frame. Allow ptrace (run as root, or kernel.yama.ptrace_scope=0)",
                     why);
        zr_remove_tree(dir);
    }
    if (checked != 1)
        checked = -1;
    snprintf(err, errlen, "%s", cause);
    return checked > 0 ? 0 : -1;
}

/* --- A hung tree: every process's stacks from one stopped moment, each
 * under header lines of the runner's (none of them is eu-stack's):
 *     === process 4242 (the client): ./prog ipc://... ===
 *     === waiting with no deadline: 4242 4250 ===
 *     === stack of thread 4250: 7f00a000-7f00b000 ===
 * then eu-stack's output for that process. --- */

#define PROCESS_HEADER "=== process "
#define NO_DEADLINE_HEADER "=== waiting with no deadline:"
#define STACK_HEADER "=== stack of thread "
#define MAX_TREE_PIDS 256

/* The mapping of /proc/PID/maps that holds addr, as lo-hi; false if none. */
static bool mapping_of(const char *maps, unsigned long long addr, unsigned long long *lo, unsigned long long *hi)
{
    for (const char *line = maps; line && *line;) {
        unsigned long long a, b;
        if (sscanf(line, "%llx-%llx", &a, &b) == 2 && addr >= a && addr < b) {
            *lo = a;
            *hi = b;
            return true;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return false;
}

/* The header lines of one process: who it is, its threads that wait with no
 * deadline (from the watch's last sample), and each thread's stack mapping
 * (its stack pointer, from /proc/PID/task/TID/syscall). */
static void process_headers(struct zr_tree *tree, const struct zr_tree_sample *last, pid_t pid, char **buf,
                            size_t *len, size_t *cap)
{
    const struct zr_member *m = zr_tree_member(tree, pid);
    char *line = zr_strdup_printf("%s%d (%s): %s ===\n", PROCESS_HEADER, (int)pid,
                                  pid == tree->root ? "the client" : "a child of the client", m ? m->cmdline : "?");
    append(buf, len, cap, line);
    free(line);
    int tids[MAX_TREE_PIDS];
    int n = last ? zr_tree_unbounded_tids(last, pid, tids, MAX_TREE_PIDS) : 0;
    append(buf, len, cap, NO_DEADLINE_HEADER);
    for (int i = 0; i < n; i++) {
        char one[32];
        snprintf(one, sizeof one, " %d", tids[i]);
        append(buf, len, cap, one);
    }
    append(buf, len, cap, " ===\n");
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    char *maps = zr_read_file(path, NULL);
    for (int i = 0; last && maps && i < last->nthreads; i++) {
        if (last->threads[i].pid != pid)
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", (int)pid, (int)last->threads[i].tid);
        char *sys = zr_read_file(path, NULL);
        /* "... SP PC": the stack pointer is the second last field. */
        const char *pc = sys ? strrchr(sys, ' ') : NULL;
        const char *sp = pc;
        while (sp && sp > sys && sp[-1] != ' ')
            sp--;
        unsigned long long lo, hi;
        if (sp && sp > sys && mapping_of(maps, strtoull(sp, NULL, 16), &lo, &hi)) {
            char one[128];
            snprintf(one, sizeof one, "%s%d: %llx-%llx ===\n", STACK_HEADER, (int)last->threads[i].tid, lo, hi);
            append(buf, len, cap, one);
        }
        free(sys);
    }
    free(maps);
}

char *zr_capture_tree_stacks(const char *tool, struct zr_tree *tree, const struct zr_tree_sample *last,
                             const char *workdir, double timeout_s, char *err, size_t errlen)
{
    pid_t pids[MAX_TREE_PIDS];
    int n = zr_tree_pids(tree, pids, MAX_TREE_PIDS);
    char *out = NULL;
    size_t len = 0, cap = 0;
    append(&out, &len, &cap, "");
    /* The client first, then its descendants in the order /proc lists them. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            if ((pass == 0) != (pids[i] == tree->root))
                continue;
            char why[512];
            char *one = zr_capture_stacks(tool, pids[i], workdir, timeout_s, why, sizeof why);
            if (!one && pids[i] == tree->root) {
                snprintf(err, errlen, "%s", why);
                free(out);
                return NULL;
            }
            process_headers(tree, last, pids[i], &out, &len, &cap);
            if (one)
                append(&out, &len, &cap, one);
            else {
                char *note = zr_strdup_printf("(stacks not taken: %s)\n", why);
                append(&out, &len, &cap, note);
                free(note);
            }
            free(one);
        }
    if (!len) {
        snprintf(err, errlen, "no process of the client's tree is left");
        free(out);
        return NULL;
    }
    return out;
}

/* One process's part of a tree's stacks. */
struct stack_block {
    int pid;
    bool is_client;
    char name[96];   /* argv[0]'s file name (and the script's, for an interpreter) */
    const char *start, *end;
    int nkeep;
    int keep[MAX_TREE_PIDS]; /* threads waiting with no deadline */
};

static void block_name(const char *cmdline, char *name, size_t len)
{
    char first[512] = "", second[512] = "";
    sscanf(cmdline, "%511s %511s", first, second);
    const char *a = strrchr(first, '/') ? strrchr(first, '/') + 1 : first;
    const char *b = strrchr(second, '/') ? strrchr(second, '/') + 1 : second;
    if (!strncmp(a, "python", 6) && *b)
        snprintf(name, len, "%s %s", a, b);
    else
        snprintf(name, len, "%s", a);
}

/* Splits stacks into its processes' blocks; 0 when it has no header (a
 * single eu-stack output). */
static int split_blocks(const char *stacks, struct stack_block *blocks, int max)
{
    int n = 0;
    for (const char *p = strstr(stacks, PROCESS_HEADER); p && n < max; p = strstr(p + 1, PROCESS_HEADER)) {
        if (p != stacks && p[-1] != '\n')
            continue;
        struct stack_block *b = &blocks[n++];
        memset(b, 0, sizeof *b);
        b->start = p;
        char role[64] = "";
        sscanf(p + strlen(PROCESS_HEADER), "%d (%63[^)]", &b->pid, role);
        b->is_client = !strcmp(role, "the client");
        const char *colon = strstr(p, "): ");
        char *cmd = colon ? zr_line_dup(colon + 3) : zr_strdup_printf("?");
        char *tail = strstr(cmd, " ===");
        if (tail)
            *tail = '\0';
        block_name(cmd, b->name, sizeof b->name);
        free(cmd);
        const char *keep = strstr(p, NO_DEADLINE_HEADER);
        const char *next = strstr(p + 1, PROCESS_HEADER);
        if (keep && (!next || keep < next)) {
            const char *q = keep + strlen(NO_DEADLINE_HEADER);
            int tid, used;
            while (b->nkeep < MAX_TREE_PIDS && sscanf(q, " %d%n", &tid, &used) == 1) {
                b->keep[b->nkeep++] = tid;
                q += used;
            }
        }
    }
    for (int i = 0; i < n; i++)
        blocks[i].end = i + 1 < n ? blocks[i + 1].start : stacks + strlen(stacks);
    return n;
}

/* The summary and the calls of one block, only its threads waiting with no
 * deadline when filtered; NULL when none is in a libzmq call or taking the GIL. */
static void block_summary(const struct stack_block *b, bool filtered, char **summary, char **calls)
{
    *summary = *calls = NULL;
    char *text = zr_strdup_printf("%.*s", (int)(b->end - b->start), b->start);
    struct zr_native_stacks s;
    if (zr_native_stacks_parse(text, &s) == 0) {
        struct zr_native_stacks view = s;
        view.threads = calloc((size_t)s.nthreads + 1, sizeof *view.threads);
        view.nthreads = 0;
        for (int i = 0; view.threads && i < s.nthreads; i++) {
            bool keep = !filtered;
            for (int k = 0; k < b->nkeep && !keep; k++)
                keep = b->keep[k] == s.threads[i].tid;
            if (keep)
                view.threads[view.nthreads++] = s.threads[i];
        }
        *summary = join_threads_or_null(&view, thread_chain);
        *calls = join_threads_or_null(&view, thread_call);
        free(view.threads);
    }
    zr_native_stacks_free(&s);
    free(text);
}

static void tree_summary(const struct stack_block *blocks, int n, bool filtered, char **native, char **calls)
{
    char *out = NULL, *out_calls = NULL;
    size_t len = 0, cap = 0, clen = 0, ccap = 0;
    append(&out, &len, &cap, "");
    append(&out_calls, &clen, &ccap, "");
    for (int i = 0; i < n; i++) {
        char *s, *c;
        block_summary(&blocks[i], filtered, &s, &c);
        if (s) {
            /* The client's own threads need no name: a single process's signature is what it always was. */
            char *named = blocks[i].is_client ? zr_strdup_printf("%s", s)
                                              : zr_strdup_printf("pid %d (%s): %s", blocks[i].pid, blocks[i].name, s);
            char *named_calls = blocks[i].is_client ? zr_strdup_printf("%s", c)
                                                    : zr_strdup_printf("child (%s): %s", blocks[i].name, c);
            if (len)
                append(&out, &len, &cap, " ; ");
            if (clen)
                append(&out_calls, &clen, &ccap, " ; ");
            append(&out, &len, &cap, named);
            append(&out_calls, &clen, &ccap, named_calls);
            free(named);
            free(named_calls);
        }
        free(s);
        free(c);
    }
    if (!len) {
        free(out);
        free(out_calls);
        out = out_calls = NULL;
    }
    *native = out;
    *calls = out_calls;
}

void zr_tree_hang_signature(const char *stacks, char **native, char **calls)
{
    *native = *calls = NULL;
    struct stack_block *blocks = calloc(MAX_TREE_PIDS, sizeof *blocks);
    int n = blocks ? split_blocks(stacks, blocks, MAX_TREE_PIDS) : 0;
    if (n == 0) {
        struct zr_native_stacks s;
        if (zr_native_stacks_parse(stacks, &s) == 0) {
            *native = zr_native_hang_summary(&s);
            *calls = zr_native_hang_calls(&s);
        }
        zr_native_stacks_free(&s);
        free(blocks);
        return;
    }
    /* Only the threads that wait with no deadline: a bounded zmq_poll of a
     * thread that goes on is no part of the hang. Every thread when none of
     * those is in a libzmq call (a hang found by the watchdog). */
    tree_summary(blocks, n, true, native, calls);
    if (!*native)
        tree_summary(blocks, n, false, native, calls);
    if (!*native) {
        *native = zr_strdup_printf("%s", NO_THREAD_IN_LIBZMQ);
        *calls = zr_strdup_printf("%s", NO_THREAD_IN_LIBZMQ);
    }
    free(blocks);
}

char *zr_tree_python_summary(const char *faulthandler_text, const char *stacks)
{
    struct stack_block *blocks = calloc(MAX_TREE_PIDS, sizeof *blocks);
    int n = blocks && stacks ? split_blocks(stacks, blocks, MAX_TREE_PIDS) : 0;
    struct py_filter *f = calloc(1, sizeof *f);
    for (int i = 0; f && i < n && !f->active; i++) {
        if (!blocks[i].is_client)
            continue;
        const struct stack_block *b = &blocks[i];
        f->active = true;
        for (int k = 0; k < b->nkeep; k++)
            f->keep_main |= b->keep[k] == b->pid;
        for (const char *p = strstr(b->start, STACK_HEADER); p && p < b->end && f->n < 256;
             p = strstr(p + 1, STACK_HEADER)) {
            int tid;
            unsigned long long lo, hi;
            if (sscanf(p + strlen(STACK_HEADER), "%d: %llx-%llx", &tid, &lo, &hi) != 3 || tid == b->pid)
                continue;
            f->lo[f->n] = lo;
            f->hi[f->n] = hi;
            f->keep[f->n] = false;
            for (int k = 0; k < b->nkeep; k++)
                f->keep[f->n] |= b->keep[k] == tid;
            f->n++;
        }
    }
    char *out = python_summary(faulthandler_text, f);
    if (!out && f && f->active)
        out = python_summary(faulthandler_text, NULL);
    free(f);
    free(blocks);
    return out;
}
