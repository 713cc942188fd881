#include "progress.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fields of /proc/.../stat after the command name, which may itself
 * hold blanks and parentheses: state is the first, the process group the
 * fourth. */
static int read_stat(const char *path, char *state, long *pgrp)
{
    char buf[1024];
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close = strrchr(buf, ')');
    if (!close)
        return -1;
    long ppid;
    if (sscanf(close + 1, " %c %ld %ld", state, &ppid, pgrp) != 3)
        return -1;
    return 0;
}

/* On-CPU nanoseconds of one thread (/proc/PID/task/TID/schedstat). */
static double thread_cpu_s(const char *task_dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/schedstat", task_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    unsigned long long ns = 0;
    if (fscanf(f, "%llu", &ns) != 1)
        ns = 0;
    fclose(f);
    return ns / 1e9;
}

static void sample_process(pid_t pid, struct zr_group_sample *out)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char task[512], path[600];
        snprintf(task, sizeof task, "%s/%s", dir, e->d_name);
        snprintf(path, sizeof path, "%s/stat", task);
        char state;
        long pgrp;
        if (read_stat(path, &state, &pgrp) != 0)
            continue;
        out->running |= state == 'R' || state == 'D';
        out->cpu_s += thread_cpu_s(task);
    }
    closedir(d);
}

int zr_group_sample(pid_t pgid, struct zr_group_sample *out)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        char state;
        long pgrp;
        if (read_stat(path, &state, &pgrp) != 0 || pgrp != (long)pgid || state == 'Z')
            continue;
        out->nprocs++;
        sample_process((pid_t)atol(e->d_name), out);
    }
    closedir(d);
    return out->nprocs > 0 ? 0 : -1;
}

char zr_process_state(pid_t pid)
{
    char path[64], state;
    long pgrp;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    return read_stat(path, &state, &pgrp) == 0 ? state : 0;
}
