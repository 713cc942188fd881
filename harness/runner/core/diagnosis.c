#include "diagnosis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "open_sockets.h"
#include "stacks.h"
#include "text.h"

/* "zmq_send called from sender (client.c:40) in thread T4". */
static char *describe_access(const struct zr_stack *s)
{
    const struct zr_frame *api = zr_stack_api_call(s);
    const struct zr_frame *user = zr_stack_first(s, ZR_FRAME_USER);
    const struct zr_frame *top = zr_stack_top(s);
    const char *thread = s->thread ? s->thread : "?";
    char where[512] = "";
    if (user) {
        const char *base = user->file ? strrchr(user->file, '/') : NULL;
        base = base ? base + 1 : user->file;
        if (base)
            snprintf(where, sizeof where, "%s (%s:%d)", user->func, base, user->line);
        else
            snprintf(where, sizeof where, "%s (%s)", user->func, user->module ? user->module : "?");
    }
    if (api && user)
        return zr_strdup_printf("%s called from %s in thread %s", api->func, where, thread);
    if (api)
        return zr_strdup_printf("%s, called from outside the program's own code (%s), in thread %s%s%s", api->func,
                                zr_stack_first(s, ZR_FRAME_BINDING) ? "a binding such as pyzmq" : "no user frame",
                                thread, s->thread_name ? " " : "", s->thread_name ? s->thread_name : "");
    if (user)
        return zr_strdup_printf("%s in the program's own code, thread %s", where, thread);
    return zr_strdup_printf("%s in thread %s%s%s", top ? top->func : "an unknown frame", thread,
                            s->thread_name ? " " : "", s->thread_name ? s->thread_name : "");
}

static bool has_origin_top(const struct zr_tsan_report *r, enum zr_frame_origin origin)
{
    for (int i = 0; i < r->naccesses; i++) {
        const struct zr_frame *top = zr_stack_top(&r->accesses[i]);
        if (top && top->origin == origin)
            return true;
    }
    return false;
}

static int api_accesses(const struct zr_tsan_report *r)
{
    int n = 0;
    for (int i = 0; i < r->naccesses; i++)
        n += zr_stack_api_call(&r->accesses[i]) != NULL;
    return n;
}

static const char *verdict_line(const struct zr_tsan_report *r)
{
    if (zr_tsan_libzmq_internal(r))
        return "libzmq: the race is between libzmq's own threads, with no frame of the program in it: a libzmq bug, "
               "or a benign race that needs a narrow entry in harness/tsan/suppressions.txt";
    bool in_libzmq = has_origin_top(r, ZR_FRAME_LIBZMQ);
    if (!strcmp(r->kind, "data-race") && in_libzmq && api_accesses(r) >= 2 && r->naccesses >= 2 &&
        r->accesses[0].thread && r->accesses[1].thread && strcmp(r->accesses[0].thread, r->accesses[1].thread))
        return "your program: two threads inside libzmq calls on the same state at once: one socket used from two "
               "threads (zmq(7): sockets are not thread safe; give each socket one owner thread, or hand it over "
               "with a full memory barrier)";
    if (in_libzmq)
        return "inside libzmq, reached from the program's calls: most often a socket used from two threads, or an "
               "object freed while libzmq still uses it";
    return "your program's own code: the racing accesses are outside libzmq";
}

char *zr_diagnose_tsan(const struct zr_tsan_report *r, const char *after)
{
    char *out = zr_strdup_printf("%s", verdict_line(r));
    for (int i = 0; i < r->naccesses; i++) {
        char *access = describe_access(&r->accesses[i]);
        char *more = zr_strdup_printf("%s\n  %s", out, access);
        free(out);
        free(access);
        out = more;
    }
    /* pyzmq's frames are <null> in TSan's stacks (Debian strips them): the
     * script's lines come from faulthandler's dump after the abort. The
     * thread that reported is faulthandler's current thread. */
    char *python = after ? zr_python_hang_summary(after) : NULL;
    if (python) {
        char *more = zr_strdup_printf("%s\n  Python threads at the report: %s", out, python);
        free(out);
        out = more;
    }
    free(python);
    return out;
}

char *zr_diagnose_owner(const char *outcome, const char *signature)
{
    if (!strcmp(outcome, "SHARED_SOCKET"))
        return zr_strdup_printf("your program: two threads were inside calls on one socket at the same time "
                                "(%s); zmq(7): sockets are not thread safe",
                                signature);
    return zr_strdup_printf("your program: a socket moved to another thread with no synchronisation between the "
                            "two uses (%s); zmq(7) allows a migration only with a full memory barrier",
                            signature);
}

