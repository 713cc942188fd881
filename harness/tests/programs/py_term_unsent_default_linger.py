# pyzmq #102 and #1407, as they are still posted: a REQ connects to a
# service that is not there, sends, closes with the default LINGER, and
# Context.term() never returns (the unsent request waits forever). The
# service's address is where nothing listens (the harness's endpoint with
# no server).
#
# @server none
# @args {endpoint}
# @upstream pyzmq#102 pyzmq#1407 libzmq#2586
# @expect tsan HANG:zmq_ctx_term
# @expect stress HANG:zmq_ctx_term
# @expect perturb HANG:zmq_ctx_term
# @expect owner HANG:zmq_ctx_term
# @says LINGER -1 (the default)
# @says py_term_unsent_default_linger.py:22
# @says context.py
import sys

import zmq

ctx = zmq.Context()
req = ctx.socket(zmq.REQ)
req.connect(sys.argv[1])
req.send(b"are you there?")
req.close()
ctx.term()
print("terminated")
