#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "open_sockets.h"
#include "python_builds.h"
#include "text.h"

char *zr_loaded_log_path(const char *workdir)
{
    return zr_strdup_printf("%s/loaded.log", workdir);
}

/* "a:b" + ":" + "c", skipping empty parts; malloc'd. */
static char *join_path(const char *a, const char *b)
{
    if (!a || !*a)
        return zr_strdup_printf("%s", b ? b : "");
    if (!b || !*b)
        return zr_strdup_printf("%s", a);
    return zr_strdup_printf("%s:%s", a, b);
}

static char *substitute(const char *arg, const char *endpoint)
{
    const char *at = strstr(arg, "{endpoint}");
    if (!at)
        return zr_strdup_printf("%s", arg);
    return zr_strdup_printf("%.*s%s%s", (int)(at - arg), arg, endpoint, at + strlen("{endpoint}"));
}

static void set_preloads(const struct zr_setup *setup, const struct zr_mode *mode, bool keep_user,
                         struct zr_env *env)
{
    char *preload = zr_strdup_printf("%s", "");
    /* TSan's runtime first: it must be initialised before anything else runs. */
    if (mode->preload & ZR_PRELOAD_TSAN_RUNTIME) {
        char *p = join_path(preload, setup->libtsan);
        free(preload);
        preload = p;
    }
    if (mode->preload & ZR_PRELOAD_OWNER_CHECKER) {
        char *p = join_path(preload, setup->owner_lib);
        free(preload);
        preload = p;
    }
    char *p = join_path(preload, setup->loaded_probe);
    free(preload);
    preload = p;
    if (keep_user) {
        p = join_path(preload, zr_env_get(env, "LD_PRELOAD"));
        free(preload);
        preload = p;
    }
    zr_env_set(env, "LD_PRELOAD", preload);
    free(preload);
}

/* A path as a value of a sanitizer flag: quoted, as its flag parser reads quotes. */
static char *flag_path(const char *path)
{
    return strchr(path, '"') ? zr_strdup_printf("'%s'", path) : zr_strdup_printf("\"%s\"", path);
}

char *zr_tsan_options(bool halt, bool abort_on_report, const char *suppressions, const char *log_dir)
{
    char *supp = suppressions ? flag_path(suppressions) : NULL;
    char *log = NULL;
    if (log_dir) {
        char *where = zr_strdup_printf("%s/tsan", log_dir);
        log = flag_path(where);
        free(where);
    }
    char *opts = zr_strdup_printf("halt_on_error=%d:abort_on_error=%d:exitcode=66:second_deadlock_stack=1:"
                                  "atexit_sleep_ms=0%s%s%s%s%s",
                                  halt ? 1 : 0, abort_on_report ? 1 : 0, supp ? ":suppressions=" : "", supp ? supp : "",
                                  log ? ":log_path=" : "", log ? log : "", log ? ":log_exe_name=1" : "");
    free(supp);
    free(log);
    return opts;
}

/* The seed of a perturbed run: the one asked for, or a new one, kept with
 * the attempt so that the run can be replayed (--seed). From 1 to 2^63 - 1:
 * what --seed takes back, and what a result's JSON holds as it is. */
static void set_perturb_seed(const struct zr_setup *setup, struct zr_env *env, unsigned long long *seed)
{
    *seed = setup->seed;
    while (*seed == 0) {
        if (getrandom(seed, sizeof *seed, 0) != sizeof *seed)
            *seed = 0;
        *seed &= 0x7fffffffffffffffULL;
    }
    char text[32];
    snprintf(text, sizeof text, "%llu", *seed);
    zr_env_set(env, "ZMQ_OWNER_PERTURB", text);
}

static void set_tsan_options(const struct zr_setup *setup, const struct zr_mode *mode, const struct zr_program *prog,
                             struct zr_env *env)
{
    if (!mode->tsan_options) {
        if (!prog->keep_user_env)
            zr_env_set(env, "TSAN_OPTIONS", NULL);
        return;
    }
    /* halt_on_error: the first report ends the run (fast detection; a fixed
     * case fails on its first report). abort_on_error for Python: the abort
     * makes faulthandler print every Python thread's stack, which names the
     * script lines (the pyzmq frames in TSan's report are <null>).
     * atexit_sleep_ms=0: TSan otherwise sleeps 1 s at exit when threads remain. */
    char *opts = zr_tsan_options(true, prog->python, setup->suppressions, NULL);
    if (prog->keep_user_env && zr_env_get(env, "TSAN_OPTIONS")) {
        char *both = zr_strdup_printf("%s:%s", opts, zr_env_get(env, "TSAN_OPTIONS"));
        free(opts);
        opts = both;
    }
    zr_env_set(env, "TSAN_OPTIONS", opts);
    free(opts);
}

