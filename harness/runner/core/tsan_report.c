/* A structured parser of ThreadSanitizer reports: see tsan_report.h.
 *
 * The shapes handled were taken from real reports of gcc 12's libtsan.so.2
 * (harness/tests/fixtures/tsan_*.txt): races, use-after-free, thread leaks,
 * lock-order inversions, "[failed to restore the stack]", "As if
 * synchronized via sleep", pyzmq frames with no symbol, the deadly-signal
 * report, several reports in one stderr with other output between them. */
#include "tsan_report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char TSAN_MARK[] = "ThreadSanitizer: ";
static const char WARNING_WORD[] = "WARNING: ";
static const char ERROR_WORD[] = "ERROR: ";
static const char SUMMARY_MARK[] = "SUMMARY: ThreadSanitizer: ";
static const char SEPARATOR[] = "==================";
static const char DEADLY_SIGNAL[] = "ThreadSanitizer:DEADLYSIGNAL";
static const char UNRESTORED[] = "[failed to restore the stack]";

/* ---------------------------------------------------------------- text */

/* One line of the text: p[0..n) without its newline and trailing '\r';
 * next is the offset of the line after it. */
struct line {
    const char *p;
    size_t n;
    size_t start, next;
};

static bool read_line(const char *text, size_t pos, struct line *l)
{
    if (!text[pos])
        return false;
    const char *p = text + pos;
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    l->p = p;
    l->start = pos;
    l->next = pos + len + (nl ? 1 : 0);
    while (len > 0 && p[len - 1] == '\r')
        len--;
    l->n = len;
    return true;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static bool is_ident(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* The line without its leading and trailing blanks. */
static struct line trimmed(struct line l)
{
    while (l.n > 0 && is_blank(l.p[0])) {
        l.p++;
        l.n--;
    }
    while (l.n > 0 && is_blank(l.p[l.n - 1]))
        l.n--;
    return l;
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && !memcmp(s, prefix, k);
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && !memcmp(s + n - k, suffix, k);
}

static bool equals(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && !memcmp(s, word, n);
}

/* Where needle first occurs in s[0..n), or NULL (s need not be terminated). */
static const char *find_in(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (!memcmp(s + i, needle, k))
            return s + i;
    return NULL;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* "==12345==" at s: its length, 0 when s does not start with one; *pid gets N. */
static size_t pid_banner(const char *s, size_t n, long *pid)
{
    if (!starts_with(s, n, "==") || n < 5)
        return 0;
    size_t i = 2;
    long v = 0;
    while (i < n && is_digit(s[i]) && i < 20)
        v = v * 10 + (s[i++] - '0');
    if (i == 2 || i + 1 >= n || s[i] != '=' || s[i + 1] != '=')
        return 0;
    if (pid)
        *pid = v;
    return i + 2;
}

/* -------------------------------------------------------------- frames */

/* Skips a C++ operator's symbol: s[i..] is just past the word "operator".
 * "operator new", "operator delete[]", "operator()", "operator<<",
 * "operator->", "operator bool" (a conversion) all stay part of the name. */
static size_t skip_operator_symbol(const char *s, size_t n, size_t i)
{
    if (i + 1 < n && s[i] == '(' && s[i + 1] == ')')
        return i + 2;
    if (i + 1 < n && s[i] == '[' && s[i + 1] == ']')
        return i + 2;
    if (i < n && s[i] == ' ' && i + 1 < n && is_ident(s[i + 1])) {
        i++;
        while (i < n && is_ident(s[i]))
            i++;
        if (i + 1 < n && s[i] == '[' && s[i + 1] == ']')
            i += 2;
        return i;
    }
    size_t k = 0;
    while (i < n && k < 3 && strchr("<>=!+-*/%^&|~,", s[i])) {
        i++;
        k++;
    }
    return i;
}

/* The index of the ')' that closes the '(' at s[open], or n. */
static size_t matching_paren(const char *s, size_t n, size_t open)
{
    int depth = 0;
    for (size_t i = open; i < n; i++) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && --depth == 0)
            return i;
    }
    return n;
}

/* The function's name within a demangled signature: without the argument
 * list and what follows it (" const", " [clone .cold]"), without the return
 * type that templates print first ("void std::vector<..>::_M_realloc_insert<..>(..)"). */
static void function_name_span(const char *s, size_t n, size_t *begin, size_t *end)
{
    int paren = 0, angle = 0, brace = 0;
    size_t b = 0, e = n;
    size_t first_space = n;
    bool args = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool top = !paren && !angle && !brace;
        if (top && starts_with(s + i, n - i, "operator") && (i == 0 || !is_ident(s[i - 1])) &&
            (i + 8 == n || !is_ident(s[i + 8]))) {
            i = skip_operator_symbol(s, n, i + 8) - 1;
            continue;
        }
        if (top && starts_with(s + i, n - i, "(anonymous namespace)")) {
            i += strlen("(anonymous namespace)") - 1;
            continue;
        }
        if (top && c == '(' && i > b) {
            /* "foo()::{lambda()#1}::operator()": foo's list is a scope, not the arguments. */
            size_t close = matching_paren(s, n, i);
            if (close < n && starts_with(s + close + 1, n - close - 1, "::")) {
                i = close;
                continue;
            }
            e = i;
            args = true;
            break;
        }
        if (top && c == ' ') {
            if (first_space == n)
                first_space = i;
            b = i + 1; /* what came before was a return type */
            continue;
        }
        if (c == '(')
            paren++;
        else if (c == ')' && paren > 0)
            paren--;
        else if (c == '<')
            angle++;
        else if (c == '>' && angle > 0)
            angle--;
        else if (c == '{')
            brace++;
        else if (c == '}' && brace > 0)
            brace--;
    }
    if (!args) {
        /* No argument list: a C name, maybe with a suffix ("f [clone .cold]"). */
        b = 0;
        e = first_space;
    }
    if (b >= e) {
        b = 0;
        e = n;
    }
    *begin = b;
    *end = e;
}

