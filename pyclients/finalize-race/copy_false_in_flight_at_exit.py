# Zero-copy sends (copy=False) still in flight when the interpreter exits:
# the plain-pyzmq form of the finalize race users write.
#
# With copy=False pyzmq hands libzmq the Python object's own buffer
# (zmq_msg_init_data) and keeps the object alive until libzmq's free
# callback, which runs in libzmq's I/O thread and passes the release on to
# pyzmq's garbage-collector thread, which drops the reference with the GIL.
# Here main sends a burst of 256 KiB buffers with copy=False to a server that
# never reads (sink) and returns at once: the socket and context are left to
# interpreter exit, with most of the buffers still queued or being written,
# so libzmq's I/O thread and pyzmq's gc thread meet the finalizing
# interpreter, exactly the shape of the zeroc-ice race.
#
# Finding (Python 3.11.2, pyzmq 24.0.1, libzmq 4.3.4): a clean exit, in 10
# of 10 runs, and 5 of 5 under TSan with no report. pyzmq's
# atexit hook keeps Context.__del__ from calling term(), so nothing waits for
# the buffers; the process exits with them still queued, and the gc thread,
# if it wakes during finalization, is ended by CPython when it asks for the
# GIL. The case is kept as a fixed case: a clean exit is the finding here,
# and a regression (a hang at exit, a Fatal Python error, a crash in the free
# callback) would show as its failure.
#
# @family finalize-race
# @variant fixed
# @server sink
# @upstream zeroc-ice#3824 zeroc-ice#3840
# @expect stress CLEAN
# @expect tsan CLEAN
# @args stress 200
# @expect owner CLEAN
# @args owner 200
# @args tsan 200
import sys

import zmq

SIZE = 256 * 1024


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT COUNT\n" % sys.argv[0])
        return 3
    endpoint = sys.argv[1]
    try:
        count = int(sys.argv[2])
    except ValueError:
        sys.stderr.write("SETUP-ERROR: COUNT must be an integer: %r\n" % sys.argv[2])
        return 3

    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    try:
        sock.connect(endpoint)
    except zmq.ZMQError as e:
        sys.stderr.write("SETUP-ERROR: connect %s: %s\n" % (endpoint, e))
        return 3
    sent = 0
    for i in range(count):
        # A fresh buffer each time: every message holds its own object.
        sock.send(bytes([i & 0xFF]) * SIZE, copy=False)
        sent += 1
    # Not sent=/received=: nothing is meant to come back.
    print("DONE queued=%d bytes=%d" % (sent, sent * SIZE), flush=True)
    return 0                            # exit with the buffers in flight


if __name__ == "__main__":
    sys.exit(main())
