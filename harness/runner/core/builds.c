#include "builds.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "defaults.h"
#include "documents.h"
#include "files.h"
#include "process.h"
#include "text.h"

/* Python builds (python:SUITE) are fetched by their own script. */
#define ZR_PYTHON_BUILD_SCRIPT ZR_SOURCE_DIR "/harness/python/build-python.sh"

const char *zr_cache_dir(void)
{
    static char dir[PATH_MAX];
    if (!dir[0]) {
        const char *set = getenv("ZR_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (set && *set)
            snprintf(dir, sizeof dir, "%s", set);
        else if (xdg && *xdg)
            snprintf(dir, sizeof dir, "%s/zmq-repro", xdg);
        else
            snprintf(dir, sizeof dir, "%s/.cache/zmq-repro", home && *home ? home : "/tmp");
    }
    return dir;
}

const char *zr_build_field(const struct zr_build *b, const char *field)
{
    return json_string_value(json_object_get(b->info, field));
}

bool zr_build_instrumented(const struct zr_build *b)
{
    return json_is_true(json_object_get(b->info, "instrumented"));
}

const char *zr_build_unfit(const struct zr_build *b, const struct zr_mode *mode)
{
    bool instrumented = zr_build_instrumented(b);
    if (mode->needs == ZR_NEEDS_INSTRUMENTED && !instrumented)
        return "not instrumented: TSan cannot see inside it (build the source with --flavour tsan)";
    if (mode->needs == ZR_NEEDS_PLAIN && instrumented)
        return "instrumented: it runs only in a process under TSan (use a debug or binary build)";
    return NULL;
}

const char *zr_build_flavour_for(const struct zr_mode *mode)
{
    return mode->needs == ZR_NEEDS_INSTRUMENTED ? "tsan" : "debug";
}

bool zr_build_is_python(const struct zr_build *b)
{
    const char *kind = zr_build_field(b, "kind");
    return kind && !strcmp(kind, "python");
}

bool zr_source_is_python(const char *source)
{
    return !strncmp(source, "python:", 7);
}

/* A Python build (kind python) names its interpreter; a libzmq build its library. */
static int load_info(struct zr_build *b, char *err, size_t errlen)
{
    char *path = zr_strdup_printf("%s/build-info.json", b->prefix);
    json_error_t jerr;
    b->info = json_load_file(path, 0, &jerr);
    char why[512];
    if (b->info && zr_document_check(b->info, ZR_DOCUMENT_BUILD, path, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: make the build again with `zmq-repro build`", why);
        json_decref(b->info);
        b->info = NULL;
        free(path);
        return -1;
    }
    if (b->info && json_is_object(b->info) && zr_build_is_python(b)) {
        free(path);
        if (zr_build_field(b, "python") && access(zr_build_field(b, "python"), X_OK) == 0)
            return 0;
        snprintf(err, errlen, "Python build %s: its interpreter %s is gone: make it again with `zmq-repro build "
                              "--rebuild %s`", b->name, zr_build_field(b, "python") ? zr_build_field(b, "python") : "(none)",
                 zr_build_field(b, "source") ? zr_build_field(b, "source") : b->name);
        json_decref(b->info);
        b->info = NULL;
        return -1;
    }
    if (!b->info || !json_is_object(b->info) || !zr_build_field(b, "library") || !zr_build_field(b, "lib_dir")) {
        snprintf(err, errlen, "%s is not a build description of zmq-repro (%s): make it with `zmq-repro build`", path,
                 b->info ? "fields missing" : jerr.text);
        json_decref(b->info);
        b->info = NULL;
        free(path);
        return -1;
    }
    free(path);
    if (access(zr_build_field(b, "library"), R_OK) != 0) {
        snprintf(err, errlen, "build %s: its library %s is gone: make it again with `zmq-repro build --rebuild`",
                 b->name, zr_build_field(b, "library"));
        json_decref(b->info);
        b->info = NULL;
        return -1;
    }
    return 0;
}

static int open_any(const char *name_or_path, struct zr_build *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->name = zr_strdup_printf("%s", name_or_path);
    if (strchr(name_or_path, '/')) {
        b->prefix = realpath(name_or_path, NULL);
        if (!b->prefix) {
            snprintf(err, errlen, "no build folder %s: %s", name_or_path, strerror(errno));
            zr_build_close(b);
            return -1;
        }
    } else {
        char *link = zr_strdup_printf("%s/builds/%s", zr_cache_dir(), name_or_path);
        b->prefix = realpath(link, NULL);
        free(link);
        if (!b->prefix) {
            if (!strcmp(name_or_path, "system") || !strcmp(name_or_path, "debian-tsan"))
                snprintf(err, errlen, "no build named '%s' yet: make the default builds with `zmq-repro build --defaults`",
                         name_or_path);
            else
                snprintf(err, errlen, "no build named '%s' (see `zmq-repro builds`; make one with `zmq-repro build "
                                      "SOURCE --name %s`)",
                         name_or_path, name_or_path);
            zr_build_close(b);
            return -1;
        }
    }
    if (load_info(b, err, errlen) != 0) {
        zr_build_close(b);
        return -1;
    }
    return 0;
}

int zr_build_open(const char *name_or_path, struct zr_build *b, char *err, size_t errlen)
{
    if (open_any(name_or_path, b, err, errlen) != 0)
        return -1;
    if (zr_build_is_python(b)) {
        snprintf(err, errlen, "%s is a Python build, not a libzmq build: name it with --python %s", name_or_path,
                 name_or_path);
        zr_build_close(b);
        return -1;
    }
    return 0;
}

int zr_python_build_open(const char *name_or_path, struct zr_build *b, char *err, size_t errlen)
{
    if (open_any(name_or_path, b, err, errlen) != 0) {
        if (zr_source_is_python(name_or_path) && !strchr(name_or_path, '/') && !strstr(err, "is gone"))
            snprintf(err, errlen, "no Python build named '%s' yet: make it with `zmq-repro build %s`", name_or_path,
                     name_or_path);
        return -1;
    }
    if (!zr_build_is_python(b)) {
        snprintf(err, errlen, "%s is a libzmq build, not a Python build (make one with `zmq-repro build python:SUITE`)",
                 name_or_path);
        zr_build_close(b);
        return -1;
    }
    return 0;
}

void zr_build_close(struct zr_build *b)
{
    free(b->name);
    free(b->prefix);
    json_decref(b->info);
    memset(b, 0, sizeof *b);
}

/* --- Making a build. --- */

/* key=value lines (a script's output) into a JSON object of strings. */
static json_t *parse_pairs(const char *text)
{
    json_t *o = json_object();
    for (const char *line = text; line && *line;) {
        size_t n = strcspn(line, "\n");
        const char *eq = memchr(line, '=', n);
        if (eq) {
            char *key = zr_strdup_printf("%.*s", (int)(eq - line), line);
            char *value = zr_utf8_sanitize(eq + 1, n - (size_t)(eq - line) - 1);
            json_object_set_new(o, key, json_string(value));
            free(key);
            free(value);
        }
        line += n;
        if (*line)
            line++;
    }
    return o;
}

/* Runs the build script with its stderr passed through; its stdout parsed. */
static json_t *run_script(const struct zr_build_request *r, const char *action, const char *flavour, const char *prefix,
                          char *err, size_t errlen)
{
    /* In the cache, with this runner's pid: what a SIGKILL leaves is swept at the next start. */
    char *tmpdir = zr_strdup_printf("%s/tmp", zr_cache_dir());
    char *workdir = zr_mkdirs(tmpdir) == 0 ? zr_strdup_printf("%s/script-output.%d.XXXXXX", tmpdir, (int)getpid()) : NULL;
    free(tmpdir);
    if (!workdir || !mkdtemp(workdir)) {
        snprintf(err, errlen, "cannot create a folder in %s/tmp: %s (set ZR_CACHE_DIR to a writable place)",
                 zr_cache_dir(), strerror(errno));
        free(workdir);
        return NULL;
    }
    char *outpath = zr_strdup_printf("%s/out", workdir);
    char *argv[] = { (char *)"/bin/sh", (char *)r->script, (char *)action, (char *)r->source, (char *)flavour,
                     (char *)prefix, NULL };
    /* A Python build's script takes no flavour: its interpreter is Debian's as it is. */
    char *python_argv[] = { (char *)"/bin/sh", (char *)ZR_PYTHON_BUILD_SCRIPT, (char *)action, (char *)r->source,
                            (char *)prefix, NULL };
    const char *script = zr_source_is_python(r->source) ? ZR_PYTHON_BUILD_SCRIPT : r->script;
    /* The runner's death (even SIGKILL) sends the script SIGTERM, on which it
     * ends cmake, make and the compilers and removes its scratch folder. */
    struct zr_spawn s = { .argv = zr_source_is_python(r->source) ? python_argv : argv, .out = ZR_OUTPUT_FILE(outpath),
                          .err = ZR_OUTPUT_FD(2), .death_signal = SIGTERM };
    struct zr_proc p;
    json_t *pairs = NULL;
    if (zr_spawn(&s, &p, err, errlen) == 0) {
        zr_wait(&p, 24 * 3600.0);
        bool interrupted = !p.reaped && !zr_ended(&p);
        zr_stop_gently(&p, 10.0);
        char *out = zr_read_file(outpath, NULL);
        if (interrupted)
            snprintf(err, errlen, "the build was interrupted");
        else if (!WIFEXITED(p.status) || WEXITSTATUS(p.status) != 0)
            snprintf(err, errlen, "%s %s failed (its message is above)", script, action);
        else
            pairs = parse_pairs(out ? out : "");
        free(out);
    }
    free(outpath);
    zr_remove_tree(workdir);
    return pairs;
}

/* text with every occurrence of from replaced by to; malloc'd. */
static char *replace_all(const char *text, const char *from, const char *to)
{
    char *out = zr_strdup_printf("%s", "");
    for (const char *at; (at = strstr(text, from)); text = at + strlen(from)) {
        char *more = zr_strdup_printf("%s%.*s%s", out, (int)(at - text), text, to);
        free(out);
        out = more;
    }
    char *all = zr_strdup_printf("%s%s", out, text);
    free(out);
    return all;
}

int zr_build_write_info(const char *prefix, json_t *info, char *err, size_t errlen)
{
    char *path = zr_strdup_printf("%s/build-info.json", prefix);
    int rc = zr_write_json_atomically(path, info, err, errlen);
    free(path);
    return rc;
}

/* builds/<name> -> ../store/<key>, replaced atomically. A name the user
 * gave (explicit) that names another build already is not taken from it
 * unless asked (--rebuild); a name moved says what it named before. */
static int name_build(const char *name, const char *key, bool explicit, bool repoint, char *err, size_t errlen)
{
    for (const char *c = name; *c; c++)
        if (*c == '/' || (c == name && *c == '.')) {
            snprintf(err, errlen, "a build name has no '/' and does not start with '.': '%s'", name);
            return -1;
        }
    char *dir = zr_strdup_printf("%s/builds", zr_cache_dir());
    char *target = zr_strdup_printf("../store/%s", key);
    char *link = zr_strdup_printf("%s/%s", dir, name);
    char *tmp = zr_strdup_printf("%s/.%s.%d", dir, name, (int)getpid());
    int rc = -1;
    char before[4096];
    ssize_t n = readlink(link, before, sizeof before - 1);
    before[n > 0 ? n : 0] = '\0';
    bool other = n > 0 && strcmp(before, target);
    if (other && explicit && !repoint) {
        snprintf(err, errlen, "the name %s names another build already (%s): give this one another --name, or add "
                              "--rebuild to move the name to it",
                 name, before);
        free(dir);
        free(target);
        free(link);
        free(tmp);
        return -1;
    }
    if (other)
        fprintf(stderr, "zmq-repro: the name %s now names %s (it named %s)\n", name, target, before);
    if (zr_mkdirs(dir) != 0)
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    else if (unlink(tmp), symlink(target, tmp) != 0)
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    else if (rename(tmp, link) != 0)
        snprintf(err, errlen, "cannot name the build %s: %s", link, strerror(errno));
    else
        rc = 0;
    free(dir);
    free(target);
    free(link);
    free(tmp);
    return rc;
}

static char *default_name(json_t *resolved, const char *flavour)
{
    const char *kind = json_string_value(json_object_get(resolved, "kind"));
    const char *stem = json_string_value(json_object_get(resolved, "stem"));
    if (kind && !strcmp(kind, "system"))
        return zr_strdup_printf("system");
    if (kind && !strcmp(kind, "python"))
        return zr_strdup_printf("%s", stem);
    if (kind && !strcmp(kind, "debian-binary"))
        return zr_strdup_printf("%s-binary", stem ? stem : "debian");
    return zr_strdup_printf("%s-%s", stem && *stem ? stem : "libzmq", flavour);
}

static bool prebuilt(const char *source)
{
    return !strcmp(source, "system") || !strncmp(source, "debian-binary:", 14) || zr_source_is_python(source);
}

/* Builds into a fresh folder beside the store's entries, then renames it into
 * place: a build that fails or is interrupted never leaves a half entry,
 * and nothing outside the cache is ever removed. */
static int build_into_store(const struct zr_build_request *r, const char *flavour, json_t *resolved,
                            const char *store_entry, char *err, size_t errlen)
{
    char *tmp = zr_strdup_printf("%s.tmp-%d", store_entry, (int)getpid());
    if (mkdir(tmp, 0755) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    json_t *built = run_script(r, "build", flavour, tmp, err, errlen);
    int rc = -1;
    if (built) {
        json_t *info = json_object();
        json_object_update(info, resolved);
        json_object_update(info, built);
        json_object_set_new(info, "schema", json_integer(ZR_SCHEMA_BUILD));
        json_object_set_new(info, "source", json_string(r->source));
        json_object_set_new(info, "instrumented", json_boolean(!strcmp(flavour, "tsan")));
        char when[32];
        time_t now = time(NULL);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        json_object_set_new(info, "built_at", json_string(when));
        if (r->made_by)
            json_object_set_new(info, "made_by", json_string(r->made_by));
        /* The paths the script printed point into tmp: make them point to the
         * entry (a search path names several). */
        const char *fields[] = { "library", "lib_dir", "loader", "loader_path", "python", "include_dirs", NULL };
        for (int i = 0; fields[i]; i++) {
            const char *v = json_string_value(json_object_get(info, fields[i]));
            if (v && strstr(v, tmp)) {
                char *moved = replace_all(v, tmp, store_entry);
                json_object_set_new(info, fields[i], json_string(moved));
                free(moved);
            }
        }
        if (zr_build_write_info(tmp, info, err, errlen) == 0) {
            char *old = zr_strdup_printf("%s.old-%d", store_entry, (int)getpid());
            rename(store_entry, old); /* a --rebuild replaces the entry */
            if (rename(tmp, store_entry) != 0)
                snprintf(err, errlen, "cannot move the build into %s: %s", store_entry, strerror(errno));
            else
                rc = 0;
            zr_remove_tree(old);
        }
        json_decref(info);
        json_decref(built);
    }
    if (rc != 0)
        zr_remove_tree(tmp);
    else
        free(tmp);
    return rc;
}

/* A cache hit: the same identity (a commit, a tarball's sha256) may have
 * been built from another place (a checkout elsewhere, another URL). The
 * build says where it was built from; each other place it was asked for
 * from is added to its also_from list and said. */
static void note_cache_hit(const struct zr_build_request *r, const char *flavour, json_t *resolved, const char *entry,
                           const char *info_path)
{
    fprintf(stderr, "zmq-repro: %s (%s) is cached in %s\n", r->source, flavour, entry);
    json_t *info = json_load_file(info_path, 0, NULL);
    const char *origin = json_string_value(json_object_get(resolved, "origin"));
    const char *built_from = json_string_value(json_object_get(info, "origin"));
    if (!json_is_object(info) || !origin || !built_from || !strcmp(origin, built_from)) {
        json_decref(info);
        return;
    }
    fprintf(stderr, "zmq-repro: the same build (%s) was made from %s; it is also %s\n",
            json_string_value(json_object_get(resolved, "identity")), built_from, origin);
    json_t *also = json_object_get(info, "also_from");
    if (!json_is_array(also)) {
        also = json_array();
        json_object_set_new(info, "also_from", also);
    }
    size_t i;
    json_t *v;
    json_array_foreach (also, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), origin))
            break;
    char err[512];
    if (i == json_array_size(also) && json_array_append_new(also, json_string(origin)) == 0 &&
        zr_build_write_info(entry, info, err, sizeof err) != 0)
        fprintf(stderr, "zmq-repro: %s\n", err);
    json_decref(info);
}

/* The pid a leftover's name ends with (KEY.tmp-PID, KEY.old-PID) or holds
 * (libzmq-build.PID.XXXXXX), or 0. */
static long leftover_pid(const char *name)
{
    const char *at = NULL;
    const char *marks[] = { ".tmp-", ".old-", "libzmq-build.", "python-build.", "script-output.", NULL };
    for (int i = 0; marks[i] && !at; i++)
        if ((at = strstr(name, marks[i])))
            at += strlen(marks[i]);
    if (!at || *at < '1' || *at > '9')
        return 0;
    char *end;
    long pid = strtol(at, &end, 10);
    return (*end == '\0' || *end == '.') && pid > 0 && pid < (1L << 22) ? pid : 0;
}

static bool pid_alive(long pid)
{
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* What a build killed outright (SIGKILL: no trap ran) left behind: a half
 * store entry, a replaced one, the script's scratch folder. Removed once
 * the process that made it is gone. */
static void sweep_leftovers(void)
{
    const char *sub[] = { "store", "tmp", NULL };
    for (int i = 0; sub[i]; i++) {
        char *dir = zr_strdup_printf("%s/%s", zr_cache_dir(), sub[i]);
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            long pid = e->d_name[0] == '.' ? 0 : leftover_pid(e->d_name);
            if (!pid || pid_alive(pid))
                continue;
            char *path = zr_strdup_printf("%s/%s", dir, e->d_name);
            fprintf(stderr, "zmq-repro: removing what a stopped build (pid %ld) left: %s\n", pid, path);
            zr_remove_tree(path);
        }
        if (d)
            closedir(d);
        free(dir);
    }
}

int zr_build_make(const struct zr_build_request *r, struct zr_build *b, char *err, size_t errlen)
{
    sweep_leftovers();
    const char *flavour = r->flavour ? r->flavour : prebuilt(r->source) ? "binary" : "tsan";
    json_t *resolved = run_script(r, "resolve", flavour, "", err, errlen);
    if (!resolved)
        return -1;
    const char *key = json_string_value(json_object_get(resolved, "key"));
    if (!key || strlen(key) < 8) {
        snprintf(err, errlen, "%s resolve printed no key", r->script);
        json_decref(resolved);
        return -1;
    }
    char *name = r->name ? zr_strdup_printf("%s", r->name) : default_name(resolved, flavour);
    char *store = zr_strdup_printf("%s/store", zr_cache_dir());
    char *entry = zr_strdup_printf("%s/%s", store, key);
    char *info_path = zr_strdup_printf("%s/build-info.json", entry);
    int rc = -1;
    if (zr_mkdirs(store) != 0) {
        snprintf(err, errlen, "cannot create %s: %s (set ZR_CACHE_DIR to a writable place)", store, strerror(errno));
    } else {
        bool cached = access(info_path, R_OK) == 0 && !r->rebuild;
        if (cached)
            note_cache_hit(r, flavour, resolved, entry, info_path);
        if (cached || build_into_store(r, flavour, resolved, entry, err, errlen) == 0)
            rc = name_build(name, key, r->name != NULL, r->rebuild, err, errlen);
    }
    if (rc == 0)
        rc = zr_source_is_python(r->source) ? zr_python_build_open(name, b, err, errlen)
                                            : zr_build_open(name, b, err, errlen);
    /* A Python build is described by running it: which interpreter and pyzmq it is. */
    if (rc == 0 && zr_build_is_python(b) && !zr_build_field(b, "python_version") &&
        zr_python_build_probe(b, err, errlen) != 0) {
        zr_build_close(b);
        rc = -1;
    }
    free(name);
    free(store);
    free(entry);
    free(info_path);
    json_decref(resolved);
    return rc;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int zr_builds_each(zr_build_fn fn, void *user, char *err, size_t errlen)
{
    char *dir = zr_strdup_printf("%s/builds", zr_cache_dir());
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        return 0; /* no build yet */
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char **more = realloc(names, (n + 1) * sizeof *names);
        if (!more)
            break;
        names = more;
        names[n++] = zr_strdup_printf("%s", e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        struct zr_build b;
        char why[512];
        if (open_any(names[i], &b, why, sizeof why) == 0) {
            fn(&b, user);
            zr_build_close(&b);
        } else {
            fprintf(stderr, "zmq-repro: %s\n", why);
        }
        free(names[i]);
    }
    free(names);
    free(dir);
    (void)err;
    (void)errlen;
    return 0;
}

static long long tree_bytes;

static int count_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (type == FTW_F)
        tree_bytes += st->st_size;
    return 0;
}

/* The size of a tree, then the tree removed. */
static long long remove_counted(char *path)
{
    tree_bytes = 0;
    nftw(path, count_entry, 16, FTW_PHYS);
    long long n = tree_bytes;
    zr_remove_tree(path);
    return n;
}

/* The names in builds/ and the store entry each points to. */
struct name_links {
    int n;
    char **names, **keys;
};

static void read_name_links(struct name_links *l)
{
    memset(l, 0, sizeof *l);
    char *dir = zr_strdup_printf("%s/builds", zr_cache_dir());
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *link = zr_strdup_printf("%s/%s", dir, e->d_name), target[4096];
        ssize_t n = readlink(link, target, sizeof target - 1);
        free(link);
        if (n <= 0)
            continue;
        target[n] = '\0';
        const char *key = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
        char **names = realloc(l->names, (size_t)(l->n + 1) * sizeof *names);
        char **keys = names ? realloc(l->keys, (size_t)(l->n + 1) * sizeof *keys) : NULL;
        if (!names || !keys) {
            fputs("zmq-repro: out of memory\n", stderr);
            exit(2);
        }
        l->names = names;
        l->keys = keys;
        l->names[l->n] = zr_strdup_printf("%s", e->d_name);
        l->keys[l->n++] = zr_strdup_printf("%s", key);
    }
    if (d)
        closedir(d);
    free(dir);
}