/* --- A hang in zmq_ctx_term ------------------------------------------------ */

static void append(char **out, const char *more)
{
    char *both = zr_strdup_printf("%s%s", *out, more);
    free(*out);
    *out = both;
}

/* "ipc:///tmp/x" or "tcp://a, tcp://b" or "no endpoint". */
static void endpoints_text(const struct zr_logged_socket *s, char *buf, size_t size)
{
    buf[0] = '\0';
    int shown = s->nendpoints < ZR_SOCKET_ENDPOINTS ? s->nendpoints : ZR_SOCKET_ENDPOINTS;
    for (int i = 0; i < shown; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, "%s%s", i ? ", " : "", s->endpoints[i]);
    }
    /* The program's own text: a control character in it cannot start a line of ours. */
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            *p = '?';
    if (s->nendpoints > shown) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, " and %d more", s->nendpoints - shown);
    }
    if (!shown)
        snprintf(buf, size, "no endpoint (never connected or bound)");
}

/* What its LINGER means for term, once the socket is closed. */
static char *linger_text(const struct zr_logged_socket *s)
{
    const char *whose = s->linger_set ? "set by the program" : "the default";
    char endpoints[1200];
    endpoints_text(s, endpoints, sizeof endpoints);
    if (s->linger >= 0)
        return zr_strdup_printf("LINGER %d, %s", s->linger, whose);
    if (s->sent < 0)
        return zr_strdup_printf("LINGER -1, %s; the messages it sent are not known", whose);
    if (s->sent == 0)
        return zr_strdup_printf("LINGER -1, %s; it sent nothing", whose);
    return zr_strdup_printf("LINGER -1, %s: closing it is not enough, term then waits for ever for its %ld "
                            "message%s sent to %s while unsent",
                            whose, s->sent, s->sent == 1 ? "" : "s", endpoints);
}

static char *open_socket_line(const struct zr_term_wait *w, const struct zr_logged_socket *s)
{
    char *linger = linger_text(s);
    char *line;
    if (s->tid && w->tid && s->tid != w->tid)
        line = zr_strdup_printf("  %s still open in thread %s (tid %ld, not the one in term), created at %s: close "
                                "it there (its owner) before term (%s)\n",
                                s->type, s->thread, s->tid, s->site, linger);
    else
        line = zr_strdup_printf("  %s created at %s in thread %s, never closed (%s)\n", s->type, s->site, s->thread,
                                linger);
    free(linger);
    return line;
}

static char *lingering_socket_line(const struct zr_logged_socket *s)
{
    char endpoints[1200];
    endpoints_text(s, endpoints, sizeof endpoints);
    return zr_strdup_printf("  %s created at %s in thread %s, closed with LINGER -1 (%s) after sending %ld "
                            "message%s to %s: term waits for ever while any is unsent (no peer took it)\n",
                            s->type, s->site, s->thread, s->linger_set ? "set by the program" : "the default",
                            s->sent, s->sent == 1 ? "" : "s", endpoints);
}

static bool any_python(const struct zr_term_wait *w)
{
    for (int i = 0; i < w->nopen; i++)
        if (w->open[i].py_file[0])
            return true;
    for (int i = 0; i < w->nlingering; i++)
        if (w->lingering[i].py_file[0])
            return true;
    return false;
}

static char *term_hang_text(const struct zr_term_wait *w)
{
    bool python = any_python(w);
    char call[96];
    snprintf(call, sizeof call, "%s%s", w->call[0] ? w->call : "zmq_ctx_term", python ? " (pyzmq's ctx.term())" : "");
    char *out;
    if (w->nopen)
        out = zr_strdup_printf("your program: %s waits for %d socket%s that %s still open:\n", call, w->nopen,
                               w->nopen == 1 ? "" : "s", w->nopen == 1 ? "is" : "are");
    else
        out = zr_strdup_printf("your program: %s waits for %d closed socket%s with LINGER -1 and messages that may "
                               "never have left:\n",
                               call, w->nlingering, w->nlingering == 1 ? "" : "s");
    for (int i = 0; i < w->nopen; i++) {
        char *line = open_socket_line(w, &w->open[i]);
        append(&out, line);
        free(line);
    }
    for (int i = 0; i < w->nlingering; i++) {
        char *line = lingering_socket_line(&w->lingering[i]);
        append(&out, line);
        free(line);
    }
    if (w->untracked)
        append(&out, "  (the probe's table was full: the counts of some sockets are not known)\n");
    append(&out, "fix: close every socket in the thread that owns it before zmq_ctx_term, or set ZMQ_LINGER (0 or a "
                 "bound) before closing");
    if (python)
        append(&out, " (pyzmq: sock.close(linger=0), ctx.destroy(linger=0))");
    append(&out, "; see libzmq #2586, pyzmq #991");
    return out;
}

