#include "classify.h"

#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnosis.h"
#include "stacks.h"
#include "text.h"
#include "tsan_report.h"

#define REPORT_MAX (64 * 1024)
#define STDERR_TAIL_MAX (16 * 1024)
#define OUTPUT_TAIL_LINES 20
#define OUTPUT_TAIL_MAX (4 * 1024)

/* A signature is one line that a person reads and a table groups by. */
#define SIGNATURE_MAX (4 * 1024)

/* *text cut to at most max bytes (at a UTF-8 boundary), the cut marked. */
static void cap(char **text, size_t max)
{
    if (!*text || strlen(*text) <= max)
        return;
    size_t n = max;
    while (n > 0 && ((unsigned char)(*text)[n] & 0xC0) == 0x80)
        n--;
    char *cut = zr_strdup_printf("%.*s [... %zu bytes cut]", (int)n, *text, strlen(*text) - n);
    free(*text);
    *text = cut;
}

/* A copy of text[0..n) cut to REPORT_MAX, valid UTF-8 (for JSON). */
static char *dup_span(const char *start, size_t n)
{
    if (n > REPORT_MAX)
        n = REPORT_MAX;
    return zr_utf8_sanitize(start, n);
}

/* The first line at or after p that contains needle, within [text, text+len). */
static const char *find_in(const char *text, size_t len, const char *needle)
{
    const char *hit = text ? strstr(text, needle) : NULL;
    return hit && (size_t)(hit - text) < len ? hit : NULL;
}

/* --- libzmq's aborts: "Assertion failed: check () (src/msg.cpp:414)" and the
 * errno-style ones of errno_assert and friends: "Bad address (src/pipe.cpp:394)".
 * A CMake build embeds the absolute __FILE__ ("(/tmp/b/zeromq-4.3.5/src/msg.cpp:414)"):
 * every build gives the same outcome, with the path cut to src/<file>. --- */
bool zr_find_libzmq_abort(const char *err, size_t len, char **signature, char **symptom, char **location)
{
    static regex_t re;
    static bool compiled;
    if (!compiled) {
        if (regcomp(&re, "^([^\n]+) \\(([^\n()]*/)?([A-Za-z0-9_]+\\.[ch]pp):([0-9]+)\\)$", REG_EXTENDED | REG_NEWLINE))
            return false;
        compiled = true;
    }
    if (!err)
        return false;
    char *text = zr_utf8_sanitize(err, len);
    regmatch_t m[5];
    bool found = regexec(&re, text, 5, m, 0) == 0;
    if (found) {
        const char *msg = text + m[1].rm_so;
        int msglen = (int)(m[1].rm_eo - m[1].rm_so);
        const char *file = text + m[3].rm_so;
        int filelen = (int)(m[3].rm_eo - m[3].rm_so);
        int line = atoi(text + m[4].rm_so);
        /* libzmq's sources are all in src/: name the file the same way whatever the build's path. */
        *location = zr_strdup_printf("src/%.*s:%d", filelen, file, line);
        *signature = zr_strdup_printf("%.*s (%s)", msglen, msg, *location);
        *symptom = zr_strdup_printf("%.*s (src/%.*s)", msglen, msg, filelen, file);
    }
    free(text);
    return found;
}

/* CPython's own fatal errors. faulthandler also prints "Fatal Python error:"
 * for a fatal signal ("Segmentation fault", "Aborted"): those are signals,
 * classified by the signal, with the Python stack kept in the report. */
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

bool zr_find_fatal_python(const char *err, size_t len, char **signature)
{
    const char *end = err ? err + len : NULL;
    for (const char *p = err; p && (p = strstr(p, "Fatal Python error: ")) && p < end; p++) {
        if (p != err && p[-1] != '\n')
            continue;
        const char *msg = p + strlen("Fatal Python error: ");
        if (is_faulthandler_signal_line(msg))
            continue;
        *signature = zr_strdup_printf("%.*s", (int)strcspn(p, "\n"), p);
        return true;
    }
    return false;
}

