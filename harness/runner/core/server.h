/* The ROUTER server, a helper process of an attempt: started before the
 * client, watched while the client runs (alive, heartbeat, counts), and
 * stopped after it, so that its state is known before the attempt is
 * judged. */
#ifndef ZR_SERVER_H
#define ZR_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "classify.h"
#include "process.h"
#include "setup.h"

struct zr_server_stats;

struct zr_server {
    struct zr_proc proc;
    int out_fd; /* its stdout: the ENDPOINT line, then the final counts */
    char *errpath;
    const struct zr_server_stats *stats; /* shared with the server, read-only here */
    char *endpoint;
    char *ipc_dir; /* a short folder of the ipc endpoint when the workdir's path is too long, or NULL */
    bool stop_sent;
};

struct zr_server_sample {
    bool alive;
    bool stopped;       /* stopped by a signal (state T) */
    double heartbeat_age_s;
    long long received, replied, unroutable, held;
};

/* Starts the server in mode (echo, slow, delay, sink) in workdir. -1 with
 * the cause in err (the server's own message when it said one). */
int zr_server_start(const struct zr_setup *setup, const char *mode, int delay_ms, const char *workdir,
                    struct zr_server *s, char *err, size_t errlen);

void zr_server_sample(struct zr_server *s, struct zr_server_sample *out);

/* True when the server looks stalled: stopped, or no heartbeat for stale_s. */
bool zr_server_stalled(const struct zr_server_sample *x, double stale_s);

/* Stops the server and fills view (counts, whether it died or stalled
 * during the attempt, its stderr). Also releases s. */
void zr_server_stop(struct zr_server *s, double stale_s, struct zr_server_view *view);

void zr_server_view_free(struct zr_server_view *view);

#endif
