#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "process.h"

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

json_t *zr_json_text(const char *s)
{
    if (!s)
        return json_null();
    char *clean = zr_utf8_sanitize(s, strlen(s));
    json_t *j = json_string(clean);
    free(clean);
    return j ? j : json_null();
}

bool zr_path_stays_inside(const char *path)
{
    if (!path || !*path || *path == '/')
        return false;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        p += *p == '/';
    }
    return true;
}

/* Appends the file at from to the open fd: a regular file, or a character
 * device (/dev/null stands for "none"); a folder or a FIFO is refused, and
 * opening does not wait for a FIFO's writer. */
static int append_file(int fd, const char *from, char *err, size_t errlen)
{
    int in = open(from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (in < 0 || fstat(in, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
        snprintf(err, errlen, "cannot read %s: %s", from, in < 0 ? strerror(errno) : "not a regular file");
        if (in >= 0)
            close(in);
        return -1;
    }
    fcntl(in, F_SETFL, fcntl(in, F_GETFL) & ~O_NONBLOCK);
    char buf[65536];
    ssize_t got;
    int rc = 0;
    while ((got = read(in, buf, sizeof buf)) > 0)
        for (ssize_t done = 0; done < got;) {
            ssize_t w = write(fd, buf + done, (size_t)(got - done));
            if (w < 0) {
                snprintf(err, errlen, "cannot write: %s", strerror(errno));
                close(in);
                return -1;
            }
            done += w;
        }
    if (got < 0) {
        snprintf(err, errlen, "cannot read %s: %s", from, strerror(errno));
        rc = -1;
    }
    close(in);
    return rc;
}

int zr_join_files(const char *const *from, int n, const char *to, char *err, size_t errlen)
{
    int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", to, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = append_file(fd, from[i], err, errlen);
    if (close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write %s: %s", to, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(to);
    return rc;
}

int zr_copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    return zr_join_files(&from, 1, to, err, errlen);
}

char *zr_first_file_with_suffix(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *best = NULL;
    struct dirent *e;
    while ((e = readdir(d)))
        if (zr_name_has_suffix(e->d_name, suffix) && (!best || strcmp(e->d_name, best) < 0)) {
            free(best);
            best = zr_strdup_printf("%s", e->d_name);
        }
    closedir(d);
    if (!best)
        return NULL;
    char *path = zr_strdup_printf("%s/%s", dir, best);
    free(best);
    return path;
}

bool zr_dir_has_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool any = false;
    struct dirent *e;
    while (!any && (e = readdir(d)))
        any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return any;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    if (ftw->level > 0)
        remove(path);
    return 0;
}

void zr_remove_contents(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *zr_file_sha256(const char *path)
{
    if (!path || access(path, R_OK) != 0)
        return NULL;
    char *argv[] = { (char *)"sha256sum", (char *)"--", (char *)path, NULL };
    char *line = zr_first_line_of(argv, 60);
    if (!line || strspn(line, "0123456789abcdef") < 64) {
        free(line);
        return NULL;
    }
    line[64] = '\0';
    return line;
}
