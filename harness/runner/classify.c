#include "classify.h"

#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define REPORT_MAX (64 * 1024)
#define STDERR_TAIL_MAX (16 * 1024)

static char *dup_span(const char *start, size_t n)
{
    if (n > REPORT_MAX)
        n = REPORT_MAX;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, start, n);
        s[n] = '\0';
    }
    return s;
}

/* The function name of a TSan or gdb frame, without its argument list:
 * "zmq::mailbox_t::recv(zmq::command_t*, int)" -> "zmq::mailbox_t::recv". */
static void function_name(const char *start, size_t n, char *buf, size_t len)
{
    size_t keep = 0;
    while (keep < n && start[keep] != ' ' && start[keep] != '\n') {
        if (start[keep] == '(' && !(keep >= 8 && !strncmp(start + keep - 8, "operator", 8)))
            break;
        keep++;
    }
    snprintf(buf, len, "%.*s", (int)keep, start);
}

static bool is_libzmq_frame(const char *line)
{
    return strstr(line, "zmq::") || strstr(line, "libzmq") || strstr(line, " zmq_");
}

/* A TSan stack frame line: "    #0 func(args) /path/src/file.cpp:72 (lib+0x..)". */
static bool parse_tsan_frame(const char *line, char *func, size_t flen, char *where, size_t wlen)
{
    const char *p = line;
    while (*p == ' ')
        p++;
    if (*p != '#')
        return false;
    p = strchr(p, ' ');
    if (!p)
        return false;
    p++;
    size_t n = strcspn(p, "\n");
    function_name(p, n, func, flen);
    /* The location is the last blank-separated word before " (module+off)". */
    where[0] = '\0';
    const char *end = p + n;
    const char *paren = NULL;
    for (const char *q = end; q > p; q--)
        if (q[-1] == '(' && q - 1 > p && q[-2] == ' ') {
            paren = q - 2;
            break;
        }
    if (paren) {
        const char *w = paren;
        while (w > p && w[-1] != ' ')
            w--;
        const char *slash = w;
        for (const char *q = w; q < paren; q++)
            if (*q == '/')
                slash = q + 1;
        snprintf(where, wlen, "%.*s", (int)(paren - slash), slash);
    }
    return true;
}

bool zr_find_tsan_report(const char *err, char *signature, int len, char **report)
{
    const char *warn = err ? strstr(err, "WARNING: ThreadSanitizer: ") : NULL;
    if (!warn)
        return false;
    const char *type = warn + strlen("WARNING: ThreadSanitizer: ");
    size_t tlen = strcspn(type, "(\n");
    while (tlen > 0 && type[tlen - 1] == ' ')
        tlen--;

    /* The report runs from the ===== line before WARNING to the next one. */
    const char *start = warn;
    while (start > err && !(start[-1] == '\n' && !strncmp(start, "==================", 18)))
        start--;
    if (strncmp(start, "==================", 18))
        start = warn;
    const char *end = strstr(warn, "\n==================");
    end = end ? end + 19 : warn + strlen(warn);

    char first_func[160] = "", first_where[96] = "";
    char zmq_func[160] = "", zmq_where[96] = "";
    for (const char *line = warn; line && line < end; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        char func[160], where[96];
        char *l = zr_line_dup(line);
        if (l && parse_tsan_frame(l, func, sizeof func, where, sizeof where)) {
            if (!first_func[0]) {
                zr_copy(first_func, sizeof first_func, func);
                zr_copy(first_where, sizeof first_where, where);
            }
            if (!zmq_func[0] && is_libzmq_frame(l)) {
                zr_copy(zmq_func, sizeof zmq_func, func);
                zr_copy(zmq_where, sizeof zmq_where, where);
            }
        }
        free(l);
    }
    const char *func = zmq_func[0] ? zmq_func : first_func;
    const char *where = zmq_func[0] ? zmq_where : first_where;
    snprintf(signature, len, "%.*s%s%s%s%s", (int)tlen, type, func[0] ? " " : "", func, where[0] ? " " : "", where);
    if (report)
        *report = dup_span(start, (size_t)(end - start));
    return true;
}

/* libzmq's aborts: "Assertion failed: check () (src/msg.cpp:414)" and the
 * errno-style ones of errno_assert and friends: "Bad address (src/pipe.cpp:394)". */
bool zr_find_libzmq_abort(const char *err, char *signature, int len)
{
    static regex_t re;
    static bool compiled;
    if (!compiled) {
        if (regcomp(&re, "^[^\n]+ \\((src/)?[A-Za-z0-9_]+\\.[ch]pp:[0-9]+\\)$", REG_EXTENDED | REG_NEWLINE))
            return false;
        compiled = true;
    }
    regmatch_t m;
    if (!err || regexec(&re, err, 1, &m, 0) != 0)
        return false;
    snprintf(signature, len, "%.*s", (int)(m.rm_eo - m.rm_so), err + m.rm_so);
    return true;
}

