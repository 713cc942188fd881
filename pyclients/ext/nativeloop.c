/* nativeloop: a native thread that owns a DEALER and completes asyncio
 * futures, with the GIL handling of zeroc-ice's Python binding before and
 * after its PR #3838 (issues #3824 and #3840).
 *
 *   client = nativeloop.Client(endpoint, loop, gil)   # gil: "pre3838" | "pr3838"
 *   fut = client.request(b"payload")    # an asyncio.Future of the reply
 *   client.stop()                       # stops and joins the native thread
 *   client.issued, client.delivered     # requests queued, replies handed to the loop
 *
 * The constructor creates a context and a DEALER and connects it (in the
 * calling thread, so that a bad endpoint raises there), then starts a native
 * thread and hands it the socket: from then on only that thread uses the
 * socket, closes it and terminates the context. request() queues the payload
 * under a mutex; the native thread sends it, and for each reply (the server
 * echoes in order) it takes the GIL and calls
 * loop.call_soon_threadsafe(future.set_result, reply), as Ice's destroyAsync
 * callback does. call_soon_threadsafe writes to the loop's self-pipe, and that
 * socket write releases the GIL inside the call: the native thread is then
 * inside Python with the GIL released under it.
 *
 * gil="pre3838" is Ice's handling before the PR:
 *   - every delivery: PyGILState_Ensure ... PyGILState_Release (Ice's RAII
 *     AdoptThread), and the DECREFs, unconditionally;
 *   - stop() joins the native thread while holding the GIL. If the thread is
 *     waiting for the GIL at that moment (a reply still to deliver), neither
 *     can go on: the deadlock of #3840.
 * gil="pr3838" is the handling after it:
 *   - PyGILState_Ensure directly; after the call the GIL is released only if
 *     PyGILState_Check() says this thread holds it; the DECREFs are skipped
 *     (the objects deliberately leaked) when the interpreter is finalizing;
 *   - stop() releases the GIL (Py_BEGIN_ALLOW_THREADS) while it joins, so the
 *     native thread can finish its delivery and see the stop request.
 *
 * Python C API, libzmq and pthread only; one file, built as module nativeloop.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#if PY_VERSION_HEX >= 0x030D0000
#define NL_IS_FINALIZING() Py_IsFinalizing()
#else
#define NL_IS_FINALIZING() _Py_IsFinalizing()
#endif

enum gil_mode { GIL_PRE3838, GIL_PR3838 };

/* One request: its future (a strong reference) and, until sent, its payload. */
struct request {
    struct request *next;
    PyObject *future;
    char *data;
    size_t len;
};

/* What the native thread uses: plain C, never freed before the join. */
struct native {
    enum gil_mode mode;
    void *ctx;
    void *sock;              /* the native thread's from pthread_create on */
    PyObject *loop;          /* strong reference, released by the owner */
    pthread_t tid;
    int running;             /* owner thread only: started and not joined */
    int stop;                /* atomic: the owner asked the thread to stop */
    long issued;             /* atomic */
    long delivered;          /* atomic */
    pthread_mutex_t lock;    /* protects queued */
    struct request *queued, **queued_tail;
    struct request *inflight, **inflight_tail; /* native thread only */
};

typedef struct {
    PyObject_HEAD
    struct native *n;
} ClientObject;

static void push(struct request ***tail, struct request *r)
{
    r->next = NULL;
    **tail = r;
    *tail = &r->next;
}

/* Hands one reply to the loop: loop.call_soon_threadsafe(fut.set_result, reply). */
static void deliver(struct native *n, PyObject *future, const char *buf, size_t len)
{
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject *reply = PyBytes_FromStringAndSize(buf, (Py_ssize_t) len);
    PyObject *set_result = PyObject_GetAttrString(future, "set_result");
    PyObject *r = NULL;
    if (reply && set_result)
        /* Releases the GIL inside, in the self-pipe write. */
        r = PyObject_CallMethod(n->loop, "call_soon_threadsafe", "OO", set_result, reply);
    if (!r)
        PyErr_WriteUnraisable(n->loop);

    if (n->mode == GIL_PRE3838) {
        Py_XDECREF(r);
        Py_XDECREF(set_result);
        Py_XDECREF(reply);
        Py_DECREF(future);
        PyGILState_Release(st);
    } else {
        if (!NL_IS_FINALIZING()) {
            Py_XDECREF(r);
            Py_XDECREF(set_result);
            Py_XDECREF(reply);
            Py_DECREF(future);
        } /* else: leaked on purpose, DECREF is not safe during finalization */
        if (PyGILState_Check())
            PyGILState_Release(st);
    }
    __atomic_add_fetch(&n->delivered, 1, __ATOMIC_RELAXED);
}

