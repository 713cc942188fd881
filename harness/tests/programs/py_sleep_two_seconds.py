# A script that does its work and then waits with time.sleep(2) before
# closing (a grace period, a rate limit: the shape of many scripts in
# pyzmq's issues). Correct; judged HANG today by the no-progress watch
# (0.5 s), which must learn that a sleeping program with no libzmq call
# blocked is not hung.
#
# @server none
# @label corpus-waits
# @expect stress CLEAN
# @expect perturb CLEAN
# @expect owner CLEAN
import time

import zmq

ctx = zmq.Context()
push = ctx.socket(zmq.PUSH)
push.linger = 0
push.bind("inproc://results")
time.sleep(2)
push.close()
ctx.term()
