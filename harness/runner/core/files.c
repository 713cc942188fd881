#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "text.h"

int zr_mkdirs(const char *dir)
{
    char *path = zr_strdup_printf("%s", dir);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) == -1 && errno != EEXIST) {
                free(path);
                return -1;
            }
            *p = '/';
        }
    int rc = mkdir(path, 0755) == -1 && errno != EEXIST ? -1 : 0;
    if (rc == 0) {
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            rc = -1;
        }
    }
    free(path);
    return rc;
}

int zr_write_json_atomically(const char *path, json_t *doc, char *err, size_t errlen)
{
    char *tmp = zr_strdup_printf("%s.tmp-%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd < 0)
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    else if (json_dumpfd(doc, fd, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 || write(fd, "\n", 1) != 1)
        snprintf(err, errlen, "cannot write %s: %s", tmp, errno ? strerror(errno) : "the document cannot be encoded");
    else if (fsync(fd) != 0)
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    else
        rc = 0;
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s into place: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

int zr_check_writable_dir(const char *dir, char *err, size_t errlen)
{
    if (zr_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create the folder %s: %s", dir, strerror(errno));
        return -1;
    }
    char *probe = zr_strdup_printf("%s/.zmq-repro-write-test-%d", dir, (int)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0) {
        snprintf(err, errlen, "cannot write in %s: %s", dir, strerror(errno));
        rc = -1;
    } else {
        close(fd);
        unlink(probe);
    }
    free(probe);
    return rc;
}

int zr_check_writable_file(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s is a folder, not a file", path);
            return -1;
        }
        /* It exists: try to open it for writing without changing it. */
        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            return -1;
        }
        close(fd);
        return 0;
    }
    char *copy = zr_strdup_printf("%s", path);
    char *slash = strrchr(copy, '/');
    const char *dir = ".";
    if (slash == copy)
        dir = "/";
    else if (slash) {
        *slash = '\0';
        dir = copy;
    }
    int rc = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot write %s: there is no folder %s", path, dir);
        rc = -1;
    } else {
        char why[512];
        if (zr_check_writable_dir(dir, why, sizeof why) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", path, why);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

void zr_utc_stamp(char *buf, size_t len, const char *format)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, format ? format : "%Y%m%dT%H%M%SZ", &tm);
}

char *zr_find_in_path(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0 ? zr_strdup_printf("%s", name) : NULL;
    const char *path = getenv("PATH");
    char *copy = zr_strdup_printf("%s", path && *path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char *candidate = zr_strdup_printf("%s/%s", *dir ? dir : ".", name);
        if (access(candidate, X_OK) == 0)
            found = candidate;
        else
            free(candidate);
    }
    free(copy);
    return found;
}
