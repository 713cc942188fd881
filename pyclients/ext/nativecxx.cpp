/* nativecxx: a native C++ thread that keeps re-entering Python, with the
 * GIL handling of zeroc-ice's Python binding (IcePy) before and after its
 * PR #3838: the crash of Ice #3824 ("Fatal Python error: Segmentation
 * fault" at exit on Python 3.13, Py_DECREF in
 * IcePy::PyObjectHandle::~PyObjectHandle on a C++ thread).
 *
 *   client = nativecxx.Client(endpoint, gil, callback)  # gil: "pre3838" | "pr3838"
 *   client.delivered      # replies handed to callback so far
 *   client.stop()         # asks the native thread to stop (pr3838: and joins it)
 *
 * The native thread creates its own context and DEALER (only it uses them),
 * keeps one request ahead of the replies, and tells callback(size) of each
 * reply with the GIL taken, until it is asked to stop. The
 * callback releases the GIL inside (a time.sleep),
 * so the thread is inside Python, without the GIL, at any moment: when the
 * main thread returns, the interpreter's finalization begins while the
 * native thread still has to take the GIL back.
 *
 * What CPython does to such a thread depends on the version: up to 3.13 it
 * ends it with pthread_exit when it takes the GIL after finalization began;
 * 3.14 (gh-87135) blocks it forever instead. pthread_exit unwinds the stack
 * of a C++ thread and runs the destructors of its frames: here, as in IcePy,
 * the RAII handles that release Python references, which then DECREF
 * objects without the GIL in an interpreter being torn down.
 *
 * gil="pre3838" is IcePy's handling before the PR:
 *   - PyGILState_Ensure ... PyGILState_Release around each delivery;
 *   - PyObjectHandle, which calls Py_XDECREF in its destructor, unconditionally;
 *   - stop() only asks the thread to stop; nothing waits for it.
 * On 3.13 the unwinding's Py_XDECREF runs with no thread state at all (the
 * GIL was released inside the call), and freeing the object reaches for
 * the interpreter's allocator state through it: SIGSEGV. 3.11's allocator
 * is process-wide, so the same DECREF goes through.
 * gil="pr3838" is the handling after it:
 *   - PyGILState_Ensure, released only if PyGILState_Check() says this
 *     thread holds the GIL;
 *   - no DECREF once the interpreter is finalizing (Py_IsFinalizing, 3.13+);
 *   - stop() releases the GIL (Py_BEGIN_ALLOW_THREADS) while it joins the
 *     native thread, which can then finish the delivery it is in and end.
 *
 * The ROUTER server and the harness stay C; this module is C++ because the
 * crash needs a C++ destructor run by pthread_exit's unwinding (a C thread,
 * like pyclients/ext/nativeloop.c, is unwound without running anything).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <zmq.h>

#include <atomic>
#include <cstring>
#include <string>

namespace {

enum class Gil { pre3838, pr3838 };

bool finalizing()
{
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

/* IcePy::PyObjectHandle: owns one reference. */
class PyObjectHandle {
public:
    PyObjectHandle(PyObject *p, Gil gil) : p_(p), gil_(gil) {}
    ~PyObjectHandle()
    {
        /* PR #3838: during finalization the objects are deliberately leaked. */
        if (gil_ == Gil::pr3838 && finalizing())
            return;
        Py_XDECREF(p_); /* pre3838: the Py_DECREF of #3824's backtrace */
    }
    PyObject *get() const { return p_; }
    PyObjectHandle(const PyObjectHandle &) = delete;
    PyObjectHandle &operator=(const PyObjectHandle &) = delete;

private:
    PyObject *p_;
    Gil gil_;
};

struct Native {
    Gil gil;
    std::string endpoint;
    PyObject *callback; /* strong reference, released by the owner */
    pthread_t tid;
    bool started = false, joined = false; /* owner thread only */
    std::atomic<bool> stop{ false };
    std::atomic<long> delivered{ 0 };
};

/* Hands one reply to the callback, with the GIL taken. */
void deliver_pre3838(Native *n, const char *data, size_t len)
{
    PyGILState_STATE state = PyGILState_Ensure();
    {
        /* The reply, held by a handle while the callback runs (only the
         * handle refers to it: the callback is told its length). */
        PyObjectHandle reply(PyBytes_FromStringAndSize(data, (Py_ssize_t)len), n->gil);
        PyObjectHandle size(PyLong_FromSsize_t(PyBytes_GET_SIZE(reply.get())), n->gil);
        PyObjectHandle result(PyObject_CallOneArg(n->callback, size.get()), n->gil);
        if (!result.get())
            PyErr_Print();
    }
    n->delivered++;
    PyGILState_Release(state);
}

void deliver_pr3838(Native *n, const char *data, size_t len)
{
    PyGILState_STATE state = PyGILState_Ensure();
    {
        /* The reply, held by a handle while the callback runs (only the
         * handle refers to it: the callback is told its length). */
        PyObjectHandle reply(PyBytes_FromStringAndSize(data, (Py_ssize_t)len), n->gil);
        PyObjectHandle size(PyLong_FromSsize_t(PyBytes_GET_SIZE(reply.get())), n->gil);
        PyObjectHandle result(PyObject_CallOneArg(n->callback, size.get()), n->gil);
        if (!result.get())
            PyErr_Print();
    }
    n->delivered++;
    if (PyGILState_Check())
        PyGILState_Release(state);
}

