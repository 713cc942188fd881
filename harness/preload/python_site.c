/* The script line that created a socket, for a Python program: pyzmq calls
 * zmq_socket with the GIL held, so the calling thread's innermost Python
 * frame outside the zmq package is the user's line (ctx.socket(...)).
 *
 * Nothing of CPython is linked: its C API is looked up with
 * dlsym(RTLD_DEFAULT, ...) and used only when every function is there, the
 * interpreter is initialised and not finalising, this thread holds the GIL
 * and no exception is pending (so that ours, if any, can be cleared without
 * losing the program's). Only functions of the limited API of 3.9 and later,
 * present from 3.11 to 3.14, are used; the two that were renamed
 * (_Py_IsFinalizing, _PyThreadState_UncheckedGet) are looked up by both
 * names.
 *
 * On a free-threaded CPython (3.13t: sys.abiflags holds 't') it also reads
 * sys._is_gil_enabled(): an extension module that does not declare
 * Py_mod_gil, or -X gil=1, turns the GIL back on for the rest of the
 * process, and a run meant to show what happens without it must say so. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "probe_log.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <string.h>

typedef struct _object PyObject;

struct cpython {
    int (*is_initialized)(void);
    int (*is_finalizing)(void);
    int (*gil_check)(void);
    void *(*unchecked_tstate)(void);
    PyObject *(*err_occurred)(void);
    void (*err_clear)(void);
    PyObject *(*tstate_get_frame)(void *);
    PyObject *(*frame_get_back)(PyObject *);
    PyObject *(*frame_get_code)(PyObject *);
    int (*frame_get_line)(PyObject *);
    PyObject *(*get_attr)(PyObject *, const char *);
    const char *(*as_utf8)(PyObject *);
    void (*decref)(PyObject *);
    PyObject *(*sys_get)(const char *);
    PyObject *(*dict_get)(PyObject *, const char *);
    PyObject *(*dict_get_item)(PyObject *, PyObject *);
    unsigned long (*thread_ident)(void);
    PyObject *(*long_from_unsigned)(unsigned long);
    PyObject *(*call_no_args)(PyObject *);
    int (*is_true)(PyObject *);
};

static void *either(const char *a, const char *b)
{
    void *f = dlsym(RTLD_DEFAULT, a);
    return f ? f : dlsym(RTLD_DEFAULT, b);
}

/* 1: found, -1: this process has no CPython. Looked up once. */
static int find_cpython(struct cpython *py)
{
    static atomic_int state; /* 0 not yet, 1 found, -1 absent */
    static struct cpython found;
    int s = atomic_load_explicit(&state, memory_order_acquire);
    if (s == 0) {
        struct cpython f = {
            dlsym(RTLD_DEFAULT, "Py_IsInitialized"),    either("Py_IsFinalizing", "_Py_IsFinalizing"),
            dlsym(RTLD_DEFAULT, "PyGILState_Check"),
            either("PyThreadState_GetUnchecked", "_PyThreadState_UncheckedGet"),
            dlsym(RTLD_DEFAULT, "PyErr_Occurred"),      dlsym(RTLD_DEFAULT, "PyErr_Clear"),
            dlsym(RTLD_DEFAULT, "PyThreadState_GetFrame"), dlsym(RTLD_DEFAULT, "PyFrame_GetBack"),
            dlsym(RTLD_DEFAULT, "PyFrame_GetCode"),     dlsym(RTLD_DEFAULT, "PyFrame_GetLineNumber"),
            dlsym(RTLD_DEFAULT, "PyObject_GetAttrString"), dlsym(RTLD_DEFAULT, "PyUnicode_AsUTF8"),
            dlsym(RTLD_DEFAULT, "Py_DecRef"),           dlsym(RTLD_DEFAULT, "PySys_GetObject"),
            dlsym(RTLD_DEFAULT, "PyDict_GetItemString"), dlsym(RTLD_DEFAULT, "PyDict_GetItem"),
            dlsym(RTLD_DEFAULT, "PyThread_get_thread_ident"), dlsym(RTLD_DEFAULT, "PyLong_FromUnsignedLong"),
            dlsym(RTLD_DEFAULT, "PyObject_CallNoArgs"), dlsym(RTLD_DEFAULT, "PyObject_IsTrue"),
        };
        s = 1;
        void *const *each = (void *const *)&f;
        for (size_t i = 0; i < sizeof f / sizeof(void *); i++)
            if (!each[i])
                s = -1;
        if (s == 1)
            found = f;
        atomic_store_explicit(&state, s, memory_order_release);
    }
    if (s == 1)
        *py = found;
    return s;
}

static void copy_utf8(const struct cpython *py, PyObject *text, char *to, size_t size)
{
    const char *s = text ? py->as_utf8(text) : NULL;
    if (!s)
        return;
    size_t n = strnlen(s, size - 1);
    memcpy(to, s, n);
    to[n] = '\0';
}

/* "/usr/lib/python3/dist-packages/zmq/": the folder of the zmq package
 * (sys.modules['zmq'].__file__ less its last component), or "/zmq/". */
