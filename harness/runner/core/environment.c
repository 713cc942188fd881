#include "environment.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case_run.h"
#include "client.h"
#include "config.h"
#include "files.h"
#include "loaded.h"
#include "process.h"
#include "python_builds.h"
#include "text.h"

static char *os_name(void)
{
    char *text = zr_read_file("/etc/os-release", NULL);
    const char *line = text ? strstr(text, "PRETTY_NAME=") : NULL;
    char *name = NULL;
    if (line) {
        line += strlen("PRETTY_NAME=");
        if (*line == '"')
            line++;
        name = zr_strdup_printf("%.*s", (int)strcspn(line, "\"\n"), line);
    }
    free(text);
    return name ? name : zr_strdup_printf("unknown");
}

const char *zr_host_name(void)
{
    static char host[256];
    if (!host[0] && gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "unknown");
    return host;
}

json_t *zr_host_json(void)
{
    struct utsname u;
    uname(&u);
    char *os = os_name();
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:i}", "os", os, "kernel", u.release, "machine", u.machine, "hostname",
                          zr_host_name(), "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN));
    free(os);
    return j;
}

json_t *zr_command_line_json(void)
{
    json_t *words = json_array();
    FILE *f = fopen("/proc/self/cmdline", "r");
    if (!f)
        return words;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    /* The words end with NUL each; a word that is no UTF-8 is kept as text that is. */
    while ((n = getdelim(&buf, &cap, '\0', f)) > 0)
        json_array_append_new(words, zr_json_text(buf));
    free(buf);
    fclose(f);
    return words;
}

/* The build's library is still the file that was built: a replaced or
 * rebuilt library would run under the build's name and version. Checked
 * once per build and runner (a matrix asks for every cell). */
static int library_unchanged(const struct zr_build *build, char *err, size_t errlen)
{
    static char checked[8][4096];
    static int nchecked;
    const char *library = zr_build_field(build, "library"), *want = zr_build_field(build, "library_sha256");
    if (!library || !want || !*want)
        return 0; /* a build made before the hash was kept */
    for (int i = 0; i < nchecked; i++)
        if (!strcmp(checked[i], library))
            return 0;
    char *line = zr_file_sha256(library);
    bool same = line && !strncmp(line, want, 64);
    if (!same)
        snprintf(err, errlen, "the library of build %s (%s) is not the file that was built (sha256 %.16s..., now %.16s...): "
                              "no verdict on it; make it again: zmq-repro build %s --rebuild",
                 build->name, library, want, line ? line : "unreadable", zr_build_field(build, "source") ?
                 zr_build_field(build, "source") : build->name);
    else if (nchecked < 8)
        snprintf(checked[nchecked++], sizeof checked[0], "%s", library);
    free(line);
    return same ? 0 : -1;
}

int zr_preflight_mode(const struct zr_setup *setup, const struct zr_mode *mode, const struct zr_build *build,
                      bool needs_server, char *err, size_t errlen)
{
    if (library_unchanged(build, err, errlen) != 0)
        return -1;
    const char *unfit = zr_build_unfit(build, mode);
    if (unfit) {
        snprintf(err, errlen, "build %s cannot run in %s mode: %s", build->name, mode->name, unfit);
        return -1;
    }
    if ((mode->preload & ZR_PRELOAD_TSAN_RUNTIME) && access(setup->libtsan, R_OK) != 0) {
        snprintf(err, errlen, "TSan's runtime %s is missing: apt-get install libtsan2", setup->libtsan);
        return -1;
    }
    if ((mode->preload & ZR_PRELOAD_OWNER_CHECKER) && access(setup->owner_lib, R_OK) != 0) {
        snprintf(err, errlen, "the ownership checker %s is not built: cmake --build the build folder", setup->owner_lib);
        return -1;
    }
    if (access(setup->loaded_probe, R_OK) != 0) {
        snprintf(err, errlen, "%s is not built: cmake --build the build folder", setup->loaded_probe);
        return -1;
    }
    if (needs_server && access(setup->server, X_OK) != 0) {
        snprintf(err, errlen, "the ROUTER server %s is not built: cmake --build the build folder", setup->server);
        return -1;
    }
    return 0;
}

