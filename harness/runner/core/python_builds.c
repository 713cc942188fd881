/* Python builds (python:SUITE): describing one by running it, and the
 * argument vector that starts its interpreter. */
#include "python_builds.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case_spec.h"
#include "config.h"
#include "compile.h"
#include "files.h"
#include "process.h"
#include "text.h"

/* The interpreter's sys.executable: the launcher (harness/python/
 * python_launcher.c) beside it, zr-python3.X, copied there once. NULL when
 * it cannot be put there (the interpreter then runs without it). */
static char *launcher_beside(const char *python)
{
    const char *base = strrchr(python, '/');
    if (!base)
        return NULL;
    char *path = zr_strdup_printf("%.*s/zr-%s", (int)(base - python), python, base + 1);
    struct stat have, want;
    if (stat(ZR_PYTHON_LAUNCHER, &want) != 0) {
        free(path);
        return NULL;
    }
    if (stat(path, &have) == 0 && have.st_size == want.st_size && have.st_mtime >= want.st_mtime)
        return path;
    char err[512];
    char *tmp = zr_strdup_printf("%s.tmp-%d", path, (int)getpid());
    bool ok = zr_copy_file(ZR_PYTHON_LAUNCHER, tmp, err, sizeof err) == 0 && chmod(tmp, 0755) == 0 &&
              rename(tmp, path) == 0;
    if (!ok) {
        fprintf(stderr, "zmq-repro: cannot put the launcher beside %s (%s): a program that re-executes "
                        "sys.executable will fail\n", python, err);
        unlink(tmp);
        free(path);
        path = NULL;
    }
    free(tmp);
    return path;
}

int zr_python_build_argv(const struct zr_build *py, const char *extra_libs, char **argv, char **library_path)
{
    int n = 0;
    const char *loader = zr_build_field(py, "loader");
    const char *python = zr_build_field(py, "python");
    if (library_path)
        *library_path = NULL;
    if (loader) {
        /* The interpreter's own glibc: its loader named here, not found
         * through PT_INTERP (that is this machine's older one). */
        argv[n++] = zr_strdup_printf("%s", loader);
        argv[n++] = zr_strdup_printf("--library-path");
        const char *own = zr_build_field(py, "loader_path");
        if (extra_libs && *extra_libs)
            argv[n++] = zr_strdup_printf("%s:%s", own ? own : "", extra_libs);
        else
            argv[n++] = zr_strdup_printf("%s", own ? own : "");
        if (library_path)
            *library_path = zr_strdup_printf("%s", argv[n - 1]);
        /* sys.executable: a launcher that starts the interpreter this way again. */
        char *launcher = launcher_beside(python);
        if (launcher) {
            argv[n++] = zr_strdup_printf("--argv0");
            argv[n++] = launcher;
        }
    }
    argv[n++] = zr_strdup_printf("%s", python);
    return n;
}

/* Each printed line: version, pyzmq's version, the extension suffix, then
 * whether the interpreter is free-threaded (Py_GIL_DISABLED) and, if so,
 * whether the GIL is enabled once zmq is imported (a pyzmq module without
 * Py_mod_gil would have turned it on). */
static const char probe_code[] = "import sys, sysconfig, zmq\n"
                                 "print(sys.version.split()[0]); print(zmq.pyzmq_version())\n"
                                 "print(sysconfig.get_config_var('EXT_SUFFIX'))\n"
                                 "ft = bool(sysconfig.get_config_var('Py_GIL_DISABLED'))\n"
                                 "print(int(ft)); print(int(sys._is_gil_enabled()) if ft else '-')\n";

static int read_probe(struct zr_build *b, const char *out, const char *errtext, char *err, size_t errlen)
{
    char version[64] = "", pyzmq[64] = "", suffix[128] = "", ft[8] = "0", gil[8] = "-";
    if (!out || sscanf(out, "%63s %63s %127s %7s %7s", version, pyzmq, suffix, ft, gil) < 3) {
        char last[300];
        zr_last_line(errtext, last, sizeof last);
        snprintf(err, errlen, "Python build %s does not import zmq: %s", b->name, last[0] ? last : "no output");
        return -1;
    }
    json_object_set_new(b->info, "python_version", json_string(version));
    json_object_set_new(b->info, "pyzmq_version", json_string(pyzmq));
    json_object_set_new(b->info, "ext_suffix", json_string(suffix));
    json_object_set_new(b->info, "version", json_string(version));
    bool free_threaded = !strcmp(ft, "1");
    const char *claimed = zr_build_field(b, "free_threaded");
    if (claimed && !strcmp(claimed, "yes") && !free_threaded) {
        snprintf(err, errlen, "Python build %s was configured with --disable-gil, but its interpreter is not "
                              "free-threaded (Py_GIL_DISABLED unset)", b->name);
        return -1;
    }
    if (free_threaded && strcmp(gil, "0")) {
        snprintf(err, errlen, "Python build %s: the GIL is enabled after `import zmq` (sys._is_gil_enabled() is %s): "
                              "its pyzmq does not declare that it runs without the GIL", b->name, gil);
        return -1;
    }
    json_object_set_new(b->info, "free_threaded", json_string(free_threaded ? "yes" : "no"));
    return zr_build_write_info(b->prefix, b->info, err, errlen);
}

