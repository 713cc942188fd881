/* zr-python3.X: the sys.executable of a Python build that runs under its own
 * suite's glibc. Such an interpreter cannot be exec'd directly: its ELF names
 * this machine's older loader. The runner starts it as
 *     LOADER --library-path DIRS --argv0 PREFIX/usr/bin/zr-python3.X PREFIX/usr/bin/python3.X ...
 * so that sys.executable is this launcher, placed next to the interpreter
 * (CPython finds its prefix from there). Whatever re-executes sys.executable
 * (multiprocessing's forkserver and spawn, subprocess with sys.executable,
 * compileall -j) runs this program, which starts the interpreter the same
 * way again: the loader and its search path come from the environment the
 * runner gave the first interpreter (ZR_PYTHON_LOADER, ZR_PYTHON_LIBRARY_PATH),
 * the interpreter from this file's own name and folder. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc;
    const char *loader = getenv("ZR_PYTHON_LOADER");
    const char *library_path = getenv("ZR_PYTHON_LIBRARY_PATH");
    if (!loader || !*loader || !library_path) {
        fprintf(stderr, "zr-python: ZR_PYTHON_LOADER and ZR_PYTHON_LIBRARY_PATH are not set: this launcher of a "
                        "Python build is started by zmq-repro (or a process it started, with its environment)\n");
        return 127;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "zr-python: cannot read /proc/self/exe: %s\n", strerror(errno));
        return 127;
    }
    self[n] = '\0';
    /* .../usr/bin/zr-python3.13 -> .../usr/bin/python3.13 */
    char *base = strrchr(self, '/');
    if (!base || strncmp(base + 1, "zr-", 3)) {
        fprintf(stderr, "zr-python: %s is not named zr-<interpreter>\n", self);
        return 127;
    }
    char interpreter[PATH_MAX];
    int len = snprintf(interpreter, sizeof interpreter, "%.*s/%s", (int)(base - self), self, base + 4);
    if (len <= 0 || len >= (int)sizeof interpreter)
        return 127;
    char **args = calloc((size_t)argc + 7, sizeof *args);
    if (!args)
        return 127;
    int k = 0;
    args[k++] = (char *)loader;
    args[k++] = (char *)"--library-path";
    args[k++] = (char *)library_path;
    args[k++] = (char *)"--argv0";
    args[k++] = self;
    args[k++] = interpreter;
    for (int i = 1; i < argc; i++)
        args[k++] = argv[i];
    args[k] = NULL;
    execv(loader, args);
    fprintf(stderr, "zr-python: cannot run %s: %s\n", loader, strerror(errno));
    return 127;
}
