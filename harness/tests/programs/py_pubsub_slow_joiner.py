# pyzmq #2036 ("a delay is needed after PUB bind before sending"), done
# the way most answers suggest: PUB binds, SUB connects and subscribes,
# a 200 ms sleep for the slow joiner, then the updates; the count that
# arrived within the receive timeout is printed. Correct; exits 0.
#
# @server none
# @upstream pyzmq#2036 libzmq#2826
# @expect tsan CLEAN
# @expect stress CLEAN
# @expect perturb CLEAN
# @expect owner CLEAN
import time

import zmq

ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.linger = 0
port = pub.bind_to_random_port("tcp://127.0.0.1")
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.rcvtimeo = 200  # with the sleep, under the no-progress watch's 0.5 s
sub.connect("tcp://127.0.0.1:%d" % port)
time.sleep(0.2)
for i in range(20):
    pub.send(b"update %d" % i)
got = 0
try:
    while got < 20:
        sub.recv()
        got += 1
except zmq.Again:
    pass
print("got %d of 20 updates" % got)
sub.close()
pub.close()
ctx.term()