int zr_python_build_probe(struct zr_build *b, char *err, size_t errlen)
{
    char *dir = zr_make_workdir("pyprobe", err, errlen);
    if (!dir)
        return -1;
    char *argv[10] = { 0 };
    char *library_path;
    int n = zr_python_build_argv(b, NULL, argv, &library_path);
    argv[n++] = zr_strdup_printf("-c");
    argv[n++] = zr_strdup_printf("%s", probe_code);
    struct zr_env env;
    zr_env_init(&env);
    const char *drop[] = { "LD_PRELOAD", "LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", NULL };
    for (int i = 0; drop[i]; i++)
        zr_env_set(&env, drop[i], NULL);
    if (library_path) {
        zr_env_set(&env, "ZR_PYTHON_LOADER", zr_build_field(b, "loader"));
        zr_env_set(&env, "ZR_PYTHON_LIBRARY_PATH", library_path);
        free(library_path);
    }
    char *outpath = zr_strdup_printf("%s/out", dir), *errpath = zr_strdup_printf("%s/err", dir);
    /* libzmq itself comes from this machine's (found through ld.so.cache):
     * the probe asks only what the interpreter and pyzmq are. */
    struct zr_spawn s = { .argv = argv, .envp = env.vars, .out = ZR_OUTPUT_FILE(outpath),
                          .err = ZR_OUTPUT_FILE(errpath) };
    int status = zr_run_to_end(&s, 120, err, errlen);
    int rc = -1;
    if (status >= 0) {
        char *out = zr_read_file(outpath, NULL), *errtext = zr_read_file(errpath, NULL);
        rc = status == 0 ? read_probe(b, out, errtext, err, errlen) : -1;
        if (status != 0) {
            char last[300];
            zr_last_line(errtext, last, sizeof last);
            snprintf(err, errlen, "Python build %s: its interpreter exited with %d: %s", b->name, status, last);
        }
        free(out);
        free(errtext);
    }
    for (int i = 0; argv[i]; i++)
        free(argv[i]);
    zr_env_free(&env);
    free(outpath);
    free(errpath);
    zr_remove_tree(dir);
    return rc;
}

char *zr_pyext_dir(const struct zr_setup *setup, const struct zr_flavour *flavour)
{
    if (setup->python_build)
        return zr_strdup_printf("%s/pyext/%s", setup->python_build->prefix, flavour->name);
    return zr_strdup_printf("%s/pyext/%s", setup->build_dir, flavour->name);
}