/* CPython's own fatal errors. faulthandler also prints "Fatal Python error:"
 * for a fatal signal ("Segmentation fault", "Aborted"): those are signals,
 * classified as SIGNAL with the Python stack kept in the report. */
static bool is_faulthandler_signal_line(const char *msg)
{
    static const char *const names[] = {
        "Segmentation fault", "Aborted", "Bus error", "Floating point exception", "Illegal instruction", NULL,
    };
    for (int i = 0; names[i]; i++)
        if (!strncmp(msg, names[i], strlen(names[i])))
            return true;
    return false;
}

bool zr_find_fatal_python(const char *err, char *signature, int len)
{
    for (const char *p = err; p && (p = strstr(p, "Fatal Python error: ")); p++) {
        if (p != err && p[-1] != '\n')
            continue;
        const char *msg = p + strlen("Fatal Python error: ");
        if (is_faulthandler_signal_line(msg))
            continue;
        snprintf(signature, len, "%.*s", (int)strcspn(p, "\n"), p);
        return true;
    }
    return false;
}

/* Frames worth naming in a hang: libzmq's API and internals, and CPython's
 * GIL hand-over (a native thread stuck taking the GIL). */
static bool is_blocking_frame(const char *func)
{
    static const char *const gil[] = {
        "take_gil", "PyEval_RestoreThread", "PyEval_AcquireThread", "PyGILState_Ensure", NULL,
    };
    if (!strncmp(func, "zmq_", 4) || !strncmp(func, "zmq::", 5))
        return true;
    for (int i = 0; gil[i]; i++)
        if (!strcmp(func, gil[i]))
            return true;
    return false;
}

/* gdb frame: "#3  0x00007f.. in zmq_ctx_term (ctx=..) at ..." or "#0  take_gil (..) at ..". */
static bool parse_gdb_frame(const char *line, char *func, size_t flen)
{
    if (line[0] != '#')
        return false;
    const char *p = line + 1;
    while (*p >= '0' && *p <= '9')
        p++;
    while (*p == ' ')
        p++;
    if (!strncmp(p, "0x", 2)) {
        const char *in = strstr(p, " in ");
        if (!in)
            return false;
        p = in + 4;
    }
    function_name(p, strcspn(p, "\n"), func, flen);
    return func[0] && strcmp(func, "??");
}

/* The chain of blocking frames of each application thread, outermost first,
 * threads separated by " | ", the main thread first:
 * "zmq_ctx_term -> zmq::ctx_t::terminate -> zmq::mailbox_t::recv". A thread
 * counts when it is inside a libzmq API call (zmq_*) or taking the GIL;
 * libzmq's own I/O and reaper threads idling in their poll loop do not. */
void zr_hang_signature(const char *stacks, char *signature, int len)
{
    signature[0] = '\0';
    if (!stacks)
        return;
    char chains[16][300];
    int nthreads = 0;
    char chain[8][96];
    int nchain = 0;
    bool relevant = false;
    const char *line = stacks;
    while (line && *line) {
        char *l = zr_line_dup(line);
        char func[96];
        if (l && parse_gdb_frame(l, func, sizeof func) && is_blocking_frame(func)) {
            if (nchain < 8)
                zr_copy(chain[nchain++], sizeof chain[0], func);
            relevant |= strncmp(func, "zmq::", 5) != 0;
        }
        free(l);
        const char *next = strchr(line, '\n');
        next = next ? next + 1 : NULL;
        bool thread_end = !next || !*next || !strncmp(next, "Thread ", 7);
        if (thread_end) {
            if (relevant && nthreads < 16) {
                /* gdb lists the innermost frame first: keep the four
                 * outermost frames of interest, outermost first. */
                char *c = chains[nthreads++];
                c[0] = '\0';
                int first = nchain - 1, last = nchain > 4 ? nchain - 4 : 0;
                for (int i = first; i >= last; i--) {
                    size_t used = strlen(c);
                    snprintf(c + used, sizeof chains[0] - used, "%s%s", i == first ? "" : " -> ", chain[i]);
                }
            }
            nchain = 0;
            relevant = false;
        }
        line = next;
    }
    /* gdb lists the threads newest first: print the main thread first. */
    for (int i = nthreads - 1; i >= 0; i--) {
        size_t used = strlen(signature);
        snprintf(signature + used, len - used, "%s%s", i == nthreads - 1 ? "" : " | ", chains[i]);
    }
    if (!signature[0])
        snprintf(signature, len, "no thread in a libzmq call or taking the GIL");
}

