# A small pyzmq program for `check` on a free-threaded Python: one socket
# created, one closed. With "gil_user" it imports an extension module that
# does not declare Py_mod_gil (the GIL comes back on); with "quiet" it first
# silences warnings, so CPython's warning about it is not printed and only
# sys._is_gil_enabled() tells.
import sys
import warnings

if "quiet" in sys.argv[1:]:
    warnings.simplefilter("ignore")
import zmq

if "gil_user" in sys.argv[1:]:
    import gil_user  # noqa: F401

ctx = zmq.Context()
sock = ctx.socket(zmq.DEALER)
sock.close()
ctx.term()
print("DONE")