/* pyclients/ext/<module>.c, else .cpp; NULL when neither exists. */
static char *module_source(const struct zr_setup *setup, const char *module)
{
    const char *suffixes[] = { ".c", ".cpp", NULL };
    for (int i = 0; suffixes[i]; i++) {
        char *path = zr_strdup_printf("%s/pyclients/ext/%s%s", setup->source_dir, module, suffixes[i]);
        if (access(path, R_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}

static bool newer_than(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           (sa.st_mtim.tv_sec > sb.st_mtim.tv_sec ||
            (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec && sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec));
}

int zr_pyext_ensure(const struct zr_setup *setup, const struct zr_flavour *flavour, const char *module, char *err,
                    size_t errlen)
{
    char *dir = zr_pyext_dir(setup, flavour);
    if (!setup->python_build) { /* the configured interpreter's: CMake builds them */
        bool built = access(dir, R_OK) == 0;
        if (!built)
            snprintf(err, errlen, "the extension module %s is not built (%s): run cmake --build", module, dir);
        free(dir);
        return built ? 0 : -1;
    }
    const struct zr_build *py = setup->python_build;
    char *source = module_source(setup, module);
    const char *suffix = zr_build_field(py, "ext_suffix");
    int rc = -1;
    if (!source) {
        snprintf(err, errlen, "no source pyclients/ext/%s.c or .cpp for the extension module %s", module, module);
    } else if (!suffix || !zr_build_field(py, "include_dirs")) {
        snprintf(err, errlen, "Python build %s names no headers or extension suffix: make it again with `zmq-repro "
                              "build --rebuild %s`", py->name, py->name);
    } else if (zr_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    } else {
        char *out = zr_strdup_printf("%s/%s%s", dir, module, suffix);
        if (access(out, R_OK) == 0 && !newer_than(source, out)) {
            rc = 0;
        } else {
            /* Built beside, then renamed: two runs at once never import half a file. */
            char *tmp = zr_strdup_printf("%s.tmp-%d", out, (int)getpid());
            fprintf(stderr, "zmq-repro: building the extension module %s for Python build %s (%s)\n", module, py->name,
                    flavour->name);
            rc = zr_compile_module(flavour, source, tmp, zr_build_field(py, "include_dirs"), err, errlen);
            if (rc == 0 && rename(tmp, out) != 0) {
                snprintf(err, errlen, "cannot move %s into place: %s", out, strerror(errno));
                rc = -1;
            }
            unlink(tmp);
            free(tmp);
        }
        free(out);
    }
    free(source);
    free(dir);
    return rc;
}

/* --- Free-threaded interpreters: the GIL must stay off. --- */

/* CPython's words when an extension module without Py_mod_gil turns the
 * GIL on (Python/import.c, 3.13): the module's name follows in quotes. */
static const char gil_warning[] = "The global interpreter lock (GIL) has been enabled to load module '";

char *zr_python_gil_finding(const char *sockets_log, const char *errpath)
{
    char *log = zr_read_file(sockets_log, NULL), *errtext = zr_read_file(errpath, NULL);
    char *finding = NULL;
    const char *warned = errtext ? strstr(errtext, gil_warning) : NULL;
    if (warned) {
        const char *name = warned + strlen(gil_warning);
        size_t n = strcspn(name, "'\n");
        char *module = zr_utf8_sanitize(name, n < 200 ? n : 200);
        finding = zr_strdup_printf("the GIL was enabled on this free-threaded Python: module '%s' does not declare "
                                   "Py_mod_gil (CPython says so on stderr), so the run did not test the program "
                                   "without the GIL; declare it (Py_MOD_GIL_NOT_USED) or use a non-free-threaded "
                                   "Python", module);
        free(module);
    } else {
        /* py_gil= is on the probe's SOCKET and CLOSE lines of a free-threaded
         * interpreter, as a field of its own (" py_gil=1"). */
        for (const char *at = log; at && (at = strstr(at, " py_gil=")); at += 8)
            if (at[8] == '1' && (at[9] == ' ' || at[9] == '\n' || at[9] == '\0')) {
                finding = zr_strdup_printf("the GIL was enabled on this free-threaded Python while the program ran "
                                           "(sys._is_gil_enabled() was True when it created or closed a socket: "
                                           "-X gil=1, PYTHON_GIL=1, or a module without Py_mod_gil), so the run "
                                           "did not test the program without the GIL");
                break;
            }
    }
    free(log);
    free(errtext);
    return finding;
}

const char *zr_python_case_na(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode)
{
    if (spec->language != ZR_LANG_PYTHON || mode < 0)
        return NULL;
    return zr_python_build_unfit(setup->python_build, &zr_modes[mode]);
}

const char *zr_python_build_unfit(const struct zr_build *py, const struct zr_mode *mode)
{
    if (!py)
        return NULL;
    const char *ft = zr_build_field(py, "free_threaded"), *tsan = zr_build_field(py, "thread_sanitizer");
    bool free_threaded = ft && !strcmp(ft, "yes"), instrumented = tsan && !strcmp(tsan, "yes");
    if (mode->needs == ZR_NEEDS_INSTRUMENTED && free_threaded && !instrumented)
        return "a free-threaded interpreter built without --with-thread-sanitizer: under TSan CPython's own code "
               "reports races (_PyObjectStack_Pop | _PyObjectStackChunk_New), false positives that would hide the "
               "program's; make python:3.13t-tsan for tsan mode";
    if (mode->needs != ZR_NEEDS_INSTRUMENTED && instrumented)
        return "an interpreter built with --with-thread-sanitizer runs only under TSan (tsan mode); use python:3.13t";
    return NULL;
}