/* What ran; for a Python build, also which one, and an ERROR when what ran
 * is not what the build says it is (a stale cache entry, a PYTHONHOME). */
static json_t *python_info(const struct zr_setup *setup, const char *version, const char *pyzmq, bool free_threaded,
                           bool gil_off, char *err, size_t errlen)
{
    json_t *info = json_pack("{s:s, s:s, s:s}", "executable", setup->python, "version", version, "pyzmq", pyzmq);
    /* A free-threaded interpreter, and whether the GIL is off after `import zmq`. */
    if (free_threaded) {
        json_object_set_new(info, "free_threaded", json_true());
        json_object_set_new(info, "gil", json_string(gil_off ? "disabled" : "enabled"));
    }
    const struct zr_build *py = setup->python_build;
    if (!py)
        return info;
    const char *ft = zr_build_field(py, "free_threaded");
    if (ft && !strcmp(ft, "yes") && !(free_threaded && gil_off)) {
        snprintf(err, errlen, "Python build %s is free-threaded, but %s: no verdict without the GIL off", py->name,
                 free_threaded ? "the GIL is enabled after `import zmq` here (PYTHON_GIL=1 in the environment?)"
                               : "the interpreter that ran is not");
        json_decref(info);
        return NULL;
    }
    const char *want_version = zr_build_field(py, "python_version"), *want_pyzmq = zr_build_field(py, "pyzmq_version");
    if (!want_version || !want_pyzmq || strcmp(version, want_version) || strcmp(pyzmq, want_pyzmq)) {
        snprintf(err, errlen, "Python build %s ran Python %s with pyzmq %s, not the %s with pyzmq %s it was built as: "
                              "make it again with `zmq-repro build --rebuild %s`",
                 py->name, version, pyzmq, want_version ? want_version : "?", want_pyzmq ? want_pyzmq : "?", py->name);
        json_decref(info);
        return NULL;
    }
    /* Named by its folder (matrix's and bisect's workers are): its default name. */
    const char *name = strchr(py->name, '/') && zr_build_field(py, "stem") ? zr_build_field(py, "stem") : py->name;
    json_object_set_new(info, "build", json_string(name));
    json_object_set_new(info, "origin", json_string(zr_build_field(py, "origin")));
    return info;
}

/* One probe per mode and build: the benchmark asks for every case. */
struct probe_cache {
    const struct zr_mode *mode;
    char *prefix;
    char *python;
    json_t *info;
};
static struct probe_cache cache[16];

static json_t *run_probe(const struct zr_setup *setup, const struct zr_mode *mode, const struct zr_build *build,
                         char *err, size_t errlen)
{
    static char code[] = "import sys, zmq\n"
                         "print(sys.version.split()[0]); print(zmq.__version__)\n"
                         "import sysconfig\n"
                         "print(int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))))\n"
                         "print(int(not getattr(sys, '_is_gil_enabled', lambda: True)()))\n";
    char *args[] = { (char *)"-c", code };
    struct zr_program prog = { .python = true, .argc = 2, .argv = args };
    char *dir = zr_make_workdir("probe", err, errlen);
    if (!dir)
        return NULL;
    char *outpath = zr_strdup_printf("%s/out", dir), *errpath = zr_strdup_printf("%s/err", dir);
    struct zr_client_cmd cmd;
    json_t *info = NULL;
    if (zr_client_prepare(setup, mode, build, &prog, "", dir, &cmd, err, errlen) != 0)
        goto out;
    struct zr_spawn s = { .argv = cmd.argv, .envp = cmd.env.vars, .out = ZR_OUTPUT_FILE(outpath),
                          .err = ZR_OUTPUT_FILE(errpath), .no_aslr = cmd.no_aslr };
    struct zr_proc p;
    char why[512];
    int rc = zr_spawn(&s, &p, why, sizeof why);
    zr_client_cmd_free(&cmd);
    if (rc != 0) {
        snprintf(err, errlen, "%s: install python3-zmq (apt-get install python3-zmq) or name an interpreter with --python",
                 why);
        goto out;
    }
    bool ended = zr_wait(&p, 60 * setup->multiplier);
    zr_finish(&p);
    char *out = zr_read_file(outpath, NULL), *errtext = zr_read_file(errpath, NULL);
    char version[64] = "", pyzmq[64] = "";
    int free_threaded = 0, gil_off = 0;
    char *logpath = zr_loaded_log_path(dir);
    char *log = zr_read_file(logpath, NULL);
    free(logpath);
    struct zr_loaded *lines;
    int nlines = zr_loaded_parse(log, &lines);
    const char *loaded = nlines ? lines[0].path : NULL;
    if (ended && WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0 && out &&
        sscanf(out, "%63s %63s %d %d", version, pyzmq, &free_threaded, &gil_off) >= 2) {
        if (!zr_loaded_is_build(build, loaded))
            snprintf(err, errlen,
                     "on build %s, pyzmq loaded %s, not the build's %s: use Debian's python3-zmq (it links libzmq.so.5 "
                     "through the dynamic linker), not a wheel with a bundled libzmq",
                     build->name, loaded ? loaded : "no libzmq", zr_build_field(build, "library"));
        else
            info = python_info(setup, version, pyzmq, free_threaded == 1, gil_off == 1, err, errlen);
    } else {
        char last[300];
        zr_last_line(errtext, last, sizeof last);
        if (strstr(errtext ? errtext : "", "FATAL: ThreadSanitizer"))
            snprintf(err, errlen, "ThreadSanitizer failed to start in %s: %s", setup->python, last);
        else
            snprintf(err, errlen,
                     "%s cannot import zmq on build %s (%s): install python3-zmq (apt-get install python3-zmq) "
                     "or name an interpreter that has pyzmq with --python",
                     setup->python, build->name, last[0] ? last : ended ? "no output" : "it did not finish in 60 s");
    }
    zr_loaded_free(lines, nlines);
    free(log);
    free(out);
    free(errtext);
out:
    free(outpath);
    free(errpath);
    zr_remove_tree(dir);
    return info;
}

