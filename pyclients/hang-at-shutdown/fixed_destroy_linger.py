# The twin of broken_unsent_default_linger.py fixed at the context:
# ctx.destroy(linger=100) closes every socket of the context that is still
# open with a linger of 100 ms, then terminates the context; the messages
# still queued for the absent peer are discarded when the linger period ends
# and destroy() returns about 100 ms later. The socket is neither closed nor
# given a linger of its own. destroy() closes sockets from the calling thread:
# it is a fix only where, as here, that thread owns every socket of the
# context (pyzmq's Context.destroy docstring: it calls zmq_close, which is
# not thread-safe, so it must not be called with sockets active in other
# threads).
#
# Proves: CLEAN in both modes, far inside the watchdog.
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

    ctx.destroy(linger=100)  # FIXED: closes the socket with a 100 ms linger,
                             # then terms
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
