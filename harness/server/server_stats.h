/* What the ROUTER server shares with the runner while it serves: a small
 * file (--stats FILE) mapped by both. The server is the only writer; the
 * runner reads it during an attempt to tell a client that stopped making
 * progress (a lost wake-up: the server has answered everything) from a
 * server that died or stalled (the attempt is then a harness ERROR, never a
 * reproduction). Plain C11 atomics: one writer, many readers, no locks. */
#ifndef ZR_SERVER_STATS_H
#define ZR_SERVER_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#define ZR_SERVER_STATS_MAGIC 0x7a727373u /* "zrss" */
#define ZR_SERVER_STATS_VERSION 1u
/* The server's loop turns at least this often; a heartbeat older than a few
 * of these means the server is stopped or stuck. */
#define ZR_SERVER_HEARTBEAT_MS 50

struct zr_server_stats {
    uint32_t magic;
    uint32_t version;
    _Atomic int64_t heartbeat_ms; /* CLOCK_MONOTONIC, ms, at each turn of the serving loop */
    _Atomic int64_t received;     /* requests read */
    _Atomic int64_t replied;      /* replies sent */
    _Atomic int64_t unroutable;   /* replies whose peer was gone (ROUTER_MANDATORY) */
    _Atomic int64_t held;         /* requests read but not answered yet (delay mode) */
    _Atomic int64_t last_activity_ms; /* the last request read or reply sent */
};

#endif
