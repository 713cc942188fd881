#include "diagnosis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
