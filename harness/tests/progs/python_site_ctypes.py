# A test program: the probe's Python creation site on any CPython, without
# pyzmq. libzmq is loaded into a local scope (as pyzmq's extension is), and
# zmq_socket is called through the global scope, i.e. the preloaded probe's,
# with the GIL held (ctypes.PyDLL), as pyzmq calls it: once from the main
# thread, once from a thread named worker-py, both from make() below.
#
# usage: python3 python_site_ctypes.py
import ctypes
import sys
import threading

lib = ctypes.CDLL("libzmq.so.5")
global_scope = ctypes.PyDLL(None)
lib.zmq_ctx_new.restype = ctypes.c_void_p
global_scope.zmq_socket.restype = ctypes.c_void_p
global_scope.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
DEALER = 5


def make(ctx):
    return global_scope.zmq_socket(ctx, DEALER)


def main():
    ctx = lib.zmq_ctx_new()
    if not make(ctx):
        sys.exit("zmq_socket failed")
    worker = threading.Thread(target=make, args=(ctx,), name="worker-py")
    worker.start()
    worker.join()
    print("DONE", sys.version.split()[0])


main()
