# The twin of broken_unsent_default_linger.py with the fix: the DEALER is
# closed with a linger of 0, so the messages still queued for the absent peer
# are discarded at once and ctx.term() returns at once. (Setting
# zmq.LINGER = 0 on the socket, or on the context with ctx.linger = 0 before
# the socket is made, is the same fix.) This is the answer given on
# pyzmq #991 and libzmq #2586: never leave LINGER at -1 on a socket that may
# hold unsent messages at shutdown.
#
# Proves: CLEAN in both modes. "queued" counts messages dropped by design, so
# DONE carries no sent/received.
#
# @family hang-at-shutdown
# @variant fixed
# @twin hang-at-shutdown/broken_unsent_default_linger
# @server none
# @upstream pyzmq#991 libzmq#2586
# @expect tsan CLEAN
# @expect stress CLEAN
# @timeout tsan 3
# @timeout stress 2
# @expect owner CLEAN
# @timeout owner 2
import sys

import zmq

QUEUED = 10


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT\n" % sys.argv[0])
        return 3
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    try:
        sock.connect(sys.argv[1])
    except zmq.ZMQError as e:
        sys.stderr.write("SETUP-ERROR: connect %s: %s\n" % (sys.argv[1], e))
        sock.close(linger=0)
        ctx.term()
        return 3
    queued = 0
    for i in range(QUEUED):
        try:
            sock.send(b"%d" % i, zmq.NOBLOCK)
            queued += 1
        except zmq.Again:
            break
    print("queued=%d" % queued, flush=True)

    sock.close(linger=0)  # FIXED: unsent messages are discarded at once
    ctx.term()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