void *native_main(void *arg)
{
    Native *n = static_cast<Native *>(arg);
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0, timeout = 1000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    if (zmq_connect(sock, n->endpoint.c_str()) == 0) {
        char buf[64], next[64];
        int len = snprintf(buf, sizeof buf, "request 0");
        bool sent = zmq_send(sock, buf, (size_t)len, 0) >= 0;
        for (long i = 1; sent && !n->stop.load(); i++) {
            int got = zmq_recv(sock, buf, sizeof buf, 0);
            if (got < 0)
                break; /* no reply within a second: the server is gone */
            size_t size = (size_t)got < sizeof buf ? (size_t)got : sizeof buf;
            /* The next request goes out before this reply is delivered: its
             * echo arrives while the callback runs, so the thread is inside
             * Python nearly all the time. */
            len = snprintf(next, sizeof next, "request %ld", i);
            sent = zmq_send(sock, next, (size_t)len, 0) >= 0;
            if (n->gil == Gil::pre3838)
                deliver_pre3838(n, buf, size);
            else
                deliver_pr3838(n, buf, size);
        }
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return nullptr;
}

struct ClientObject {
    PyObject_HEAD
    Native *n;
};

void join_native(ClientObject *self)
{
    Native *n = self->n;
    n->stop = true;
    if (!n->started || n->joined)
        return;
    /* PR #3838: the owner releases the GIL while it waits, so that the
     * native thread can take it to finish its delivery. */
    Py_BEGIN_ALLOW_THREADS
    pthread_join(n->tid, nullptr);
    Py_END_ALLOW_THREADS
    n->joined = true;
}

int Client_init(ClientObject *self, PyObject *args, PyObject *)
{
    const char *endpoint, *gil;
    PyObject *callback;
    if (!PyArg_ParseTuple(args, "ssO", &endpoint, &gil, &callback))
        return -1;
    if (strcmp(gil, "pre3838") && strcmp(gil, "pr3838")) {
        PyErr_SetString(PyExc_ValueError, "gil is 'pre3838' or 'pr3838'");
        return -1;
    }
    if (!PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable");
        return -1;
    }
    if (self->n) {
        PyErr_SetString(PyExc_RuntimeError, "Client is already started");
        return -1;
    }
    Native *n = new Native;
    n->gil = strcmp(gil, "pr3838") ? Gil::pre3838 : Gil::pr3838;
    n->endpoint = endpoint;
    Py_INCREF(callback);
    n->callback = callback;
    self->n = n;
    if (pthread_create(&n->tid, nullptr, native_main, n) != 0) {
        PyErr_SetString(PyExc_OSError, "pthread_create failed");
        return -1;
    }
    n->started = true;
    return 0;
}

PyObject *Client_stop(ClientObject *self, PyObject *)
{
    if (!self->n)
        Py_RETURN_NONE;
    if (self->n->gil == Gil::pr3838)
        join_native(self);
    else
        self->n->stop = true; /* pre3838: nothing waits for the thread */
    Py_RETURN_NONE;
}

PyObject *Client_delivered(ClientObject *self, void *)
{
    return PyLong_FromLong(self->n ? self->n->delivered.load() : 0);
}

void Client_dealloc(ClientObject *self)
{
    Native *n = self->n;
    if (n && n->started && !n->joined) {
        /* Still running (pre3838, or never stopped): it keeps its Native and
         * its callback; the process's end takes them. */
        pthread_detach(n->tid);
    } else if (n) {
        Py_XDECREF(n->callback);
        delete n;
    }
    Py_TYPE(self)->tp_free(reinterpret_cast<PyObject *>(self));
}

PyMethodDef client_methods[] = {
    { "stop", reinterpret_cast<PyCFunction>(Client_stop), METH_NOARGS, "stop the native thread" },
    { nullptr, nullptr, 0, nullptr },
};

PyGetSetDef client_getset[] = {
    { "delivered", reinterpret_cast<getter>(Client_delivered), nullptr, "replies handed to the callback", nullptr },
    { nullptr, nullptr, nullptr, nullptr, nullptr },
};

PyTypeObject ClientType = { PyVarObject_HEAD_INIT(nullptr, 0) };

PyModuleDef module_def = { PyModuleDef_HEAD_INIT };

} // namespace

PyMODINIT_FUNC PyInit_nativecxx(void)
{
    ClientType.tp_name = "nativecxx.Client";
    ClientType.tp_basicsize = sizeof(ClientObject);
    ClientType.tp_flags = Py_TPFLAGS_DEFAULT;
    ClientType.tp_new = PyType_GenericNew;
    ClientType.tp_init = reinterpret_cast<initproc>(Client_init);
    ClientType.tp_dealloc = reinterpret_cast<destructor>(Client_dealloc);
    ClientType.tp_methods = client_methods;
    ClientType.tp_getset = client_getset;
    if (PyType_Ready(&ClientType) < 0)
        return nullptr;
    module_def.m_name = "nativecxx";
    module_def.m_doc = "a native C++ thread re-entering Python (zeroc-ice #3824, PR #3838)";
    module_def.m_size = -1;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return nullptr;
#ifdef Py_GIL_DISABLED
    // Free-threaded CPython (3.13t) enables the GIL for a module that does not
    // say it can run without it; a single-phase module says so with this call
    // (Py_mod_gil is the slot of multi-phase init).
    if (PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED) < 0) {
        Py_DECREF(m);
        return nullptr;
    }
#endif
    Py_INCREF(&ClientType);
    if (PyModule_AddObject(m, "Client", reinterpret_cast<PyObject *>(&ClientType)) < 0) {
        Py_DECREF(&ClientType);
        Py_DECREF(m);
        return nullptr;
    }
    return m;
}
