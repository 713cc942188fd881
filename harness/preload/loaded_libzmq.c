/* libzr_loaded.so: preloaded into every client the runner starts, it writes
 * down which libzmq file the process really mapped, and that file's own
 * zmq_version(), so that a result names the library the client used and not
 * the one it was asked to use (a RUNPATH, an RPATH, a wheel's bundled copy
 * or a static link can all win over LD_LIBRARY_PATH).
 *
 * It looks when the process starts (libzmq linked in) and after every
 * dlopen (pyzmq's extension modules, ctypes), and appends one line per
 * process to the file named by ZR_LOADED_LOG:
 *     LOADED pid=4242 version=4.3.4 runtimes=tsan,python,- path=/usr/lib/x86_64-linux-gnu/libzmq.so.5
 * (runtimes: the ones loaded in the process whose reports can be trusted:
 * ThreadSanitizer, the ownership checker, CPython; "-" ends the list)
 * Nothing else: it changes no behaviour of the program. Its sockets are
 * followed by socket_log.c, in the same library. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int reported;

static int find_libzmq(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *base = strrchr(info->dlpi_name, '/');
    base = base ? base + 1 : info->dlpi_name;
    if (strncmp(base, "libzmq.so", 9))
        return 0;
    *(const char **)data = info->dlpi_name;
    return 1;
}

static void report(void)
{
    if (atomic_load(&reported))
        return;
    const char *path = NULL;
    dl_iterate_phdr(find_libzmq, &path);
    if (!path || atomic_exchange(&reported, 1))
        return;
    const char *log = getenv("ZR_LOADED_LOG");
    if (!log)
        return;
    int major = -1, minor = -1, patch = -1;
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (handle) {
        void (*version)(int *, int *, int *) = (void (*)(int *, int *, int *))dlsym(handle, "zmq_version");
        if (version)
            version(&major, &minor, &patch);
        dlclose(handle);
    }
    /* The runtimes whose reports the verdict may trust in this process: a
     * report counts only where the runtime that prints it was loaded. */
    bool tsan = dlsym(RTLD_DEFAULT, "__tsan_func_entry") != NULL;
    bool owner = dlsym(RTLD_DEFAULT, "zmq_owner_migrate") != NULL;
    bool python = dlsym(RTLD_DEFAULT, "Py_IsInitialized") != NULL;
    char line[4200];
    int n = snprintf(line, sizeof line, "LOADED pid=%d version=%d.%d.%d runtimes=%s%s%s- path=%s\n", (int)getpid(),
                     major, minor, patch, tsan ? "tsan," : "", owner ? "owner," : "", python ? "python," : "", path);
    if (n <= 0 || n >= (int)sizeof line)
        return;
    int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    /* One write of a whole line: lines of several processes never mix. */
    ssize_t written = write(fd, line, (size_t)n);
    (void)written;
    close(fd);
}

__attribute__((constructor)) static void at_start(void)
{
    report();
}

typedef void *(*dlopen_fn)(const char *, int);

__attribute__((visibility("default"))) void *dlopen(const char *file, int flags)
{
    static _Atomic(dlopen_fn) real_dlopen;
    dlopen_fn real = atomic_load(&real_dlopen);
    if (!real) {
        real = (dlopen_fn)dlsym(RTLD_NEXT, "dlopen");
        atomic_store(&real_dlopen, real);
    }
    void *handle = real(file, flags);
    if (handle)
        report();
    return handle;
}
