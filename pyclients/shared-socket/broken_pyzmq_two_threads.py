# One pyzmq DEALER shared by two Python threads: one thread sends, the other
# receives, both with plain blocking calls. This is the pattern of pyzmq #2094
# (Python DEALER client of a C++ ROUTER, "Assertion failed: false
# (src/object.cpp:170)" after a while), also reported as libzmq #4649 and
# pyzmq #2043 (hours to failure). The GIL does not serialise the two threads:
# pyzmq releases it inside every zmq_msg_send/zmq_msg_recv, so both threads
# run inside the same zmq::socket_base_t at once. libzmq sockets are not
# thread safe (zmq(7)).
#
# Proves: under TSan (libzmq built instrumented) a data race inside libzmq
# (mailbox_t::recv, ypipe/yqueue, pipe_t, fq_t) in the first fraction of a
# second. Without a sanitizer the damage is a lost wake-up: the sender waits
# in zmq_msg_send (high-water mark) and the receiver in zmq_msg_recv, both on
# the socket's one mailbox, forever, although the server has answered every
# message it got (HANG); more rarely a libzmq assertion, a crash, or missing
# replies.
# Nothing here times out on its own: a hang stays a hang.
#
# @family shared-socket
# @variant broken
# @server echo
# @upstream pyzmq#2094 pyzmq#2043 libzmq#4649
# @expect tsan TSAN:data-race:@libzmq
# @expect stress ASSERT SIGNAL HANG LOSS FATAL_PYTHON
# @args tsan 20000
# @args stress 200000
# @expect owner SHARED_SOCKET
# @args owner 200000
import sys
import threading

import zmq


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
    sock.setsockopt(zmq.LINGER, 0)
    # Queues of 100 instead of 1000: the sender meets the high-water mark
    # often, so both threads wait in the socket's single mailbox at once far
    # more often (the same options in fixed_lock_nonblocking.py stay clean).
    sock.setsockopt(zmq.SNDHWM, 100)
    sock.setsockopt(zmq.RCVHWM, 100)
    try:
        sock.connect(endpoint)
    except zmq.ZMQError as e:
        sys.stderr.write("SETUP-ERROR: connect %s: %s\n" % (endpoint, e))
        sock.close()
        ctx.term()
        return 3

    counts = {"sent": 0, "received": 0}

    def sender():
        for i in range(count):
            sock.send(b"%d" % i)          # BROKEN: same socket as receiver()
            counts["sent"] += 1

    def receiver():
        for _ in range(count):
            sock.recv()                   # BROKEN: same socket as sender()
            counts["received"] += 1

    threads = [threading.Thread(target=receiver), threading.Thread(target=sender)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    sock.close()
    ctx.term()
    print("DONE sent=%d received=%d" % (counts["sent"], counts["received"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