/* The ownership checker's reports end with
 * "==PID== zmq-owner: SUMMARY: SHARED_SOCKET DEALER zmq_recv (receiver) | zmq_send (sender)",
 * and an overlap's first line, written at once, carries the same tail
 * ("...used by two threads at once; SHARED_SOCKET DEALER ..."): a program
 * that crashed before the rest of the report still shows what was found. */
bool zr_find_owner_report(const char *err, size_t len, char outcome[24], char **signature, char **report)
{
    const char *summary = find_in(err, len, "zmq-owner: SUMMARY: ");
    const char *what = NULL;
    if (summary)
        what = summary + strlen("zmq-owner: SUMMARY: ");
    else {
        const char *first = find_in(err, len, "used by two threads at once; ");
        if (!first)
            return false;
        what = first + strlen("used by two threads at once; ");
        summary = first;
    }
    size_t wlen = strcspn(what, " \n");
    if (wlen == 0 || wlen >= 24)
        return false;
    memcpy(outcome, what, wlen);
    outcome[wlen] = '\0';
    if (strcmp(outcome, "SHARED_SOCKET") && strcmp(outcome, "HANDOFF") && strcmp(outcome, "SOCKET_HANDOFF"))
        return false;
    if (!strcmp(outcome, "SOCKET_HANDOFF"))
        strcpy(outcome, "HANDOFF");
    const char *rest = what + wlen;
    while (*rest == ' ')
        rest++;
    *signature = zr_strdup_printf("%.*s", (int)strcspn(rest, "\n"), rest);
    /* The report: from the first "zmq-owner: ERROR" line to the SUMMARY (or
     * to the end of what the checker could write). */
    const char *start = summary;
    const char *first = strstr(err, "zmq-owner: ERROR");
    if (first && first <= summary) {
        start = first;
        while (start > err && start[-1] != '\n')
            start--;
    }
    const char *stop = summary + strcspn(summary, "\n");
    if (!find_in(err, len, "zmq-owner: SUMMARY: ")) {
        /* No SUMMARY: every zmq-owner line the checker could write. */
        const char *last = summary;
        for (const char *p = summary; (p = strstr(p, "zmq-owner:")); p++)
            last = p;
        stop = last + strcspn(last, "\n");
    }
    *report = dup_span(start, (size_t)(stop - start));
    return true;
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
    const char *s = strstr(found, "sent="), *r = strstr(found, "received=");
    size_t linelen = strcspn(found, "\n");
    if (s && r && s < found + linelen && r < found + linelen) {
        *sent = atoll(s + 5);
        *received = atoll(r + 9);
    }
    return true;
}

/* The signals a libzmq or CPython failure raises by itself. Anything else
 * (SIGKILL, SIGTERM, SIGINT, SIGHUP...) came from outside the program. */
bool zr_signal_is_symptom(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGABRT || sig == SIGTRAP ||
           sig == SIGSYS;
}

static void set(struct zr_verdict *v, const char *outcome, char *signature)
{
    snprintf(v->outcome, sizeof v->outcome, "%s", outcome);
    free(v->signature);
    v->signature = signature ? signature : zr_strdup_printf("%s", "");
}

static char *signal_name(int sig)
{
    const char *name = sigabbrev_np(sig);
    return zr_strdup_printf("SIG%s", name ? name : "?");
}

static char *last_line_of(const char *text)
{
    char last[400];
    zr_last_line(text, last, sizeof last);
    return zr_strdup_printf("%s", last);
}

