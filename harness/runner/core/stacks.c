#include "stacks.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
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

static char *join_threads(const struct zr_native_stacks *s, thread_fn describe)
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
    if (!len)
        append(&out, &len, &cap, "no thread in a libzmq call or taking the GIL");
    return out;
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
static void flush_thread(struct py_frame **frames, int *n, char **out, size_t *len, size_t *cap)
{
    bool own = false;
    for (int i = 0; i < *n && !own; i++)
        own = !is_library_file((*frames)[i].file);
    if (own) {
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

char *zr_python_hang_summary(const char *text)
{
    if (!text)
        return NULL;
    char *out = NULL;
    size_t len = 0, cap = 0;
    struct py_frame *frames = NULL;
    int n = 0;
    bool in_thread = false;
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
            flush_thread(&frames, &n, &out, &len, &cap);
            in_thread = false;
        }
        if (!frame && is_thread_header(line))
            in_thread = true;
        free(line);
        if (!strchr(p, '\n'))
            break;
    }
    flush_thread(&frames, &n, &out, &len, &cap);
    return out;
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
