#include "environment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "process.h"
#include "text.h"

json_t *zr_libzmq_info(const struct zr_setup *setup, enum zr_mode mode, char *err, size_t errlen)
{
    char path[1024];
    if (mode == ZR_MODE_TSAN)
        snprintf(path, sizeof path, "%s/build-info.json", setup->tsan_libzmq);
    else
        snprintf(path, sizeof path, "%s", ZR_SYSTEM_LIBZMQ_INFO);
    json_error_t jerr;
    json_t *info = json_load_file(path, 0, &jerr);
    if (!info)
        snprintf(err, errlen, "no libzmq build described at %s (%s): re-run cmake, which builds or finds it",
                 path, jerr.text);
    return info;
}

/* Asks the interpreter, in the client's own environment, for its versions
 * and for the libzmq it really mapped. */
static json_t *probe_python(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode,
                            char *err, size_t errlen)
{
    static const char probe[] =
        "import sys, zmq\n"
        "print(sys.version.split()[0]); print(zmq.__version__); print(zmq.zmq_version())\n"
        "print(next((l.split()[-1] for l in open('/proc/self/maps') if 'libzmq' in l), '?'))\n";
    char dir[] = "/tmp/zmq-repro-probe.XXXXXX";
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "cannot make a temporary directory");
        return NULL;
    }
    char outpath[128], errpath[128];
    snprintf(outpath, sizeof outpath, "%s/out", dir);
    snprintf(errpath, sizeof errpath, "%s/err", dir);
    char *argv[] = { (char *)setup->python, "-c", (char *)probe, NULL };
    struct zr_env env;
    zr_client_env(setup, spec, mode, &env);
    struct zr_spawn s = { argv, env.vars, outpath, -1, errpath, mode == ZR_MODE_TSAN };
    struct zr_proc proc;
    char cause[512];
    int rc = zr_spawn(&s, &proc, cause, sizeof cause);
    zr_env_free(&env);
    if (rc != 0) {
        snprintf(err, errlen, "%s: install python3-zmq (apt-get install python3-zmq) or name an interpreter with --python", cause);
        return NULL;
    }
    bool ended = zr_wait(&proc, 60);
    zr_finish(&proc);
    char *out = zr_read_file(outpath, NULL), *errtext = zr_read_file(errpath, NULL);
    unlink(outpath);
    unlink(errpath);
    rmdir(dir);

    json_t *info = NULL;
    char version[64] = "", pyzmq[64] = "", libzmq[64] = "", mapped[512] = "";
    if (ended && WIFEXITED(proc.status) && WEXITSTATUS(proc.status) == 0 && out &&
        sscanf(out, "%63s %63s %63s %511s", version, pyzmq, libzmq, mapped) == 4) {
        info = json_pack("{s:s, s:s, s:s, s:s, s:s}", "executable", setup->python, "version", version, "pyzmq",
                         pyzmq, "libzmq_version", libzmq, "libzmq_loaded", mapped);
    } else {
        char last[300];
        zr_last_line(errtext, last, sizeof last);
        if (strstr(errtext ? errtext : "", "FATAL: ThreadSanitizer"))
            snprintf(err, errlen, "ThreadSanitizer failed to start in %s: %s", setup->python, last);
        else
            snprintf(err, errlen,
                     "%s cannot import zmq (%s): install python3-zmq (apt-get install python3-zmq) "
                     "or name an interpreter that has pyzmq with --python",
                     setup->python, last[0] ? last : "no output");
    }
    free(out);
    free(errtext);
    if (info && mode == ZR_MODE_TSAN) {
        char *want = realpath(setup->tsan_libzmq, NULL);
        if (!want || strncmp(mapped, want, strlen(want))) {
            snprintf(err, errlen,
                     "under TSan pyzmq loaded %s, not the instrumented libzmq of %s; TSan cannot see into it. "
                     "Use Debian's python3-zmq (it links the system libzmq, which the preload replaces), "
                     "not a wheel with a bundled libzmq",
                     mapped, setup->tsan_libzmq);
            json_decref(info);
            info = NULL;
        }
        free(want);
    }
    return info;
}

json_t *zr_preflight(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode, char *err,
                     size_t errlen)
{
    json_t *libzmq = zr_libzmq_info(setup, mode, err, errlen);
    if (!libzmq)
        return NULL;
    json_t *env = json_object();
    json_object_set_new(env, "libzmq", libzmq);

    if (spec->language == ZR_LANG_C) {
        char client[1024];
        zr_client_path(setup, spec, mode, client, sizeof client);
        if (access(client, X_OK) != 0) {
            snprintf(err, errlen, "the client of %s is not built (%s): run cmake --build on the build directory",
                     spec->id, client);
            json_decref(env);
            return NULL;
        }
        json_object_set_new(env, "compiler",
                            json_pack("{s:s, s:s}", "cc", ZR_C_COMPILER, "flags",
                                      mode == ZR_MODE_TSAN ? ZR_TSAN_CFLAGS : ZR_STRESS_CFLAGS));
    } else {
        if (spec->pymodule[0]) {
            char dir[1024];
            snprintf(dir, sizeof dir, "%s/pyext/%s", setup->build_dir, zr_mode_name(mode));
            if (access(dir, R_OK) != 0) {
                snprintf(err, errlen, "the extension module %s is not built (%s): run cmake --build", spec->pymodule,
                         dir);
                json_decref(env);
                return NULL;
            }
            json_object_set_new(env, "compiler",
                                json_pack("{s:s, s:s}", "cc", ZR_C_COMPILER, "flags",
                                          mode == ZR_MODE_TSAN ? ZR_TSAN_CFLAGS : ZR_STRESS_CFLAGS));
        }
        json_t *python = probe_python(setup, spec, mode, err, errlen);
        if (!python) {
            json_decref(env);
            return NULL;
        }
        json_object_set_new(env, "python", python);
    }
    struct utsname u;
    uname(&u);
    json_object_set_new(env, "host", json_pack("{s:s, s:s, s:i}", "kernel", u.release, "machine", u.machine, "cpus",
                                               (int)sysconf(_SC_NPROCESSORS_ONLN)));
    return env;
}