json_t *zr_python_probe(const struct zr_setup *setup, const struct zr_mode *mode, const struct zr_build *build,
                        char *err, size_t errlen)
{
    for (int i = 0; i < 16 && cache[i].mode; i++)
        if (cache[i].mode == mode && !strcmp(cache[i].prefix, build->prefix) && !strcmp(cache[i].python, setup->python))
            return json_incref(cache[i].info);
    json_t *info = run_probe(setup, mode, build, err, errlen);
    if (!info)
        return NULL;
    for (int i = 0; i < 16; i++)
        if (!cache[i].mode) {
            cache[i] = (struct probe_cache){ mode, zr_strdup_printf("%s", build->prefix),
                                             zr_strdup_printf("%s", setup->python), json_incref(info) };
            break;
        }
    return info;
}

json_t *zr_preflight(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode,
                     const struct zr_build *build, char *err, size_t errlen)
{
    const struct zr_mode *m = &zr_modes[mode];
    if (spec->error) {
        snprintf(err, errlen, "%s", spec->error);
        return NULL;
    }
    if (zr_preflight_mode(setup, m, build, strcmp(spec->server_mode, "none") != 0, err, errlen) != 0)
        return NULL;
    json_t *env = json_object();
    json_object_set_new(env, "host", zr_host_json());
    json_t *compiler = json_pack("{s:s, s:s, s:s}", "cc", ZR_C_COMPILER, "flavour", m->flavour->name, "flags",
                                 m->flavour->cflags);
    if (spec->language == ZR_LANG_C) {
        char *client = zr_case_program_path(setup, spec, mode);
        bool built = access(client, X_OK) == 0;
        if (!built)
            snprintf(err, errlen, "the client of %s is not built (%s): run cmake --build on the build folder", spec->id,
                     client);
        free(client);
        if (!built) {
            json_decref(compiler);
            json_decref(env);
            return NULL;
        }
        json_object_set_new(env, "compiler", compiler);
        return env;
    }
    if (spec->pymodule) {
        if (zr_pyext_ensure(setup, m->flavour, spec->pymodule, err, errlen) != 0) {
            json_decref(compiler);
            json_decref(env);
            return NULL;
        }
        json_object_set_new(env, "compiler", compiler);
    } else {
        json_decref(compiler);
    }
    json_t *python = zr_python_probe(setup, m, build, err, errlen);
    if (!python) {
        json_decref(env);
        return NULL;
    }
    json_object_set_new(env, "python", python);
    return env;
}