/* Where the source location starts in "FUNC LOCATION": the first " /",
 * " ../" or " ./" after a balanced function (paths may hold spaces, and so
 * may functions: "std::function<void ()>::operator()() const"), else the
 * last word when it looks like "file:line". Returns n when there is none. */
static size_t location_start(const char *s, size_t n)
{
    int paren = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '(')
            paren++;
        else if (s[i] == ')' && paren > 0)
            paren--;
        if (i == 0 || s[i - 1] != ' ' || paren)
            continue;
        if (s[i] == '/' || starts_with(s + i, n - i, "../") || starts_with(s + i, n - i, "./"))
            return i;
    }
    size_t last = n;
    while (last > 0 && s[last - 1] != ' ')
        last--;
    if (last == 0)
        return n;
    const char *colon = NULL;
    for (size_t i = last; i < n; i++)
        if (s[i] == ':')
            colon = s + i;
    if (colon && colon + 1 < s + n && is_digit(colon[1]))
        return last;
    return n;
}

/* Cuts ":LINE" or ":LINE:COLUMN" off a location; returns LINE or 0. */
static int split_line_number(const char *s, size_t *n)
{
    long numbers[2] = { 0, 0 };
    int found = 0;
    while (found < 2) {
        size_t k = *n;
        while (k > 0 && is_digit(s[k - 1]))
            k--;
        if (k == *n || k == 0 || s[k - 1] != ':' || *n - k > 9)
            break;
        numbers[found++] = strtol(s + k, NULL, 10);
        *n = k - 1;
    }
    /* With two numbers the first one cut was the column. */
    return found == 2 ? (int)numbers[1] : found == 1 ? (int)numbers[0] : 0;
}

/* The module of " (libzmq.so.5+0x6442f)" at the end of s[0..*n): cut it
 * off and return its span through mb/mn; false when there is none. A
 * trailing " (BuildId: ..)" and " [inlined]" go first. */
