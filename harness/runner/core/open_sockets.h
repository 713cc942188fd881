/* The sockets a hung zmq_ctx_term waits for, read from the socket log that
 * libzr_loaded.so writes (ZR_SOCKETS_LOG, harness/preload/socket_log.c):
 * one line per event (SOCKET, LINGER, CONNECT, BIND, SENT, CLOSE, TERM,
 * TERM_DONE, ...), words of key=value with the program's own names
 * %XX-escaped. The log may be read at any moment, while the program still
 * runs: a last line without its newline is not read. */
#ifndef ZR_OPEN_SOCKETS_H
#define ZR_OPEN_SOCKETS_H

#include <stdbool.h>

#define ZR_SOCKET_ENDPOINTS 4

struct zr_logged_socket {
    char sock[24], ctx[24];
    char type[16];                  /* "DEALER" */
    long tid;                       /* the creating thread */
    char thread[64];                /* its name: Python's when known, else the kernel's */
    char module[1024];              /* the C caller of zmq_socket: its module ... */
    char offset[24];                /* ... and the address in it, for addr2line */
    char symbol[256];               /* "name+0x1c" from the dynamic symbols, or "" */
    char py_file[1024];             /* the script line, for Python ("" otherwise) */
    int py_line;
    char site[1200];                /* where it was created, for people (zr_open_sockets_resolve) */
    int linger;                     /* the effective LINGER: -1 (default), 0, or ms */
    bool linger_set;                /* set by the program (else the default) */
    char endpoints[ZR_SOCKET_ENDPOINTS][256];
    int nendpoints;                 /* connects and binds, the first ZR_SOCKET_ENDPOINTS kept */
    long sent;                      /* messages sent (last count logged), -1 unknown */
    bool closed;
    long closed_by;                 /* the thread that closed it */
};

/* The context termination that has not returned, and what it waits for. */
struct zr_term_wait {
    char ctx[24];
    char call[24];                  /* zmq_ctx_term, zmq_ctx_destroy, zmq_term */
    long tid;                       /* the thread inside it */
    char thread[64];
    struct zr_logged_socket *open;  /* sockets of ctx never closed */
    int nopen;
    struct zr_logged_socket *lingering; /* closed with LINGER -1 after sending */
    int nlingering;
    bool untracked;                 /* the probe's table overflowed: some counts unknown */
};

/* Reads the log's lines of process pid. 1 when a termination is pending
 * (filled in w; free with zr_term_wait_free), 0 when there is none (or the
 * text is NULL), -1 when out of memory. */
int zr_open_sockets_parse(const char *log_text, long pid, struct zr_term_wait *w);

/* Fills each socket's site: "client.py:12" for Python, "client.c:30
 * (function)" for C with eu-addr2line (an argument vector, no shell) when
 * the module is still there, else "function+0x1c in module" from the log. */
void zr_open_sockets_resolve(struct zr_term_wait *w);

void zr_term_wait_free(struct zr_term_wait *w);

/* Where a client's socket log goes in an attempt's folder (ZR_SOCKETS_LOG
 * in its environment, beside ZR_LOADED_LOG); malloc'd. */
char *zr_sockets_log_path(const char *workdir);

#endif