static void free_name_links(struct name_links *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->names[i]);
        free(l->keys[i]);
    }
    free(l->names);
    free(l->keys);
}

long long zr_builds_prune(void)
{
    long long freed = 0;
    sweep_leftovers();
    struct name_links l;
    read_name_links(&l);
    /* The builds of bisection steps: their names go, then their entries with the other orphans. */
    for (int i = 0; i < l.n; i++) {
        char *info_path = zr_strdup_printf("%s/store/%s/build-info.json", zr_cache_dir(), l.keys[i]);
        json_t *info = json_load_file(info_path, 0, NULL);
        free(info_path);
        const char *made_by = json_string_value(json_object_get(info, "made_by"));
        if (made_by && !strcmp(made_by, "bisect")) {
            char *link = zr_strdup_printf("%s/builds/%s", zr_cache_dir(), l.names[i]);
            if (unlink(link) == 0) {
                printf("removed %s (made by bisect)\n", l.names[i]);
                l.keys[i][0] = '\0'; /* no longer named */
            }
            free(link);
        }
        json_decref(info);
    }
    char *store = zr_strdup_printf("%s/store", zr_cache_dir());
    DIR *d = opendir(store);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
            continue; /* entries are bare keys; a .tmp-/.old- one belongs to a build under way */
        bool named = false;
        for (int i = 0; i < l.n && !named; i++)
            named = !strcmp(l.keys[i], e->d_name);
        if (named)
            continue;
        char *path = zr_strdup_printf("%s/%s", store, e->d_name);
        printf("removed store entry %s (no name points to it)\n", e->d_name);
        freed += remove_counted(path);
    }
    if (d)
        closedir(d);
    free(store);
    free_name_links(&l);
    return freed;
}