/* The harness's own failures: never a reproduction. True when it is one. */
static bool harness_failure(const struct zr_run_output *run, bool done, struct zr_verdict *v)
{
    const char *err = run->err ? run->err : "";
    const struct zr_server_view *s = run->server;
    if (run->harness_error) {
        set(v, "ERROR", zr_strdup_printf("%s", run->harness_error));
        return true;
    }
    if (s && s->present && (s->died || s->stalled)) {
        char *last = last_line_of(s->err_text);
        set(v, "ERROR", zr_strdup_printf("the ROUTER server %s during the attempt%s%s: not a verdict on the client",
                                         s->how ? s->how : "failed", *last ? ": " : "", last));
        free(last);
        v->report = s->err_text && *s->err_text ? dup_span(s->err_text, strlen(s->err_text)) : NULL;
        return true;
    }
    const char *setup = strstr(err, "SETUP-ERROR:");
    const char *tsan_fatal = strstr(err, "FATAL: ThreadSanitizer");
    if (setup || tsan_fatal || (run->exited && run->exit_code == 127 && !done)) {
        const char *line = setup ? setup : tsan_fatal ? tsan_fatal : NULL;
        if (line)
            set(v, "ERROR", zr_strdup_printf("%.*s", (int)strcspn(line, "\n"), line));
        else {
            char *last = last_line_of(err);
            set(v, "ERROR", zr_strdup_printf("the client could not be started (exit 127)%s%s", *last ? ": " : "", last));
            free(last);
        }
        v->report = *err ? dup_span(err, strlen(err)) : NULL;
        return true;
    }
    if (!run->exited && !run->timed_out && !run->stalled && !zr_signal_is_symptom(run->signal)) {
        char *name = signal_name(run->signal);
        set(v, "ERROR", zr_strdup_printf("the client was killed from outside by %s: not a symptom libzmq can raise", name));
        free(name);
        return true;
    }
    return false;
}

/* The server has taken every request and answered each (or holds it on
 * schedule in delay mode): a client waiting for a reply waits for nothing. */
static bool server_answered_all(const struct zr_server_view *s)
{
    return !s || !s->present || s->received < 0 || s->received == s->replied + s->unroutable + s->held;
}

static void classify_tsan(const char *err, size_t len, struct zr_verdict *v, bool *found)
{
    struct zr_tsan_report *r = calloc(1, sizeof *r);
    char *text = zr_strdup_printf("%.*s", (int)len, err);
    *found = r && zr_tsan_parse(text, 0, r) == 1;
    if (!*found) {
        free(r);
        free(text);
        return;
    }
    char *sig = zr_tsan_signature_dup(r);
    set(v, "TSAN", sig ? zr_utf8_sanitize(sig, strlen(sig)) : zr_strdup_printf("%s", r->kind));
    free(sig);
    /* The symptom keeps the kind and the functions; the location keeps file:line. */
    char *symptom = zr_strdup_printf("%s", r->kind), *location = NULL;
    for (int i = 0; i < r->naccesses; i++) {
        const struct zr_frame *top = zr_stack_top(&r->accesses[i]);
        const char *base = top && top->file ? strrchr(top->file, '/') : NULL;
        base = base ? base + 1 : top ? top->file : NULL;
        char *s2 = zr_strdup_printf("%s%s%s", symptom, i ? " | " : " ", top ? top->func : "?");
        char *l2 = zr_strdup_printf("%s%s%s:%d", location ? location : "", location ? " | " : "", base ? base : "?",
                                    top ? top->line : 0);
        free(symptom);
        free(location);
        symptom = s2;
        location = l2;
    }
    v->symptom = zr_utf8_sanitize(symptom, strlen(symptom));
    v->location = location ? zr_utf8_sanitize(location, strlen(location)) : NULL;
    free(symptom);
    free(location);
    v->libzmq_internal = zr_tsan_libzmq_internal(r);
    v->report = dup_span(text + r->start, r->end - r->start);
    v->diagnosis = zr_diagnose_tsan(r, text + r->end);
    v->tsan = r;
    free(text);
}

/* The watchdog fired on a program that was still making progress: the
 * harness's limit was too short for this machine's load. Never a
 * reproduction, never "not fixed". */
static void classify_timeout(const struct zr_run_output *run, struct zr_verdict *v)
{
    set(v, "TIMEOUT", zr_strdup_printf("the watchdog fired while the program was still making progress (%s): the "
                                       "harness's limit is too short for this machine's load, not a hang; raise it "
                                       "with --timeout or ZR_TIMEOUT_MULTIPLIER",
                                       run->progress_note ? run->progress_note : "it moved"));
    v->symptom = zr_strdup_printf("the watchdog fired while the program was still making progress");
}