static void zmq_package_dir(const struct cpython *py, char *dir, size_t size)
{
    memcpy(dir, "/zmq/", 6);
    PyObject *modules = py->sys_get("modules"); /* borrowed */
    PyObject *zmq = modules ? py->dict_get(modules, "zmq") : NULL; /* borrowed */
    PyObject *file = zmq ? py->get_attr(zmq, "__file__") : NULL;
    char path[1024] = "";
    copy_utf8(py, file, path, sizeof path);
    if (file)
        py->decref(file);
    char *slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) + 2 <= size) {
        slash[1] = '\0';
        memcpy(dir, path, strlen(path) + 1);
    }
}

/* Fills file, func and line from the innermost frame outside zmq_dir (or
 * the innermost frame when every frame is inside it). */
static int walk_frames(const struct cpython *py, const char *zmq_dir, struct python_site *site)
{
    PyObject *frame = py->tstate_get_frame(py->unchecked_tstate()); /* new reference */
    int found = 0;
    for (int depth = 0; frame && depth < 200; depth++) {
        PyObject *code = py->frame_get_code(frame);
        PyObject *file = code ? py->get_attr(code, "co_filename") : NULL;
        PyObject *name = code ? py->get_attr(code, "co_name") : NULL;
        char path[sizeof site->file] = "";
        copy_utf8(py, file, path, sizeof path);
        int inside_zmq = strstr(path, zmq_dir) != NULL;
        if (path[0] && (!found || !inside_zmq)) {
            memcpy(site->file, path, sizeof path);
            site->func[0] = '\0';
            copy_utf8(py, name, site->func, sizeof site->func);
            site->line = py->frame_get_line(frame);
            found = 1;
        }
        if (file)
            py->decref(file);
        if (name)
            py->decref(name);
        if (code)
            py->decref(code);
        PyObject *back = inside_zmq ? py->frame_get_back(frame) : NULL;
        py->decref(frame);
        frame = back;
    }
    if (frame)
        py->decref(frame);
    return found;
}

/* The name of this thread's threading.Thread: threading._active[get_ident()]._name,
 * when threading is imported. Not current_thread(): for a thread that
 * threading did not start, it would register a _DummyThread, a change the
 * program could see. */
static void python_thread_name(const struct cpython *py, char *to, size_t size)
{
    PyObject *modules = py->sys_get("modules");
    PyObject *threading = modules ? py->dict_get(modules, "threading") : NULL;
    PyObject *active = threading ? py->get_attr(threading, "_active") : NULL;
    PyObject *ident = active ? py->long_from_unsigned(py->thread_ident()) : NULL;
    PyObject *thread = ident ? py->dict_get_item(active, ident) : NULL; /* borrowed */
    /* _name, not the name property: no Python code runs here (no switch of
     * the GIL to another thread, no signal handler whose exception we would
     * have to clear). */
    PyObject *name = thread ? py->get_attr(thread, "_name") : NULL;
    copy_utf8(py, name, to, size);
    if (name)
        py->decref(name);
    if (ident)
        py->decref(ident);
    if (active)
        py->decref(active);
}

/* 1: the GIL is enabled, 0: disabled, -1: not a free-threaded CPython, or
 * unknown. sys._is_gil_enabled is a C function: no Python code runs. */
static int gil_state(const struct cpython *py)
{
    char abiflags[16] = "";
    copy_utf8(py, py->sys_get("abiflags"), abiflags, sizeof abiflags); /* borrowed */
    if (py->err_occurred())
        py->err_clear();
    if (!strchr(abiflags, 't'))
        return -1;
    PyObject *f = py->sys_get("_is_gil_enabled"); /* borrowed */
    PyObject *r = f ? py->call_no_args(f) : NULL;
    int on = r ? py->is_true(r) : -1;
    if (r)
        py->decref(r);
    if (py->err_occurred())
        py->err_clear();
    return on < 0 ? -1 : on;
}

/* True when CPython's API may be used on this thread now (see the top). */
static int usable(const struct cpython *py)
{
    return py->is_initialized() && !py->is_finalizing() && py->unchecked_tstate() && py->gil_check() &&
           !py->err_occurred();
}

int probe_python_gil(void)
{
    struct cpython py;
    if (find_cpython(&py) != 1 || !usable(&py))
        return -1;
    return gil_state(&py);
}

int probe_python_site(struct python_site *site)
{
    struct cpython py;
    memset(site, 0, sizeof *site);
    site->gil = -1;
    if (find_cpython(&py) != 1)
        return 0;
    if (!usable(&py))
        return 0;
    char zmq_dir[1024];
    zmq_package_dir(&py, zmq_dir, sizeof zmq_dir);
    if (py.err_occurred())
        py.err_clear();
    int found = walk_frames(&py, zmq_dir, site);
    if (py.err_occurred())
        py.err_clear();
    python_thread_name(&py, site->thread, sizeof site->thread);
    if (py.err_occurred())
        py.err_clear(); /* ours: there was none before */
    site->gil = gil_state(&py);
    return found;
}
