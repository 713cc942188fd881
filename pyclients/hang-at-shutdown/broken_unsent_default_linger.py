# A pyzmq DEALER queues messages for a peer that never takes them, keeps the
# default LINGER (-1: wait forever for unsent messages; pyzmq 24 does not
# change libzmq's default), is closed, and then ctx.term() waits, forever,
# for those messages to be sent. This is pyzmq #991 and libzmq #2586:
# close() returns at once, but term() returns only once every closed socket
# has flushed its queue or reached the end of its linger period.
#
# The endpoint is one where nothing listens (@server none): connect()
# succeeds at once and, without IMMEDIATE, the DEALER's outgoing pipe exists
# at once, so the sends are queued.
#
# Proves: HANG, the main thread blocked in zmq_ctx_term called from pyzmq's
# Context.term (both modes). The twins: fixed_linger_zero.py,
# fixed_destroy_linger.py.
#
# The watchdogs come from what the fixed twin, fixed_linger_zero.py, needs:
# its worst run took 0.12 s (tsan), 0.05 s (stress, owner) in 50 unloaded
# runs of each mode (zmq-repro bench -n 50 -L fixed -L hang-at-shutdown).
# The hang itself is found earlier, by the no-progress watch (@stall, 0.5 s
# after every thread sleeps); the watchdog catches it when a thread keeps
# spinning. A slower machine scales both with ZR_TIMEOUT_MULTIPLIER.
#
# @family hang-at-shutdown
# @variant broken
# @server none
# @upstream pyzmq#991 libzmq#2586
# @expect tsan HANG:zmq_ctx_term
# @expect stress HANG:zmq_ctx_term
# @expect owner HANG:zmq_ctx_term
# @timeout tsan 1
# @timeout stress 1
# @timeout owner 1
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

    sock.close()      # BROKEN: default LINGER -1 with messages unsent
    ctx.term()        # waits for the unsent messages: forever
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