static void classify_hang(const struct zr_run_output *run, struct zr_verdict *v)
{
    const char *err = run->err ? run->err : "";
    size_t nerr = strlen(err);
    char *native = NULL, *calls = NULL;
    /* Every process of the tree, only its threads that wait with no deadline. */
    if (run->stacks)
        zr_tree_hang_signature(run->stacks, &native, &calls);
    /* faulthandler's dump follows the harness's SIGABRT: after err_before_hang. */
    const char *after = err + (run->err_before_hang <= nerr ? run->err_before_hang : nerr);
    char *python = run->stacks ? zr_tree_python_summary(after, run->stacks) : zr_python_hang_summary(after);
    if (!native) {
        v->stacks_missing = true;
        native = zr_strdup_printf("stacks not taken: %s", run->stacks_error ? run->stacks_error : "unknown");
    }
    set(v, "HANG", python ? zr_strdup_printf("%s || py %s", native, python) : zr_strdup_printf("%s", native));
    /* The symptom names the calls, the same on every build; the location is
     * the chain inside libzmq, which only a build with symbols shows. */
    if (calls) {
        v->symptom = python ? zr_strdup_printf("%s || py %s", calls, python) : zr_strdup_printf("%s", calls);
        if (strcmp(calls, native))
            v->location = zr_strdup_printf("%s", native);
    }
    free(native);
    free(calls);
    free(python);
    /* Said of the server only when there is one. */
    char *how = run->stalled ? zr_strdup_printf("no progress: every thread of every process of the program waiting "
                                                "with no deadline, no CPU used%s",
                                                run->server ? ", the server idle with every request answered" : "")
                             : zr_strdup_printf("the watchdog fired, the program making no progress%s%s",
                                                run->progress_note ? ": " : "",
                                                run->progress_note ? run->progress_note : "");
    const char *stacks = run->stacks ? run->stacks : "";
    size_t ntail = strlen(after) > STDERR_TAIL_MAX ? STDERR_TAIL_MAX : strlen(after);
    const char *tail = after + strlen(after) - ntail;
    char *report = zr_strdup_printf("%s\n%.*s%s%s", how, REPORT_MAX, stacks,
                                    *tail ? "\n--- stderr after the hang (Python stacks from faulthandler) ---\n" : "",
                                    tail);
    v->report = zr_utf8_sanitize(report, strlen(report));
    v->diagnosis = zr_diagnose_hang(v->signature, run->server && server_answered_all(run->server));
    free(report);
    free(how);
}

/* Processes of the client's tree still alive after it ended: said in the
 * diagnosis and the report whatever the outcome (the harness killed them). */
static void note_left_behind(const char *left_behind, struct zr_verdict *v)
{
    char *note = zr_strdup_printf("left behind: %s, still running after the client ended (killed by the harness)",
                                  left_behind);
    char *d = v->diagnosis ? zr_strdup_printf("%s\n%s", v->diagnosis, note) : zr_strdup_printf("%s", note);
    free(v->diagnosis);
    v->diagnosis = d;
    char *r = v->report ? zr_strdup_printf("%s\n%s", v->report, note) : zr_strdup_printf("%s", note);
    free(v->report);
    v->report = r;
    free(note);
}

char *zr_output_tail(const char *text, int max_lines, size_t max_bytes)
{
    size_t n = text ? strlen(text) : 0;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    size_t start = n;
    for (int lines = 0; start > 0 && n - start < max_bytes; start--)
        if (text[start - 1] == '\n' && ++lines == max_lines)
            break;
    if (n - start > max_bytes)
        start = n - max_bytes;
    /* A cut inside a UTF-8 character moves to the character's end. */
    while (start < n && ((unsigned char)text[start] & 0xC0) == 0x80)
        start++;
    return zr_utf8_sanitize(text ? text + start : "", n - start);
}

/* A non-zero exit (or, under the DONE contract, an exit 0 without DONE):
 * what the user needs to act on is the end of both outputs, kept as the
 * report (and so in the result file). */