static bool split_module(const char *s, size_t *n, size_t *mb, size_t *mn)
{
    for (;;) {
        while (*n > 0 && is_blank(s[*n - 1]))
            (*n)--;
        if (ends_with(s, *n, "[inlined]")) {
            *n -= strlen("[inlined]");
            continue;
        }
        if (*n == 0 || s[*n - 1] != ')')
            return false;
        /* The '(' that opens this last group. */
        size_t i = *n - 1;
        int depth = 0;
        for (;;) {
            if (s[i] == ')')
                depth++;
            else if (s[i] == '(' && --depth == 0)
                break;
            if (i == 0)
                return false;
            i--;
        }
        const char *c = s + i + 1;
        size_t cn = *n - 1 - (i + 1);
        if (starts_with(c, cn, "BuildId:")) {
            *n = i;
            continue;
        }
        if (i > 0 && s[i - 1] != ' ')
            return false;
        if (equals(c, cn, "<unknown module>")) {
            *n = i;
            *mn = 0;
            return true;
        }
        /* "NAME+0xHEX": the last "+0x" followed by hex digits only. */
        for (size_t k = cn; k >= 3; k--) {
            if (c[k - 3] == '+' && c[k - 2] == '0' && c[k - 1] == 'x') {
                bool hex = k < cn;
                for (size_t h = k; h < cn; h++)
                    hex = hex && is_hex(c[h]);
                if (!hex)
                    return false;
                *mb = (size_t)(c - s);
                *mn = k - 3;
                *n = i;
                return true;
            }
        }
        return false;
    }
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool has_prefix(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

enum zr_frame_origin zr_frame_origin_of(const char *module, const char *file)
{
    static const char *const runtime[] = {
        "libtsan", "libc.so", "libc-", "libstdc++", "libgcc_s", "ld-linux", "libpthread", "libm.so", "libdl.so", "librt.so",
        /* The harness's own preloads: the ownership checker wraps libzmq's calls. */
        "libzmq_owner", "libzr_loaded", NULL,
    };
    static const char *const binding[] = {
        "_zmq", "_device", "_poll", "socket.cpython", "context.cpython", "message.cpython", "utils.cpython",
        "error.cpython", "_proxy_steerable", "_version", NULL,
    };
    /* A runtime linked into the program (clang's default) has the program as
     * its module: its sources tell it apart. */
    if (file && (strstr(file, "/libsanitizer/") || strstr(file, "compiler-rt/lib/")))
        return ZR_FRAME_RUNTIME;
    if (!module)
        return ZR_FRAME_USER;
    const char *name = base_name(module);
    if (has_prefix(name, "libzmq.so"))
        return ZR_FRAME_LIBZMQ;
    for (int i = 0; runtime[i]; i++)
        if (has_prefix(name, runtime[i]))
            return ZR_FRAME_RUNTIME;
    if (has_prefix(name, "python3") || has_prefix(name, "libpython"))
        return ZR_FRAME_PYTHON;
    if (strstr(module, "zmq/backend/cython/"))
        return ZR_FRAME_BINDING;
    for (int i = 0; binding[i]; i++)
        if (has_prefix(name, binding[i]))
            return ZR_FRAME_BINDING;
    return ZR_FRAME_USER;
}

static void frame_free(struct zr_frame *f)
{
    free(f->func);
    free(f->file);
    free(f->module);
    memset(f, 0, sizeof *f);
}

/* Parses a frame line (trimmed, starting with '#'). Returns 0, or -1 on out of memory. */
static int parse_frame(const char *s, size_t n, struct zr_frame *f)
{
    memset(f, 0, sizeof *f);
    size_t i = 1;
    while (i < n && is_digit(s[i]))
        i++;
    while (i < n && is_blank(s[i]))
        i++;
    s += i;
    n -= i;
    /* "0x00007f.. in func ..." (the format of other sanitizers). */
    if (starts_with(s, n, "0x")) {
        size_t k = 2;
        while (k < n && is_hex(s[k]))
            k++;
        if (starts_with(s + k, n - k, " in ")) {
            s += k + 4;
            n -= k + 4;
        }
    }
    size_t mb = 0, mn = 0;
    if (split_module(s, &n, &mb, &mn) && mn) {
        if (!(f->module = dup_n(s + mb, mn)))
            return -1;
    }
    while (n > 0 && is_blank(s[n - 1]))
        n--;

    size_t func_n = n;
    if (ends_with(s, n, " <null>")) {
        func_n = n - strlen(" <null>");
    } else {
        size_t loc = location_start(s, n);
        if (loc < n) {
            size_t file_n = n - loc;
            f->line = split_line_number(s + loc, &file_n);
            if (!(f->file = dup_n(s + loc, file_n)))
                goto oom;
            func_n = loc;
        }
    }
    while (func_n > 0 && is_blank(s[func_n - 1]))
        func_n--;
    size_t b = 0, e = func_n;
    if (!equals(s, func_n, "<null>"))
        function_name_span(s, func_n, &b, &e);
    if (!(f->func = dup_n(s + b, e - b)))
        goto oom;
    f->origin = zr_frame_origin_of(f->module, f->file);
    return 0;
oom:
    frame_free(f);
    return -1;
}

static bool is_frame_line(struct line t)
{
    return t.n >= 2 && t.p[0] == '#' && is_digit(t.p[1]);
}

/* -------------------------------------------------------------- stacks */

static void stack_free(struct zr_stack *s)
{
    for (int i = 0; i < s->nframes; i++)
        frame_free(&s->frames[i]);
    free(s->frames);
    free(s->title);
    free(s->thread);
    free(s->thread_name);
    free(s->created_by);
    memset(s, 0, sizeof *s);
}

static int add_frame(struct zr_stack *s, int *cap, const struct zr_frame *f)
{
    if (s->nframes == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        struct zr_frame *nf = realloc(s->frames, (size_t)ncap * sizeof *nf);
        if (!nf)
            return -1;
        s->frames = nf;
        *cap = ncap;
    }
    s->frames[s->nframes++] = *f;
    return 0;
}

static enum zr_stack_role role_of_title(const char *t, size_t n)
{
    if (equals(t, n, "and:"))
        return ZR_STACK_ACCESS;
    if (starts_with(t, n, "Thread T") && find_in(t, n, "created"))
        return ZR_STACK_THREAD;
    if (starts_with(t, n, "Location is"))
        return ZR_STACK_LOCATION;
    if (starts_with(t, n, "Mutex M") && find_in(t, n, " acquired here while holding"))
        return ZR_STACK_ACQUIRE;
    if (starts_with(t, n, "Mutex M") && find_in(t, n, "previously acquired"))
        return ZR_STACK_HELD;
    if (starts_with(t, n, "Mutex M") && find_in(t, n, "created at"))
        return ZR_STACK_MUTEX;
    if (starts_with(t, n, "As if synchronized via sleep"))
        return ZR_STACK_SLEEP;
    /* "Read of size", "Previous write of size", "Atomic read of size",
     * "Previous atomic write of size", "Write of size N at .. by ..". */
    if (find_in(t, n, " of size ") && find_in(t, n, " at "))
        return ZR_STACK_ACCESS;
    return ZR_STACK_OTHER;
}

/* The length of "thread T12" or "main thread" at s, 0 when neither. */
static size_t thread_words(const char *s, size_t n)
{
    if (starts_with(s, n, "main thread"))
        return strlen("main thread");
    size_t k = strlen("thread T");
    if (!starts_with(s, n, "thread T"))
        return 0;
    while (k < n && is_digit(s[k]))
        k++;
    return k > strlen("thread T") ? k : 0;
}

/* *out gets "T12" for "thread T12" at s, "T0" for "main thread", NULL for
 * neither. Returns -1 on out of memory. */
static int thread_id_at(const char *s, size_t n, char **out)
{
    *out = NULL;
    size_t k = thread_words(s, n);
    if (!k)
        return 0;
    if (starts_with(s, n, "main thread"))
        *out = dup_n("T0", 2);
    else
        *out = dup_n(s + strlen("thread "), k - strlen("thread "));
    return *out ? 0 : -1;
}

/* *out gets the thread a title names after " by " or " in ": "by thread
 * T2", "by main thread", "in thread T1"; NULL when none. -1 on out of memory. */
static int thread_of_title(const char *t, size_t n, char **out)
{
    static const char *const leads[] = { " by ", " in ", NULL };
    *out = NULL;
    for (int l = 0; leads[l]; l++) {
        const char *p = t;
        size_t left = n;
        const char *hit;
        while ((hit = find_in(p, left, leads[l]))) {
            const char *after = hit + strlen(leads[l]);
            size_t rest = (size_t)(t + n - after);
            if (thread_words(after, rest))
                return thread_id_at(after, rest, out);
            left = rest;
            p = after;
        }
    }
    return 0;
}

/* "Thread T2 'ZMQbg/IO/0' (tid=24234, running) created by main thread at:" */
static int parse_thread_title(struct zr_stack *s, const char *t, size_t n)
{
    size_t k = strlen("Thread T");
    while (k < n && is_digit(t[k]))
        k++;
    if (!(s->thread = dup_n(t + strlen("Thread "), k - strlen("Thread "))))
        return -1;
    if (k + 1 < n && t[k] == ' ' && t[k + 1] == '\'') {
        const char *name = t + k + 2;
        const char *close = find_in(name, (size_t)(t + n - name), "' (");
        if (!close)
            close = find_in(name, (size_t)(t + n - name), "' created");
        if (close && !(s->thread_name = dup_n(name, (size_t)(close - name))))
            return -1;
    }
    const char *by = find_in(t, n, "created by ");
    if (by) {
        const char *after = by + strlen("created by ");
        return thread_id_at(after, (size_t)(t + n - after), &s->created_by);
    }
    return 0;
}

/* ------------------------------------------------------------- builder */

/* The report as it is read: stacks in the order printed, then split. */
struct builder {
    struct zr_tsan_report *r;
    struct zr_stack *stacks;
    bool *is_access;
    int nstacks, cap;
    int frame_cap;   /* capacity of the last stack's frames */
    bool open;       /* the last stack still takes frames */
    int capnotes;
};

/* Fills a titled stack's title, role and thread; prev is the stack printed
 * before it, or NULL. */
static int describe_stack(struct zr_stack *s, const struct zr_stack *prev, const char *title, size_t tn)
{
    if (!(s->title = dup_n(title, tn)))
        return -1;
    s->role = role_of_title(title, tn);
    if (s->role == ZR_STACK_THREAD)
        return parse_thread_title(s, title, tn);
    if (find_in(title, tn, "by the same thread")) {
        if (prev && prev->thread && !(s->thread = dup_n(prev->thread, strlen(prev->thread))))
            return -1;
        return 0;
    }
    return thread_of_title(title, tn, &s->thread);
}

/* Whether a stack is one of the bug's: an access, a mutex acquisition of an
 * inversion, the creation of a leaked thread. */
static bool is_bug_stack(const struct zr_tsan_report *r, const struct zr_stack *s)
{
    bool leak = r->kind && !strcmp(r->kind, "thread-leak");
    return s->role == ZR_STACK_ACCESS || s->role == ZR_STACK_ACQUIRE || (leak && s->role == ZR_STACK_THREAD);
}

/* Opens a new stack: titled, or (title NULL) the untitled stack that some
 * reports print right under the headline (signal-unsafe call, SEGV). */
static int new_stack(struct builder *b, const char *title, size_t tn)
{
    if (b->nstacks == b->cap) {
        int ncap = b->cap ? b->cap * 2 : 8;
        struct zr_stack *ns = realloc(b->stacks, (size_t)ncap * sizeof *ns);
        if (!ns)
            return -1;
        b->stacks = ns;
        bool *na = realloc(b->is_access, (size_t)ncap * sizeof *na);
        if (!na)
            return -1;
        b->is_access = na;
        b->cap = ncap;
    }
    struct zr_stack *s = &b->stacks[b->nstacks];
    memset(s, 0, sizeof *s);
    b->is_access[b->nstacks] = false;
    b->nstacks++;
    b->frame_cap = 0;
    b->open = true;
    s->role = ZR_STACK_ACCESS;
    if (title && describe_stack(s, b->nstacks > 1 ? &b->stacks[b->nstacks - 2] : NULL, title, tn))
        return -1;
    b->is_access[b->nstacks - 1] = is_bug_stack(b->r, s);
    return 0;
}

static int add_note(struct builder *b, const char *s, size_t n)
{
    struct zr_tsan_report *r = b->r;
    if (r->nnotes == b->capnotes) {
        int ncap = b->capnotes ? b->capnotes * 2 : 4;
        char **nn = realloc(r->notes, (size_t)ncap * sizeof *nn);
        if (!nn)
            return -1;
        r->notes = nn;
        b->capnotes = ncap;
    }
    if (!(r->notes[r->nnotes] = dup_n(s, n)))
        return -1;
    r->nnotes++;
    return 0;
}

/* Handles one line inside the report body (not a separator, headline or SUMMARY). */
static int body_line(struct builder *b, struct line l)
{
    struct line t = trimmed(l);
    if (t.n == 0) {
        b->open = false;
        return 0;
    }
    if (is_frame_line(t)) {
        if (!b->open && new_stack(b, NULL, 0))
            return -1;
        struct zr_frame f;
        if (parse_frame(t.p, t.n, &f))
            return -1;
        if (add_frame(&b->stacks[b->nstacks - 1], &b->frame_cap, &f)) {
            frame_free(&f);
            return -1;
        }
        return 0;
    }
    if (equals(t.p, t.n, UNRESTORED)) {
        if (!b->open && new_stack(b, NULL, 0))
            return -1;
        b->stacks[b->nstacks - 1].unrestored = true;
        return 0;
    }
    if (t.p[t.n - 1] == ':' && !pid_banner(t.p, t.n, NULL))
        return new_stack(b, t.p, t.n);
    /* "Location is global ..", "Cycle in lock order graph: ..", or other
     * output interleaved with the report: kept, and it does not end a stack. */
    return add_note(b, t.p, t.n);
}

/* Moves the stacks into r->accesses and r->other, in the order printed. */
static int split_stacks(struct builder *b)
{
    struct zr_tsan_report *r = b->r;
    int na = 0;
    for (int i = 0; i < b->nstacks; i++)
        na += b->is_access[i];
    int no = b->nstacks - na;
    r->accesses = na ? calloc((size_t)na, sizeof *r->accesses) : NULL;
    r->other = no ? calloc((size_t)no, sizeof *r->other) : NULL;
    if ((na && !r->accesses) || (no && !r->other))
        return -1;
    for (int i = 0; i < b->nstacks; i++) {
        if (b->is_access[i])
            r->accesses[r->naccesses++] = b->stacks[i];
        else
            r->other[r->nother++] = b->stacks[i];
    }
    b->nstacks = 0;
    return 0;
}

static void builder_free(struct builder *b)
{
    for (int i = 0; i < b->nstacks; i++)
        stack_free(&b->stacks[i]);
    free(b->stacks);
    free(b->is_access);
    b->stacks = NULL;
    b->is_access = NULL;
    b->nstacks = 0;
}

/* Access stacks get the name of their thread from its creation stack. */
static int name_access_threads(struct zr_tsan_report *r)
{
    for (int i = 0; i < r->naccesses; i++) {
        struct zr_stack *s = &r->accesses[i];
        if (!s->thread || s->thread_name)
            continue;
        const struct zr_stack *c = zr_tsan_thread_creation(r, s->thread);
        if (c && c->thread_name && !(s->thread_name = dup_n(c->thread_name, strlen(c->thread_name))))
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- kind */

/* Lower case, blanks and '_' to '-'. */
static char *normalised(const char *s, size_t n)
{
    char *k = dup_n(s, n);
    if (!k)
        return NULL;
    for (char *p = k; *p; p++)
        *p = (*p == ' ' || *p == '_' || *p == '\t') ? '-' : lower(*p);
    return k;
}

/* The kind of a WARNING report from its description ("data race",
 * "lock-order-inversion (potential deadlock)"): TSan's fixed phrases get
 * short names; anything else is lower-cased with '-' for blanks, without a
 * parenthesised suffix. */
static char *kind_of_description(const char *d, size_t n)
{
    static const struct {
        const char *printed, *kind;
    } known[] = {
        { "data race on vptr", "data-race-on-vptr" },
        { "signal-unsafe call inside of a signal", "signal-unsafe-call" },
        { "destroy of a locked mutex", "destroy-of-locked-mutex" },
        { "unlock of an unlocked mutex", "unlock-of-unlocked-mutex" },
        { "double lock of a mutex", "double-lock" },
        { "use of an invalid mutex", "use-of-invalid-mutex" },
        { "read lock of a write locked mutex", "read-lock-of-write-locked-mutex" },
        { "read unlock of a write locked mutex", "read-unlock-of-write-locked-mutex" },
        { "mutex held in the wrong context", "mutex-held-in-wrong-context" },
        { NULL, NULL },
    };
    /* Drop parenthesised suffixes: "(potential deadlock)", "(or by a wrong thread)". */
    while (n > 0) {
        while (n > 0 && is_blank(d[n - 1]))
            n--;
        if (n == 0 || d[n - 1] != ')')
            break;
        size_t open = n - 1;
        while (open > 0 && d[open] != '(')
            open--;
        if (d[open] != '(' || open == 0)
            break;
        n = open;
    }
    for (int i = 0; known[i].printed; i++)
        if (equals(d, n, known[i].printed))
            return dup_n(known[i].kind, strlen(known[i].kind));
    return normalised(d, n);
}

/* The kind of a deadly-signal report: the first word of its SUMMARY
 * ("SEGV /src/pipe.cpp:199 in .."), else of its description ("SEGV on
 * unknown address .."): "segv". */
static char *kind_of_error(const char *summary, const char *description)
{
    const char *s = summary ? summary : description;
    size_t n = 0;
    while (s[n] && !is_blank(s[n]) && s[n] != ':' && s[n] != '(')
        n++;
    return normalised(s, n ? n : strlen(s));
}

/* -------------------------------------------------------------- report */

void zr_tsan_report_free(struct zr_tsan_report *r)
{
    if (!r)
        return;
    free(r->kind);
    free(r->headline);
    for (int i = 0; i < r->naccesses; i++)
        stack_free(&r->accesses[i]);
    free(r->accesses);
    for (int i = 0; i < r->nother; i++)
        stack_free(&r->other[i]);
    free(r->other);
    for (int i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->notes);
    free(r->summary);
    memset(r, 0, sizeof *r);
    r->pid = -1;
}

/* Where a report begins at or after offset: the "WARNING: ThreadSanitizer: "
 * or "ERROR: ThreadSanitizer: " mark, anywhere in a line (another thread's
 * output may precede it on the same line). */
static const char *find_headline(const char *text, size_t offset, bool *is_error)
{
    for (const char *p = text + offset; (p = strstr(p, TSAN_MARK)); p++) {
        size_t before = (size_t)(p - (text + offset));
        size_t w = strlen(WARNING_WORD), e = strlen(ERROR_WORD);
        if (before >= w && !memcmp(p - w, WARNING_WORD, w)) {
            *is_error = false;
            return p - w;
        }
        if (before >= e && !memcmp(p - e, ERROR_WORD, e)) {
            *is_error = true;
            return p - e;
        }
    }
    return NULL;
}

static bool line_has_headline(struct line l)
{
    const char *p = l.p;
    size_t left = l.n;
    const char *hit;
    while ((hit = find_in(p, left, TSAN_MARK))) {
        size_t before = (size_t)(hit - l.p);
        size_t w = strlen(WARNING_WORD), e = strlen(ERROR_WORD);
        if ((before >= w && !memcmp(hit - w, WARNING_WORD, w)) || (before >= e && !memcmp(hit - e, ERROR_WORD, e)))
            return true;
        p = hit + 1;
        left = (size_t)(l.p + l.n - p);
    }
    return false;
}

static size_t line_start_of(const char *text, size_t offset, size_t pos)
{
    while (pos > offset && text[pos - 1] != '\n')
        pos--;
    return pos;
}

/* The span's start: the opening ===== line of a WARNING report, the
 * DEADLYSIGNAL line of a deadly-signal report, when right above the
 * headline's line (and not before offset). */
static size_t span_start(const char *text, size_t offset, size_t head, size_t head_line, bool is_error)
{
    size_t prefix = head - head_line;
    if (prefix && !(is_error && pid_banner(text + head_line, prefix, NULL) == prefix))
        return head; /* other output before the mark on its line */
    if (head_line == 0 || head_line <= offset)
        return head_line;
    size_t prev = line_start_of(text, offset, head_line - 1);
    struct line l;
    read_line(text, prev, &l);
    struct line t = trimmed(l);
    if (is_error ? equals(t.p, t.n, DEADLY_SIGNAL) : equals(t.p, t.n, SEPARATOR))
        return prev;
    return head_line;
}

/* The headline without " (pid=N)"; *pid gets N. */
static char *headline_without_pid(const char *s, size_t n, long *pid)
{
    const char *mark = find_in(s, n, " (pid=");
    if (!mark)
        return dup_n(s, n);
    const char *close = memchr(mark, ')', (size_t)(s + n - mark));
    if (!close) /* the text ends inside "(pid=N" */
        return dup_n(s, (size_t)(mark - s));
    *pid = strtol(mark + strlen(" (pid="), NULL, 10);
    size_t cut = (size_t)(mark - s), after = (size_t)(close + 1 - s);
    char *h = malloc(n - (after - cut) + 1);
    if (h) {
        memcpy(h, s, cut);
        memcpy(h + cut, s + after, n - after); /* what follows the pid: nothing, in TSan's reports */
        h[n - (after - cut)] = '\0';
    }
    return h;
}

/* What follows the headline's first prefix bytes ("WARNING: ThreadSanitizer: "),
 * or "" when it is shorter: "WARNING: ThreadSanitizer: (pid=1)" has no
 * description, the cut pid took the mark's last space. */
static const char *description_of(const char *headline, size_t prefix)
{
    size_t n = strlen(headline);
    return headline + (n < prefix ? n : prefix);
}

/* Fills headline, pid and (for WARNING reports) kind from the headline line. */
static int parse_headline(struct zr_tsan_report *r, const char *text, size_t head, size_t head_line, bool is_error)
{
    struct line l;
    read_line(text, head, &l);
    if (is_error)
        pid_banner(text + head_line, head - head_line, &r->pid);
    if (!(r->headline = headline_without_pid(l.p, l.n, &r->pid)))
        return -1;
    if (is_error)
        return 0;
    const char *d = description_of(r->headline, strlen(WARNING_WORD) + strlen(TSAN_MARK));
    return (r->kind = kind_of_description(d, strlen(d))) ? 0 : -1;
}

/* The line after SUMMARY that closes a report: ===== for a warning,
 * "==N==ABORTING" for a deadly signal. */
static bool is_closing_line(struct line l, bool is_error)
{
    struct line t = trimmed(l);
    if (!is_error)
        return equals(t.p, t.n, SEPARATOR);
    size_t k = pid_banner(t.p, t.n, NULL);
    return k && equals(t.p + k, t.n - k, "ABORTING");
}

/* Reads the body after the headline; sets r->end, r->summary, r->truncated. */
static int parse_body(struct builder *b, const char *text, size_t pos, bool is_error)
{
    struct zr_tsan_report *r = b->r;
    struct line l;
    while (read_line(text, pos, &l)) {
        struct line t = trimmed(l);
        if (equals(t.p, t.n, SEPARATOR) || is_closing_line(l, is_error)) {
            r->end = l.next;
            return 0;
        }
        if (line_has_headline(l)) {
            /* Another report began before this one was closed. */
            r->end = l.start;
            r->truncated = true;
            return 0;
        }
        if (starts_with(t.p, t.n, SUMMARY_MARK)) {
            if (!(r->summary = dup_n(t.p + strlen(SUMMARY_MARK), t.n - strlen(SUMMARY_MARK))))
                return -1;
            r->end = l.next;
            /* A SUMMARY line that ends the text without its newline may be cut. */
            r->truncated = !text[l.next] && (l.next == 0 || text[l.next - 1] != '\n');
            struct line after;
            if (read_line(text, l.next, &after) && is_closing_line(after, is_error))
                r->end = after.next;
            return 0;
        }
        if (body_line(b, l))
            return -1;
        pos = l.next;
    }
    r->end = pos;
    r->truncated = true;
    return 0;
}

int zr_tsan_parse(const char *text, size_t offset, struct zr_tsan_report *r)
{
    memset(r, 0, sizeof *r);
    r->pid = -1;
    if (!text)
        return 0;
    size_t len = strlen(text);
    if (offset >= len)
        return 0;
    bool is_error = false;
    const char *h = find_headline(text, offset, &is_error);
    if (!h)
        return 0;
    size_t head = (size_t)(h - text);
    size_t head_line = line_start_of(text, offset, head);
    r->start = span_start(text, offset, head, head_line, is_error);

    struct builder b = { .r = r };
    if (parse_headline(r, text, head, head_line, is_error))
        goto oom;
    struct line l;
    read_line(text, head, &l);
    if (parse_body(&b, text, l.next, is_error))
        goto oom;
    if (is_error) {
        const char *d = description_of(r->headline, strlen(ERROR_WORD) + strlen(TSAN_MARK));
        if (!(r->kind = kind_of_error(r->summary, d)))
            goto oom;
    }
    if (split_stacks(&b) || name_access_threads(r))
        goto oom;
    builder_free(&b);
    return 1;
oom:
    builder_free(&b);
    zr_tsan_report_free(r);
    return -1;
}

/* ------------------------------------------------------------- queries */

const struct zr_frame *zr_stack_top(const struct zr_stack *s)
{
    for (int i = 0; s && i < s->nframes; i++)
        if (s->frames[i].origin != ZR_FRAME_RUNTIME)
            return &s->frames[i];
    return NULL;
}

const struct zr_frame *zr_stack_first(const struct zr_stack *s, enum zr_frame_origin origin)
{
    for (int i = 0; s && i < s->nframes; i++)
        if (s->frames[i].origin == origin)
            return &s->frames[i];
    return NULL;
}

const struct zr_frame *zr_stack_api_call(const struct zr_stack *s)
{
    for (int i = s ? s->nframes - 1 : -1; i >= 0; i--)
        if (s->frames[i].origin == ZR_FRAME_LIBZMQ && has_prefix(s->frames[i].func, "zmq_"))
            return &s->frames[i];
    return NULL;
}

const struct zr_stack *zr_tsan_thread_creation(const struct zr_tsan_report *r, const char *thread)
{
    if (!thread)
        return NULL;
    for (int i = 0; i < r->nother; i++)
        if (r->other[i].role == ZR_STACK_THREAD && r->other[i].thread && !strcmp(r->other[i].thread, thread))
            return &r->other[i];
    for (int i = 0; i < r->naccesses; i++)
        if (r->accesses[i].role == ZR_STACK_THREAD && r->accesses[i].thread && !strcmp(r->accesses[i].thread, thread))
            return &r->accesses[i];
    return NULL;
}

/* A growing string; oom is set once an allocation failed. */
struct text_buf {
    char *p;
    size_t n, cap;
    bool oom;
};

static void tb_add(struct text_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n > SIZE_MAX / 2 - b->n) {
        b->oom = true;
        return;
    }
    if (!b->p || b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void tb_str(struct text_buf *b, const char *s) { tb_add(b, s, strlen(s)); }

static void tb_frame(struct text_buf *b, const struct zr_frame *f)
{
    if (!f) {
        tb_str(b, "?");
        return;
    }
    tb_str(b, f->func);
    if (f->file) {
        tb_str(b, " ");
        tb_str(b, base_name(f->file));
        if (f->line > 0) {
            char num[24];
            size_t k = sizeof num - 1;
            num[k] = '\0';
            for (unsigned v = (unsigned)f->line; v; v /= 10)
                num[--k] = (char)('0' + v % 10);
            tb_str(b, ":");
            tb_str(b, num + k);
        }
    } else if (f->module) {
        tb_str(b, " (");
        tb_str(b, f->module);
        tb_str(b, ")");
    }
}

char *zr_tsan_signature_dup(const struct zr_tsan_report *r)
{
    struct text_buf b = { 0 };
    tb_str(&b, r->kind ? r->kind : "?");
    for (int i = 0; i < r->naccesses; i++) {
        tb_str(&b, i ? " | " : " ");
        tb_frame(&b, zr_stack_top(&r->accesses[i]));
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

void zr_tsan_signature(const struct zr_tsan_report *r, char *buf, size_t len)
{
    if (!len)
        return;
    char *s = zr_tsan_signature_dup(r);
    const char *src = s ? s : (r->kind ? r->kind : "?");
    size_t n = strlen(src);
    if (n >= len)
        n = len - 1;
    memcpy(buf, src, n);
    buf[n] = '\0';
    free(s);
}

/* Whether kind equals the expectation's KIND (n chars), normalised as
 * the report's own kind: "data race", "Data-Race" and "data_race" are
 * "data-race"; "signal-unsafe call inside of a signal" is "signal-unsafe-call". */
static bool kind_equals(const char *kind, const char *want, size_t n)
{
    if (n == 1 && want[0] == '*')
        return true;
    if (!kind)
        return false;
    char *lowered = dup_n(want, n);
    if (!lowered)
        return false;
    for (char *p = lowered; *p; p++)
        *p = lower(*p);
    char *k = kind_of_description(lowered, n);
    bool same = k && !strcmp(k, kind);
    free(k);
    free(lowered);
    return same;
}

static bool origin_named(enum zr_frame_origin o, const char *name)
{
    static const char *const names[] = {
        [ZR_FRAME_USER] = "user", [ZR_FRAME_LIBZMQ] = "libzmq", [ZR_FRAME_RUNTIME] = "runtime",
        [ZR_FRAME_PYTHON] = "python", [ZR_FRAME_BINDING] = "binding",
    };
    return (unsigned)o < sizeof names / sizeof names[0] && !strcmp(names[o], name);
}

bool zr_tsan_matches(const struct zr_tsan_report *r, const char *expectation)
{
    if (!r || !expectation)
        return false;
    const char *colon = strchr(expectation, ':');
    const char *frame = NULL;
    size_t kind_n = strlen(expectation);
    if (colon && colon[1] == ':') {
        /* "zmq::mailbox_t": a frame alone. */
        frame = expectation;
        kind_n = 0;
    } else if (colon) {
        frame = colon + 1;
        kind_n = (size_t)(colon - expectation);
    }
    if (kind_n && !kind_equals(r->kind, expectation, kind_n))
        return false;
    if (!frame || !*frame)
        return true;
    for (int i = 0; i < r->naccesses; i++) {
        const struct zr_frame *top = zr_stack_top(&r->accesses[i]);
        if (!top)
            continue;
        if (frame[0] == '@' ? origin_named(top->origin, frame + 1) : has_prefix(top->func, frame))
            return true;
    }
    return false;
}

bool zr_tsan_kind_known(const char *want, size_t n)
{
    static const char *const kinds[] = {
        "data-race", "data-race-on-vptr", "heap-use-after-free", "thread-leak", "lock-order-inversion",
        "signal-unsafe-call", "signal-handler-spoils-errno", "destroy-of-locked-mutex", "unlock-of-unlocked-mutex",
        "double-lock", "use-of-invalid-mutex", "read-lock-of-write-locked-mutex",
        "read-unlock-of-write-locked-mutex", "mutex-held-in-wrong-context", "segv", "bus", "fpe", "ill", NULL,
    };
    if (n == 1 && want[0] == '*')
        return true;
    for (int i = 0; kinds[i]; i++)
        if (kind_equals(kinds[i], want, n))
            return true;
    return false;
}

static bool has_user_side_frame(const struct zr_stack *s)
{
    return zr_stack_first(s, ZR_FRAME_USER) || zr_stack_first(s, ZR_FRAME_PYTHON) || zr_stack_first(s, ZR_FRAME_BINDING);
}

bool zr_tsan_libzmq_internal(const struct zr_tsan_report *r)
{
    if (!r || r->naccesses == 0)
        return false;
    for (int i = 0; i < r->naccesses; i++) {
        const struct zr_stack *s = &r->accesses[i];
        if (s->nframes == 0 || has_user_side_frame(s))
            return false;
        const struct zr_stack *creation = zr_tsan_thread_creation(r, s->thread);
        const struct zr_frame *creator = creation ? zr_stack_top(creation) : NULL;
        if (!creator || creator->origin != ZR_FRAME_LIBZMQ)
            return false;
    }
    return true;
}