bool zr_find_done(const char *out, long long *sent, long long *received)
{
    *sent = *received = -1;
    const char *found = NULL;
    for (const char *p = out; p && (p = strstr(p, "DONE")); p += 4)
        if (p == out || p[-1] == '\n')
            found = p;
    if (!found)
        return false;
    const char *s = strstr(found, "sent=");
    const char *r = strstr(found, "received=");
    size_t linelen = strcspn(found, "\n");
    if (s && r && s < found + linelen && r < found + linelen) {
        *sent = atoll(s + 5);
        *received = atoll(r + 9);
    }
    return true;
}

static void set(struct zr_verdict *v, const char *outcome)
{
    zr_copy(v->outcome, sizeof v->outcome, outcome);
}

/* The first lines of a text, kept as the report of an outcome that has no
 * report block of its own. */
static char *head(const char *text)
{
    return text && *text ? dup_span(text, strlen(text)) : NULL;
}

void zr_classify(const struct zr_run_output *run, struct zr_verdict *v)
{
    memset(v, 0, sizeof *v);
    const char *err = run->err ? run->err : "";
    const char *out = run->out ? run->out : "";
    bool done = zr_find_done(out, &v->sent, &v->received);

    /* The harness's own failures first: they are never a reproduction. */
    const char *setup = strstr(err, "SETUP-ERROR:");
    const char *tsan_fatal = strstr(err, "FATAL: ThreadSanitizer");
    if (setup || tsan_fatal || (run->exited && run->exit_code == 127 && !done)) {
        set(v, "ERROR");
        const char *line = setup ? setup : tsan_fatal ? tsan_fatal : err;
        snprintf(v->signature, sizeof v->signature, "%.*s", (int)strcspn(line, "\n"), line);
        if (!v->signature[0])
            snprintf(v->signature, sizeof v->signature, "the client could not be started (exit 127)");
        v->report = head(err);
        return;
    }
    if (zr_find_tsan_report(err, v->signature, sizeof v->signature, &v->report)) {
        set(v, "TSAN");
        return;
    }
    if (zr_find_libzmq_abort(err, v->signature, sizeof v->signature)) {
        set(v, "ASSERT");
        v->report = head(err);
        return;
    }
    if (zr_find_fatal_python(err, v->signature, sizeof v->signature)) {
        set(v, "FATAL_PYTHON");
        v->report = head(err);
        return;
    }
    if (run->timed_out) {
        set(v, "HANG");
        zr_hang_signature(run->stacks, v->signature, sizeof v->signature);
        /* gdb's stacks, then the end of stderr, where faulthandler's Python
         * stacks are (a hung loop may have logged megabytes before them). */
        const char *stacks = run->stacks ? run->stacks : "";
        size_t nstacks = strlen(stacks) < REPORT_MAX ? strlen(stacks) : REPORT_MAX;
        size_t nerr = strlen(err);
        const char *tail = nerr > STDERR_TAIL_MAX ? err + nerr - STDERR_TAIL_MAX : err;
        size_t n = nstacks + strlen(tail) + 80;
        v->report = malloc(n);
        if (v->report)
            snprintf(v->report, n, "%.*s%s%s", (int)nstacks, stacks,
                     *tail ? "\n--- end of stderr (Python stacks from faulthandler, if any) ---\n" : "", tail);
        return;
    }
    if (!run->exited) {
        set(v, "SIGNAL");
        const char *name = sigabbrev_np(run->signal);
        snprintf(v->signature, sizeof v->signature, "SIG%s", name ? name : "?");
        v->report = head(err);
        return;
    }
    if (run->exit_code == 0 && done) {
        if (v->sent >= 0 && v->received < v->sent) {
            set(v, "LOSS");
            snprintf(v->signature, sizeof v->signature, "sent=%lld received=%lld", v->sent, v->received);
            return;
        }
        if (*err) {
            set(v, "NOISE");
            snprintf(v->signature, sizeof v->signature, "%.*s", (int)strcspn(err, "\n"), err);
            v->report = head(err);
            return;
        }
        set(v, "CLEAN");
        return;
    }
    set(v, "EXIT");
    char last[200];
    zr_last_line(err, last, sizeof last);
    if (run->exit_code == 0)
        snprintf(v->signature, sizeof v->signature, "exit 0 without DONE%s%s", last[0] ? ": " : "", last);
    else
        snprintf(v->signature, sizeof v->signature, "exit %d%s%s", run->exit_code, last[0] ? ": " : "", last);
    v->report = head(err);
}

void zr_verdict_free(struct zr_verdict *v)
{
    free(v->report);
    v->report = NULL;
}