static void classify_exit(const struct zr_run_output *run, const char *out, const char *err, struct zr_verdict *v)
{
    char *last = last_line_of(err);
    if (run->exit_code == 0)
        set(v, "EXIT", zr_strdup_printf("exit 0 without DONE%s%s", *last ? ": " : "", last));
    else
        set(v, "EXIT", zr_strdup_printf("exit %d%s%s", run->exit_code, *last ? ": " : "", last));
    free(last);
    char *out_tail = zr_output_tail(out, OUTPUT_TAIL_LINES, OUTPUT_TAIL_MAX);
    char *err_tail = zr_output_tail(err, OUTPUT_TAIL_LINES, OUTPUT_TAIL_MAX);
    if (*out_tail || *err_tail)
        v->report = zr_strdup_printf("--- stdout (last lines) ---\n%s\n--- stderr (last lines) ---\n%s\n",
                                     *out_tail ? out_tail : "(nothing)", *err_tail ? err_tail : "(nothing)");
    free(out_tail);
    free(err_tail);
}

/* The owner checker's report: its outcome, the socket type and calls, and
 * after the checker's abort, faulthandler's script lines. */
static void classify_owner(const char *err, const char *outcome, char *sig, char *report, struct zr_verdict *v)
{
    set(v, outcome, sig);
    v->report = report;
    /* The symptom names the socket type and the calls; the callers (for
     * pyzmq, offsets in its stripped modules) are where, in this build. */
    v->symptom = zr_strdup_printf("%s", sig);
    for (char *open = strstr(v->symptom, " ("); open; open = strstr(open, " (")) {
        char *close = strchr(open, ')');
        if (!close)
            break;
        memmove(open, close + 1, strlen(close + 1) + 1);
    }
    v->location = zr_strdup_printf("%s", sig);
    const char *after = strstr(err, "zmq-owner: SUMMARY: ");
    char *python = after ? zr_python_hang_summary(after) : NULL;
    char *diagnosis = zr_diagnose_owner(outcome, sig);
    v->diagnosis = python ? zr_strdup_printf("%s\n  Python threads at the report: %s", diagnosis, python) : diagnosis;
    if (python)
        free(diagnosis);
    free(python);
}

/* A report of a runtime in what the program printed before the harness
 * stepped in (evidence bytes of err). A report counts only where the
 * runtime that prints it was loaded; the rest is the program's own text.
 * True when one decided the verdict. */
static bool classify_reports(const struct zr_run_output *run, const char *err, size_t evidence, struct zr_verdict *v)
{
    bool found = false;
    if (!run->tsan_absent)
        classify_tsan(err, evidence, v, &found);
    if (found)
        return true;
    char owner[24];
    char *sig = NULL, *symptom = NULL, *location = NULL, *report = NULL;
    if (!run->owner_absent && zr_find_owner_report(err, evidence, owner, &sig, &report)) {
        classify_owner(err, owner, sig, report, v);
        return true;
    }
    /* libzmq's assertion ends the process with abort(): its line alone is no evidence. */
    bool aborted = !run->exited && run->signal == SIGABRT && !run->timed_out && !run->stalled;
    if (aborted && zr_find_libzmq_abort(err, evidence, &sig, &symptom, &location)) {
        set(v, "ASSERT", sig);
        v->symptom = symptom;
        v->location = location;
        v->report = dup_span(err, evidence);
        v->diagnosis = zr_diagnose_assertion(symptom);
        return true;
    }
    if (!run->python_absent && zr_find_fatal_python(err, evidence, &sig)) {
        set(v, "FATAL_PYTHON", sig);
        v->report = dup_span(err, evidence);
        return true;
    }
    return false;
}

/* A client the harness stopped: the watchdog on a program still moving
 * (TIMEOUT), a server fault, or a hang. */
static void classify_stopped(const struct zr_run_output *run, struct zr_verdict *v)
{
    if (run->timed_out && run->progressing) {
        classify_timeout(run, v);
        return;
    }
    if (!server_answered_all(run->server)) {
        const struct zr_server_view *s = run->server;
        set(v, "ERROR", zr_strdup_printf("the client stopped while the ROUTER server had not answered %lld of %lld "
                                         "requests: a server fault, not a lost wake-up",
                                         s->received - s->replied - s->unroutable - s->held, s->received));
        return;
    }
    classify_hang(run, v);
}

