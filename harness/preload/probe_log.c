/* The socket log's lines: see probe_log.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "probe_log.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char log_path[4096];

/* Read once, before main: the environment is not changed under us later. */
__attribute__((constructor)) static void read_log_path(void)
{
    const char *path = getenv("ZR_SOCKETS_LOG");
    if (!path || !path[0] || strlen(path) >= sizeof log_path)
        return;
    memcpy(log_path, path, strlen(path) + 1);
    probe_logging = 1;
}

int probe_logging;

/* TSan's entry points, looked up once; NULL without TSan. */
void (*probe_tsan_func_entry)(void *);
void (*probe_tsan_func_exit)(void);

__attribute__((constructor)) static void find_tsan(void)
{
    void (*entry)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "__tsan_func_entry");
    void (*leave)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__tsan_func_exit");
    if (entry && leave) {
        probe_tsan_func_entry = entry;
        probe_tsan_func_exit = leave;
    }
}

static void append(struct probe_line *l, const char *s, size_t n)
{
    size_t room = sizeof l->text - 1 - l->len; /* one byte kept for the newline */
    if (n > room) {
        n = room;
        l->truncated = 1;
    }
    memcpy(l->text + l->len, s, n);
    l->len += n;
}

void probe_line_start(struct probe_line *l, const char *event)
{
    l->len = 0;
    l->truncated = 0;
    append(l, event, strlen(event));
    probe_line_add(l, "pid", "%ld", (long)syscall(SYS_getpid));
}

void probe_line_add(struct probe_line *l, const char *key, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof value)
        n = (int)sizeof value - 1;
    append(l, " ", 1);
    append(l, key, strlen(key));
    append(l, "=", 1);
    append(l, value, (size_t)n);
}

void probe_line_add_escaped(struct probe_line *l, const char *key, const char *value)
{
    static const char hex[] = "0123456789abcdef";
    append(l, " ", 1);
    append(l, key, strlen(key));
    append(l, "=", 1);
    if (!value || !value[0]) {
        append(l, "%00", 3); /* an empty value, still one word */
        return;
    }
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p > ' ' && *p <= '~' && *p != '%') {
            append(l, (const char *)p, 1);
        } else {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            append(l, esc, 3);
        }
    }
}

void probe_line_add_thread(struct probe_line *l)
{
    char name[32] = "";
    /* prctl, not pthread_getname_np: no file is opened for it. */
    if (prctl(PR_GET_NAME, name, 0, 0, 0) != 0)
        name[0] = '\0';
    name[16] = '\0';
    probe_line_add(l, "tid", "%ld", (long)syscall(SYS_gettid));
    probe_line_add_escaped(l, "thread", name);
}

void probe_line_write(struct probe_line *l)
{
    if (!probe_logging)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    probe_line_add(l, "t", "%ld.%06ld", (long)ts.tv_sec, ts.tv_nsec / 1000L);
    if (l->truncated)
        probe_line_add(l, "truncated", "1");
    l->text[l->len++] = '\n';
    /* Opened for each line: a program that closes every descriptor (or
     * reuses ours) never gets our lines in its own files. Raw system calls:
     * see probe_log.h. */
    long fd = syscall(SYS_openat, AT_FDCWD, log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    long written = syscall(SYS_write, (int)fd, l->text, l->len);
    (void)written;
    syscall(SYS_close, (int)fd);
}
