#include "open_sockets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "process.h"
#include "text.h"

#define MAX_WORDS 40
#define MAX_CONTEXTS 64

/* One line split into its event and key=value words, values decoded. */
struct log_line {
    char buf[4096];
    const char *event;
    const char *keys[MAX_WORDS];
    const char *values[MAX_WORDS];
    int nwords;
};

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX in place ("%00" alone is the empty value). */
static void unescape(char *s)
{
    char *out = s;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (p[0] == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0) {
            if (hi || lo)
                *out++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

static void split_line(const char *start, size_t len, struct log_line *l)
{
    if (len >= sizeof l->buf)
        len = sizeof l->buf - 1;
    memcpy(l->buf, start, len);
    l->buf[len] = '\0';
    l->nwords = 0;
    char *save = NULL;
    l->event = strtok_r(l->buf, " ", &save);
    for (char *w; l->event && l->nwords < MAX_WORDS && (w = strtok_r(NULL, " ", &save));) {
        char *eq = strchr(w, '=');
        if (!eq)
            continue;
        *eq = '\0';
        unescape(eq + 1);
        l->keys[l->nwords] = w;
        l->values[l->nwords++] = eq + 1;
    }
}

static const char *get(const struct log_line *l, const char *key)
{
    for (int i = 0; i < l->nwords; i++)
        if (!strcmp(l->keys[i], key))
            return l->values[i];
    return NULL;
}

static long get_long(const struct log_line *l, const char *key, long otherwise)
{
    const char *v = get(l, key);
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end ? n : otherwise;
}

static void copy_field(char *to, size_t size, const struct log_line *l, const char *key)
{
    const char *v = get(l, key);
    zr_copy(to, size, v ? v : "");
}

/* Everything read so far of one process. */
struct log_state {
    struct zr_logged_socket *sockets;
    int nsockets, cap;
    struct {
        char ctx[24];
        int blocky;
    } contexts[MAX_CONTEXTS];
    int ncontexts;
    const char *term_line; /* the last TERM without its TERM_DONE, in the log's text */
    size_t term_len;
    char term_ctx[24];
    bool term_pending;
    bool untracked;
};

/* The newest socket of that address (closed ones too when any), or NULL. */
static struct zr_logged_socket *find_socket(struct log_state *st, const char *sock, bool open_only)
{
    for (int i = st->nsockets - 1; i >= 0; i--)
        if (!strcmp(st->sockets[i].sock, sock))
            return open_only && st->sockets[i].closed ? NULL : &st->sockets[i];
    return NULL;
}

static int context_blocky(const struct log_state *st, const char *ctx)
{
    for (int i = 0; i < st->ncontexts; i++)
        if (!strcmp(st->contexts[i].ctx, ctx))
            return st->contexts[i].blocky;
    return 1;
}

static void set_context_blocky(struct log_state *st, const char *ctx, int blocky)
{
    int i = 0;
    while (i < st->ncontexts && strcmp(st->contexts[i].ctx, ctx))
        i++;
    if (i == MAX_CONTEXTS)
        return;
    zr_copy(st->contexts[i].ctx, sizeof st->contexts[i].ctx, ctx);
    st->contexts[i].blocky = blocky;
    if (i == st->ncontexts)
        st->ncontexts++;
}

static int add_socket(struct log_state *st, const struct log_line *l)
{
    const char *sock = get(l, "sock");
    struct zr_logged_socket *old = sock ? find_socket(st, sock, true) : NULL;
    if (old)
        old->closed = true; /* its CLOSE line is missing: libzmq reused the address */
    if (st->nsockets == st->cap) {
        int cap = st->cap ? st->cap * 2 : 16;
        void *more = realloc(st->sockets, (size_t)cap * sizeof *st->sockets);
        if (!more)
            return -1;
        st->sockets = more;
        st->cap = cap;
    }
    struct zr_logged_socket *s = &st->sockets[st->nsockets++];
    memset(s, 0, sizeof *s);
    copy_field(s->sock, sizeof s->sock, l, "sock");
    copy_field(s->ctx, sizeof s->ctx, l, "ctx");
    copy_field(s->type, sizeof s->type, l, "type");
    s->tid = get_long(l, "tid", 0);
    copy_field(s->thread, sizeof s->thread, l, get(l, "py_thread") ? "py_thread" : "thread");
    copy_field(s->module, sizeof s->module, l, "module");
    copy_field(s->offset, sizeof s->offset, l, "offset");
    copy_field(s->symbol, sizeof s->symbol, l, "symbol");
    copy_field(s->py_file, sizeof s->py_file, l, "py_file");
    s->py_line = (int)get_long(l, "py_line", 0);
    s->linger = context_blocky(st, s->ctx) ? -1 : 0;
    s->sent = get_long(l, "tracked", 1) == 0 ? -1 : 0;
    if (s->sent < 0)
        st->untracked = true;
    return 0;
}

static void on_socket_event(struct log_state *st, const struct log_line *l)
{
    const char *sock = get(l, "sock");
    if (!sock)
        return;
    if (!strcmp(l->event, "CLOSE_FAILED")) {
        struct zr_logged_socket *s = find_socket(st, sock, false);
        if (s)
            s->closed = false;
        return;
    }
    struct zr_logged_socket *s = find_socket(st, sock, true);
    if (!s)
        return;
    if (!strcmp(l->event, "LINGER")) {
        s->linger = (int)get_long(l, "value", s->linger);
        s->linger_set = true;
    } else if (!strcmp(l->event, "CONNECT") || !strcmp(l->event, "BIND")) {
        if (s->nendpoints < ZR_SOCKET_ENDPOINTS)
            copy_field(s->endpoints[s->nendpoints], sizeof s->endpoints[0], l, "endpoint");
        s->nendpoints++;
    } else if (!strcmp(l->event, "SENT")) {
        long n = get_long(l, "n", -1);
        if (n > s->sent)
            s->sent = n;
    } else if (!strcmp(l->event, "CLOSE")) {
        long n = get_long(l, "n", -1);
        if (n > s->sent)
            s->sent = n;
        s->closed = true;
        s->closed_by = get_long(l, "tid", 0);
    }
}

static int read_line(struct log_state *st, const struct log_line *l, const char *text, size_t len)
{
    if (!strcmp(l->event, "SOCKET"))
        return add_socket(st, l);
    if (!strcmp(l->event, "TERM")) {
        st->term_line = text;
        st->term_len = len;
        copy_field(st->term_ctx, sizeof st->term_ctx, l, "ctx");
        st->term_pending = true;
    } else if (!strcmp(l->event, "TERM_DONE")) {
        const char *ctx = get(l, "ctx");
        if (st->term_pending && ctx && !strcmp(ctx, st->term_ctx))
            st->term_pending = false;
    } else if (!strcmp(l->event, "BLOCKY")) {
        const char *ctx = get(l, "ctx");
        if (ctx)
            set_context_blocky(st, ctx, (int)get_long(l, "value", 1) != 0);
    } else {
        on_socket_event(st, l);
    }
    return 0;
}

/* The sockets of the pending term's context it waits for: open ones, and
 * closed ones that sent with LINGER -1 (libzmq #2586). */
static int collect_waits(struct log_state *st, struct log_line *t, struct zr_term_wait *w)
{
    split_line(st->term_line, st->term_len, t);
    copy_field(w->ctx, sizeof w->ctx, t, "ctx");
    copy_field(w->call, sizeof w->call, t, "call");
    copy_field(w->thread, sizeof w->thread, t, "thread");
    w->tid = get_long(t, "tid", 0);
    w->untracked = st->untracked;
    w->open = calloc((size_t)st->nsockets + 1, sizeof *w->open);
    w->lingering = calloc((size_t)st->nsockets + 1, sizeof *w->lingering);
    if (!w->open || !w->lingering)
        return -1;
    for (int i = 0; i < st->nsockets; i++) {
        const struct zr_logged_socket *s = &st->sockets[i];
        if (strcmp(s->ctx, w->ctx))
            continue;
        if (!s->closed)
            w->open[w->nopen++] = *s;
        else if (s->linger < 0 && s->sent != 0 && s->nendpoints > 0)
            w->lingering[w->nlingering++] = *s;
    }
    return 0;
}

int zr_open_sockets_parse(const char *log_text, long pid, struct zr_term_wait *w)
{
    memset(w, 0, sizeof *w);
    if (!log_text)
        return 0;
    struct log_state *st = calloc(1, sizeof *st);
    struct log_line *l = malloc(sizeof *l);
    int rc = st && l ? 0 : -1;
    for (const char *p = log_text; rc == 0 && *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break; /* a line still being written */
        split_line(p, (size_t)(nl - p), l);
        if (l->event && get_long(l, "pid", -1) == pid)
            rc = read_line(st, l, p, (size_t)(nl - p));
        p = nl + 1;
    }
    if (rc == 0 && st->term_pending)
        rc = collect_waits(st, l, w) == 0 ? 1 : -1;
    if (rc < 0)
        zr_term_wait_free(w);
    if (st)
        free(st->sockets);
    free(st);
    free(l);
    return rc;
}

char *zr_sockets_log_path(const char *workdir)
{
    return zr_strdup_printf("%s/sockets.log", workdir);
}

void zr_term_wait_free(struct zr_term_wait *w)
{
    free(w->open);
    free(w->lingering);
    w->open = w->lingering = NULL;
    w->nopen = w->nlingering = 0;
}

/* --- Where each socket was made ------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* eu-addr2line beside eu-stack (the build's stack tool), else on PATH. */
static const char *addr2line_tool(void)
{
    static char tool[1024];
    const char *slash = strrchr(ZR_STACK_TOOL, '/');
    snprintf(tool, sizeof tool, "%.*s/eu-addr2line", slash ? (int)(slash - ZR_STACK_TOOL) : 0, ZR_STACK_TOOL);
    if (slash && access(tool, X_OK) == 0)
        return tool;
    return access("/usr/bin/eu-addr2line", X_OK) == 0 ? "/usr/bin/eu-addr2line" : NULL;
}

/* "client.c:30 (main)" from `eu-addr2line -f -C -e MODULE OFFSET`, or false. */
static bool addr2line(const char *module, const char *offset, char *site, size_t size)
{
    const char *tool = addr2line_tool();
    int fds[2];
    if (!tool || !module[0] || !offset[0] || access(module, R_OK) != 0 || pipe(fds) != 0)
        return false;
    char *argv[] = { (char *)tool, "-f", "-C", "-e", (char *)module, (char *)offset, NULL };
    struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_FD(fds[1]), .err = ZR_OUTPUT_NULL };
    char err[256];
    int rc = zr_run_to_end(&s, 10.0, err, sizeof err);
    close(fds[1]);
    char out[4096];
    ssize_t n = rc == 0 ? read(fds[0], out, sizeof out - 1) : -1; /* a few lines: within the pipe's buffer */
    close(fds[0]);
    if (n <= 0)
        return false;
    out[n] = '\0';
    char *save = NULL;
    char *func = strtok_r(out, "\n", &save), *line = strtok_r(NULL, "\n", &save);
    if (!func || !line || !strncmp(line, "??", 2))
        return false;
    char *column = strrchr(line, ':');
    if (column && column > strchr(line, ':')) /* file:line:column */
        *column = '\0';
    snprintf(site, size, "%s (%s)", base_name(line), func);
    return true;
}

void zr_open_sockets_resolve(struct zr_term_wait *w)
{
    struct zr_logged_socket *lists[] = { w->open, w->lingering };
    int counts[] = { w->nopen, w->nlingering };
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < counts[k]; i++) {
            struct zr_logged_socket *s = &lists[k][i];
            if (s->py_file[0])
                snprintf(s->site, sizeof s->site, "%s:%d", base_name(s->py_file), s->py_line);
            else if (!strncmp(base_name(s->module), "libzmq_owner", 12))
                /* Preloaded before the probe (owner mode): the probe's caller is
                 * the checker's wrapper, and the program's line is not known. */
                snprintf(s->site, sizeof s->site, "an unknown line (the ownership checker's zmq_socket is "
                                                  "between the program and the probe)");
            else if (addr2line(s->module, s->offset, s->site, sizeof s->site))
                continue;
            else if (s->symbol[0])
                snprintf(s->site, sizeof s->site, "%s in %s", s->symbol, base_name(s->module));
            else if (s->module[0])
                snprintf(s->site, sizeof s->site, "%s+%s", base_name(s->module), s->offset);
            else
                snprintf(s->site, sizeof s->site, "an unknown place");
        }
    }
}
