# The most common first error in pyzmq's Q&A: a second bind to a port that
# is taken raises zmq.error.ZMQError "Address already in use"; the script
# dies with a traceback and exit status 1. The script's own exit, not a
# libzmq failure: EXIT, shown with the end of stdout and stderr.
#
# @server none
# @expect tsan EXIT
# @expect stress EXIT
# @expect perturb EXIT
# @expect owner EXIT
# @says Address already in use
import zmq

ctx = zmq.Context()
first = ctx.socket(zmq.REP)
first.linger = 0
port = first.bind_to_random_port("tcp://127.0.0.1")
print("first server on port", port, flush=True)
second = ctx.socket(zmq.REP)
second.linger = 0
try:
    second.bind("tcp://127.0.0.1:%d" % port)
finally:
    second.close()
    first.close()
    ctx.term()
