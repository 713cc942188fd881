# pyzmq #991 ("Context.term hangs but Context.destroy does not": "there
# are still open sockets somewhere"): a worker thread opens a SUB socket
# and waits for a threading.Event that the main thread sets only after
# ctx.term() returns. term waits for the socket, the worker for the event.
#
# @server none
# @upstream pyzmq#991
# @expect tsan HANG:zmq_ctx_term
# @expect stress HANG:zmq_ctx_term
# @expect perturb HANG:zmq_ctx_term
# @expect owner HANG:zmq_ctx_term
# @says still open in thread
# @says py_socket_open_in_thread.py:24
import threading

import zmq

ctx = zmq.Context()
opened = threading.Event()
stop = threading.Event()


def listen():
    sub = ctx.socket(zmq.SUB)
    sub.connect("inproc://prices")
    opened.set()
    stop.wait()
    sub.close()


worker = threading.Thread(target=listen)
worker.start()
opened.wait()
ctx.term()
stop.set()
worker.join()