int zr_client_prepare(const struct zr_setup *setup, const struct zr_mode *mode, const struct zr_build *build,
                      const struct zr_program *prog, const char *endpoint, const char *workdir,
                      struct zr_client_cmd *cmd, char *err, size_t errlen)
{
    memset(cmd, 0, sizeof *cmd);
    const char *loader = zr_build_field(build, "loader");
    const char *lib_dir = zr_build_field(build, "lib_dir");
    int extra = 6 + (prog->python ? 1 : 0);
    cmd->argv = calloc((size_t)(prog->argc + extra + 1), sizeof *cmd->argv);
    if (!cmd->argv) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int n = 0;
    bool own_loader = prog->python && setup->python_build && zr_build_field(setup->python_build, "loader");
    char *python_library_path = NULL;
    if (own_loader) {
        /* A Python build of a newer Debian runs under its own glibc's loader;
         * the libzmq build's library comes after the interpreter's own, so
         * every Python combines with every libzmq build. */
        char *libzmq_dirs = loader ? join_path(zr_build_field(build, "loader_path"), lib_dir)
                                   : zr_strdup_printf("%s", lib_dir);
        n = zr_python_build_argv(setup->python_build, libzmq_dirs, cmd->argv, &python_library_path);
        free(libzmq_dirs);
        loader = zr_build_field(setup->python_build, "loader"); /* no LD_LIBRARY_PATH below */
    } else if (loader) {
        /* A build made for a newer glibc runs under that glibc's own loader,
         * named here rather than in LD_LIBRARY_PATH so that the program's own
         * children (which this loader does not start) are not broken by it. */
        cmd->argv[n++] = zr_strdup_printf("%s", loader);
        cmd->argv[n++] = zr_strdup_printf("--library-path");
        cmd->argv[n++] = join_path(zr_build_field(build, "loader_path"), lib_dir);
    }
    if (prog->python && !own_loader)
        cmd->argv[n++] = zr_strdup_printf("%s", setup->python);
    for (int i = 0; i < prog->argc; i++)
        cmd->argv[n++] = substitute(prog->argv[i], endpoint);
    cmd->argv[n] = NULL;

    struct zr_env *env = &cmd->env;
    zr_env_init(env);
    set_preloads(setup, mode, prog->keep_user_env, env);
    if (!loader) {
        char *path = join_path(lib_dir, prog->keep_user_env ? zr_env_get(env, "LD_LIBRARY_PATH") : NULL);
        zr_env_set(env, "LD_LIBRARY_PATH", path);
        free(path);
    } else if (!prog->keep_user_env) {
        zr_env_set(env, "LD_LIBRARY_PATH", NULL);
    }
    if (python_library_path) {
        /* For the launcher that is the interpreter's sys.executable: its children start it the same way. */
        zr_env_set(env, "ZR_PYTHON_LOADER", zr_build_field(setup->python_build, "loader"));
        zr_env_set(env, "ZR_PYTHON_LIBRARY_PATH", python_library_path);
        free(python_library_path);
    }
    set_tsan_options(setup, mode, prog, env);
    char *log = zr_loaded_log_path(workdir);
    zr_env_set(env, "ZR_LOADED_LOG", log);
    free(log);
    /* The probe's table of open sockets: what a hang in zmq_ctx_term waits for. */
    char *sockets = zr_sockets_log_path(workdir);
    zr_env_set(env, "ZR_SOCKETS_LOG", sockets);
    free(sockets);
    zr_env_set(env, "ZMQ_REPRO_ENDPOINT", endpoint);
    if (prog->python) {
        zr_env_set(env, "PYTHONDONTWRITEBYTECODE", "1");
        zr_env_set(env, "PYTHONFAULTHANDLER", "1"); /* Python stacks on a fatal signal, and on the watchdog's SIGABRT */
        zr_env_set(env, "PYTHONHOME", NULL);
        char *path = join_path(prog->pythonpath, prog->keep_user_env ? zr_env_get(env, "PYTHONPATH") : NULL);
        zr_env_set(env, "PYTHONPATH", *path ? path : NULL);
        free(path);
    }
    cmd->no_aslr = mode->no_aslr;
    if (mode->perturb)
        set_perturb_seed(setup, env, &cmd->seed);
    return 0;
}

void zr_client_cmd_free(struct zr_client_cmd *cmd)
{
    if (cmd->argv)
        for (int i = 0; cmd->argv[i]; i++)
            free(cmd->argv[i]);
    free(cmd->argv);
    zr_env_free(&cmd->env);
    memset(cmd, 0, sizeof *cmd);
}