char *zr_diagnose_term_hang(const char *sockets_log_text, long pid)
{
    struct zr_term_wait w;
    if (zr_open_sockets_parse(sockets_log_text, pid, &w) != 1)
        return NULL;
    char *out = NULL;
    if (w.nopen || w.nlingering) {
        zr_open_sockets_resolve(&w);
        out = term_hang_text(&w);
    }
    zr_term_wait_free(&w);
    return out;
}

char *zr_diagnose_term_hang_file(const char *sockets_log_path, long pid)
{
    char *text = zr_read_file(sockets_log_path, NULL);
    char *out = text ? zr_diagnose_term_hang(text, pid) : NULL;
    free(text);
    return out;
}

/* libzmq's assertions that a socket used by two threads at once leaves
 * behind: the ones reported upstream (libzmq #4649, #4477, #3582, #3200;
 * pyzmq #2094, #2043) and measured here (FINDINGS.md: stress runs of the
 * shared-socket cases). Matched by file, since the line moves between
 * versions (object.cpp:166 on 4.3.2, 170 on 4.3.4, 142 on 4.3.5). */
static const struct {
    const char *file;  /* "src/object.cpp" */
    const char *what;  /* what libzmq found */
} shared_socket_assertions[] = {
    { "src/object.cpp", "a command came out of the socket's mailbox that no object of the socket sent (a corrupted "
                        "mailbox)" },
    { "src/mailbox.cpp", "the socket's mailbox was read when it was empty (two readers of one mailbox)" },
    { "src/fq.cpp", "a message part arrived after the last one (two receivers interleaving one message)" },
    { "src/lb.cpp", "a message part was sent after the last one (two senders interleaving one message)" },
    { "src/msg.cpp", "a message that is no longer valid (freed or moved by another thread)" },
    { "src/pipe.cpp", "a pipe in a state its own thread cannot have left it in" },
    { "src/ypipe.hpp", "a lock-free queue read by two threads" },
    { "src/signaler.cpp", "the socket's signaler read or written by two threads" },
    { "src/epoll.cpp", "a descriptor closed or reused under libzmq's I/O thread" },
};

char *zr_diagnose_assertion(const char *symptom)
{
    if (!symptom)
        return NULL;
    for (size_t i = 0; i < sizeof shared_socket_assertions / sizeof shared_socket_assertions[0]; i++)
        if (strstr(symptom, shared_socket_assertions[i].file))
            return zr_strdup_printf(
                "almost always your program: libzmq's own assertion in %s: %s. That is what one socket used by two "
                "threads at once leaves behind (zmq(7): sockets are not thread safe; libzmq #4649, #3200, pyzmq "
                "#2094): give each socket one owner thread. To see both threads at the moment it happens: "
                "zmq-repro check -m owner (or -m tsan) on the same program",
                shared_socket_assertions[i].file, shared_socket_assertions[i].what);
    return NULL;
}

char *zr_diagnose_hang(const char *signature, bool server_answered_all)
{
    if (!signature || strstr(signature, "zmq_ctx_term") || strstr(signature, "zmq_ctx_destroy"))
        return NULL; /* the socket table says more: zr_diagnose_term_hang */
    bool recv = strstr(signature, "zmq_recv") || strstr(signature, "zmq_msg_recv");
    bool send = strstr(signature, "zmq_send") || strstr(signature, "zmq_msg_send");
    if (recv && server_answered_all)
        return zr_strdup_printf(
            "a thread waits in %s for a reply that the server has already sent (it answered every request): a lost "
            "wake-up. %s",
            strstr(signature, "zmq_msg_recv") ? "zmq_msg_recv" : "zmq_recv",
            send ? "Another thread is inside the same socket's zmq_send: one socket used from two threads (zmq(7): "
                   "sockets are not thread safe; pyzmq #2094); give each socket one owner thread"
                 : "Either another thread took the wake-up (one socket used from two threads: zmq-repro check -m "
                   "owner shows it at once), or the request was never sent");
    if (recv)
        return zr_strdup_printf("a thread waits in zmq_recv with no deadline and nothing will arrive: a peer that "
                                "never answers, or a request never sent; a ZMQ_RCVTIMEO or a poll with a timeout "
                                "bounds the wait");
    return NULL;
}