static void *native_main(void *arg)
{
    struct native *n = arg;
    char buf[256];
    while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&n->lock);
        struct request *todo = n->queued;
        n->queued = NULL;
        n->queued_tail = &n->queued;
        pthread_mutex_unlock(&n->lock);
        while (todo) {
            struct request *r = todo;
            todo = r->next;
            zmq_send(n->sock, r->data, r->len, 0); /* unlimited SNDHWM: never blocks */
            free(r->data);
            r->data = NULL;
            push(&n->inflight_tail, r);
        }

        zmq_pollitem_t item = { n->sock, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, 5) <= 0)
            continue;
        int len;
        while ((len = zmq_recv(n->sock, buf, sizeof buf, ZMQ_DONTWAIT)) >= 0) {
            struct request *r = n->inflight;
            if (!r)
                continue; /* a reply to nothing: ignore it */
            n->inflight = r->next;
            if (!n->inflight)
                n->inflight_tail = &n->inflight;
            size_t got = (size_t) len < sizeof buf ? (size_t) len : sizeof buf;
            deliver(n, r->future, buf, got); /* takes over the future's reference */
            free(r);
        }
    }
    /* The thread's own socket, closed by the thread that used it. */
    zmq_close(n->sock);
    n->sock = NULL;
    zmq_ctx_term(n->ctx);
    n->ctx = NULL;
    return NULL;
}

static void free_requests(struct request *r)
{
    while (r) {
        struct request *next = r->next;
        Py_DECREF(r->future);
        free(r->data);
        free(r);
        r = next;
    }
}

/* Stops and joins the native thread; the caller holds the GIL. */
static void native_stop(struct native *n)
{
    if (!n->running)
        return;
    __atomic_store_n(&n->stop, 1, __ATOMIC_RELEASE);
    if (n->mode == GIL_PRE3838) {
        pthread_join(n->tid, NULL); /* BROKEN: joins with the GIL held */
    } else {
        Py_BEGIN_ALLOW_THREADS
        pthread_join(n->tid, NULL); /* the thread may need the GIL to finish */
        Py_END_ALLOW_THREADS
    }
    n->running = 0;
    /* Futures never answered: released here, by the owner, with the GIL. */
    free_requests(n->inflight);
    n->inflight = NULL;
    n->inflight_tail = &n->inflight;
    free_requests(n->queued);
    n->queued = NULL;
    n->queued_tail = &n->queued;
}

static int Client_init(ClientObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = { "endpoint", "loop", "gil", NULL };
    const char *endpoint, *gil;
    PyObject *loop;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "sOs", kwlist, &endpoint, &loop, &gil))
        return -1;
    if (self->n) {
        PyErr_SetString(PyExc_RuntimeError, "Client already initialized");
        return -1;
    }
    enum gil_mode mode;
    if (!strcmp(gil, "pre3838"))
        mode = GIL_PRE3838;
    else if (!strcmp(gil, "pr3838"))
        mode = GIL_PR3838;
    else {
        PyErr_Format(PyExc_ValueError, "gil must be 'pre3838' or 'pr3838', not '%s'", gil);
        return -1;
    }

    struct native *n = calloc(1, sizeof *n);
    if (!n) {
        PyErr_NoMemory();
        return -1;
    }
    n->mode = mode;
    n->queued_tail = &n->queued;
    n->inflight_tail = &n->inflight;
    pthread_mutex_init(&n->lock, NULL);
    n->ctx = zmq_ctx_new();
    n->sock = zmq_socket(n->ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(n->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(n->sock, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(n->sock, ZMQ_RCVHWM, &zero, sizeof zero);
    if (zmq_connect(n->sock, endpoint) != 0) {
        PyErr_Format(PyExc_ConnectionError, "zmq_connect %s: %s", endpoint, zmq_strerror(errno));
        zmq_close(n->sock);
        zmq_ctx_term(n->ctx);
        pthread_mutex_destroy(&n->lock);
        free(n);
        return -1;
    }
    Py_INCREF(loop);
    n->loop = loop;
    /* pthread_create is the hand-over of the socket to the native thread. */
    int rc = pthread_create(&n->tid, NULL, native_main, n);
    if (rc != 0) {
        PyErr_Format(PyExc_RuntimeError, "pthread_create: %s", strerror(rc));
        zmq_close(n->sock);
        zmq_ctx_term(n->ctx);
        Py_DECREF(loop);
        pthread_mutex_destroy(&n->lock);
        free(n);
        return -1;
    }
    n->running = 1;
    self->n = n;
    return 0;
}

static PyObject *Client_request(ClientObject *self, PyObject *arg)
{
    struct native *n = self->n;
    if (!n || !n->running) {
        PyErr_SetString(PyExc_RuntimeError, "client is stopped");
        return NULL;
    }
    char *data;
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(arg, &data, &len) == -1)
        return NULL;
    PyObject *future = PyObject_CallMethod(n->loop, "create_future", NULL);
    if (!future)
        return NULL;
    struct request *r = malloc(sizeof *r);
    char *copy = malloc(len ? (size_t) len : 1);
    if (!r || !copy) {
        free(r);
        free(copy);
        Py_DECREF(future);
        return PyErr_NoMemory();
    }
    memcpy(copy, data, (size_t) len);
    r->data = copy;
    r->len = (size_t) len;
    Py_INCREF(future); /* the queue's reference, released by deliver() or stop() */
    r->future = future;
    pthread_mutex_lock(&n->lock);
    push(&n->queued_tail, r);
    pthread_mutex_unlock(&n->lock);
    __atomic_add_fetch(&n->issued, 1, __ATOMIC_RELAXED);
    return future;
}

static PyObject *Client_stop(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->n)
        native_stop(self->n);
    Py_RETURN_NONE;
}