/* A finish with exit 0 (and DONE, under the cases' contract): LOSS, NOISE or CLEAN. */
static void classify_finished(const struct zr_run_output *run, const char *err, struct zr_verdict *v)
{
    if (v->sent >= 0 && v->received < v->sent) {
        if (!server_answered_all(run->server)) {
            set(v, "ERROR", zr_strdup_printf("replies were missing but the ROUTER server had not answered every "
                                             "request it received: a server fault"));
            return;
        }
        set(v, "LOSS", zr_strdup_printf("sent=%lld received=%lld", v->sent, v->received));
        v->symptom = zr_strdup_printf("fewer replies than requests");
        return;
    }
    if (*err) {
        set(v, "NOISE", zr_strdup_printf("%.*s", (int)strcspn(err, "\n"), err));
        v->report = dup_span(err, strlen(err));
        return;
    }
    set(v, "CLEAN", NULL);
}

void zr_classify(const struct zr_run_output *run, struct zr_verdict *v)
{
    memset(v, 0, sizeof *v);
    const char *err = run->err ? run->err : "";
    const char *out = run->out ? run->out : "";
    size_t nerr = strlen(err);
    /* Only what the client printed before the harness stepped in is evidence. */
    size_t evidence = (run->timed_out || run->stalled) && run->err_before_hang < nerr ? run->err_before_hang : nerr;
    /* DONE and its accounting are read only under the cases' contract. */
    bool done = zr_find_done(out, &v->sent, &v->received);
    if (run->judged_by_exit)
        v->sent = v->received = -1;

    /* The harness's own failures first, then the runtimes' reports, then how the run ended. */
    if (!harness_failure(run, done, v) && !classify_reports(run, err, evidence, v)) {
        if (run->timed_out || run->stalled)
            classify_stopped(run, v);
        else if (!run->exited) {
            set(v, "SIGNAL", signal_name(run->signal));
            v->report = *err ? dup_span(err, nerr) : NULL;
        } else if (run->exit_code == 0 && (done || run->judged_by_exit))
            /* Without the DONE contract a correct program needs to print nothing: exit 0 is its finish. */
            classify_finished(run, err, v);
        else
            classify_exit(run, out, err, v);
    }

    if (run->left_behind)
        note_left_behind(run->left_behind, v);
    if (!v->signature)
        v->signature = zr_strdup_printf("%s", "");
    if (!v->symptom)
        v->symptom = zr_strdup_printf("%s", v->signature);
    /* A program's own line can be 100 MB: what is kept of it is capped like a report. */
    cap(&v->signature, SIGNATURE_MAX);
    cap(&v->symptom, SIGNATURE_MAX);
    cap(&v->location, SIGNATURE_MAX);
    cap(&v->diagnosis, REPORT_MAX);
}

void zr_verdict_free(struct zr_verdict *v)
{
    free(v->signature);
    free(v->symptom);
    free(v->location);
    free(v->report);
    free(v->diagnosis);
    if (v->tsan) {
        zr_tsan_report_free(v->tsan);
        free(v->tsan);
    }
    memset(v, 0, sizeof *v);
}

bool zr_expectation_met(const struct zr_expect_list *list, const struct zr_verdict *v)
{
    for (int i = 0; i < list->n; i++) {
        const struct zr_expectation *e = &list->items[i];
        if (strcmp(e->outcome, v->outcome))
            continue;
        if (!e->text)
            return true;
        if (!strcmp(e->outcome, "TSAN") ? v->tsan && zr_tsan_matches(v->tsan, e->text)
                                        : strstr(v->signature, e->text) != NULL)
            return true;
    }
    return false;
}

bool zr_expectation_undecidable(const struct zr_expect_list *list, const struct zr_verdict *v)
{
    if (strcmp(v->outcome, "HANG") || !v->stacks_missing)
        return false;
    for (int i = 0; i < list->n; i++)
        if (!strcmp(list->items[i].outcome, "HANG") && list->items[i].text)
            return true;
    return false;
}
