# A correct script that logs with the logging module, whose default
# handler writes to stderr ("WARNING:root:..."): the way most scripts in
# pyzmq's issues report progress. Text on stderr that is no report of
# TSan, libzmq, CPython or the ownership checker is NOISE ("clean with
# noise"), never a failure: --expect any-failure does not count it.
#
# @server echo
# @args {endpoint}
# @expect tsan NOISE
# @expect stress NOISE
# @expect perturb NOISE
# @expect owner NOISE
# @says WARNING:root:the service answered
import logging
import sys

import zmq

ctx = zmq.Context()
req = ctx.socket(zmq.REQ)
req.linger = 0
req.connect(sys.argv[1])
req.send(b"status")
if req.poll(400):
    logging.warning("the service answered %r", req.recv())
req.close()
ctx.term()