static PyObject *Client_get_issued(ClientObject *self, void *Py_UNUSED(closure))
{
    return PyLong_FromLong(self->n ? __atomic_load_n(&self->n->issued, __ATOMIC_RELAXED) : 0);
}

static PyObject *Client_get_delivered(ClientObject *self, void *Py_UNUSED(closure))
{
    return PyLong_FromLong(self->n ? __atomic_load_n(&self->n->delivered, __ATOMIC_RELAXED) : 0);
}

static void Client_dealloc(ClientObject *self)
{
    struct native *n = self->n;
    if (n) {
        native_stop(n); /* same GIL handling as stop() */
        Py_XDECREF(n->loop);
        pthread_mutex_destroy(&n->lock);
        free(n);
        self->n = NULL;
    }
    Py_TYPE(self)->tp_free((PyObject *) self);
}

static PyMethodDef Client_methods[] = {
    { "request", (PyCFunction) Client_request, METH_O,
      "request(payload: bytes) -> asyncio.Future: queue a request; the future gets the reply" },
    { "stop", (PyCFunction) Client_stop, METH_NOARGS,
      "stop(): ask the native thread to stop and join it" },
    { NULL, NULL, 0, NULL }
};

static PyGetSetDef Client_getset[] = {
    { "issued", (getter) Client_get_issued, NULL, "requests queued so far", NULL },
    { "delivered", (getter) Client_get_delivered, NULL, "replies handed to the loop so far", NULL },
    { NULL, NULL, NULL, NULL, NULL }
};

static PyTypeObject ClientType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nativeloop.Client",
    .tp_doc = "Client(endpoint, loop, gil): a native thread owning a DEALER that "
              "completes asyncio futures with loop.call_soon_threadsafe; "
              "gil is 'pre3838' or 'pr3838' (zeroc-ice PR #3838)",
    .tp_basicsize = sizeof(ClientObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc) Client_init,
    .tp_dealloc = (destructor) Client_dealloc,
    .tp_methods = Client_methods,
    .tp_getset = Client_getset,
};

static struct PyModuleDef nativeloop_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "nativeloop",
    .m_doc = "A native thread owning a DEALER that completes asyncio futures, "
             "with the GIL handling of zeroc-ice before and after PR #3838.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit_nativeloop(void)
{
    if (PyType_Ready(&ClientType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&nativeloop_module);
    if (!m)
        return NULL;
#ifdef Py_GIL_DISABLED
    /* Free-threaded CPython (3.13t) enables the GIL for a module that does not
     * say it can run without it. This one can: its shared state is a mutex-held
     * queue and atomics, and every Python call is made with a thread state.
     * A single-phase module says so with this call (Py_mod_gil is the slot of
     * multi-phase init). */
    if (PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED) < 0) {
        Py_DECREF(m);
        return NULL;
    }
#endif
    Py_INCREF(&ClientType);
    if (PyModule_AddObject(m, "Client", (PyObject *) &ClientType) < 0) {
        Py_DECREF(&ClientType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
