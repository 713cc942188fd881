# One pyzmq DEALER shared by two Python threads, as in
# broken_pyzmq_two_threads.py, but with the bounded waits of a long-running
# service (SNDTIMEO and RCVTIMEO of 10 ms, zmq.Again caught and retried).
# This is the shape of the programs behind pyzmq #2094 and libzmq #4649,
# which ran for hours and then died with "Assertion failed: false
# (src/object.cpp:170)": a blocking program meets a lost wake-up first and
# hangs for good, while a bounded wait survives it, goes on using the
# damaged socket, and meets the corruption of its command mailbox.
#
# Proves: without a sanitizer, "Assertion failed: false (src/object.cpp:170)"
# (142 on 4.3.5, 166 on 4.3.2) or "ok (src/mailbox.cpp:99)" in about half
# of the runs, a crash in most others; replies that never arrive show as
# LOSS (the receiver gives up after 1 s without one). Under TSan, a data
# race inside libzmq at once.
#
# @family shared-socket
# @variant broken
# @server echo
# @upstream pyzmq#2094 libzmq#4649 libzmq#4787
# @expect tsan TSAN:data-race:@libzmq
# @expect stress ASSERT SIGNAL HANG LOSS FATAL_PYTHON
# @args tsan 20000
# @args stress 200000
# A run that gets through its 200k messages takes up to 6 s here (50 runs
# of bench, stress and perturb), and the receiver may wait 1 s before it
# gives up: the watchdog leaves room for both on a loaded machine. A hang
# is still found at once, by the no-progress watch.
# @timeout stress 30
# @expect owner SHARED_SOCKET
# @args owner 200000
import sys
import threading
import time

import zmq

GIVE_UP_S = 1.0


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
    # Queues of 10: the two threads trade the socket's activate commands
    # often, which is where the mailbox is shared.
    sock.setsockopt(zmq.SNDHWM, 10)
    sock.setsockopt(zmq.RCVHWM, 10)
    sock.setsockopt(zmq.SNDTIMEO, 10)
    sock.setsockopt(zmq.RCVTIMEO, 10)
    try:
        sock.connect(endpoint)
    except zmq.ZMQError as e:
        sys.stderr.write("SETUP-ERROR: connect %s: %s\n" % (endpoint, e))
        sock.close()
        ctx.term()
        return 3

    counts = {"sent": 0, "received": 0}
    stop = threading.Event()

    def sender():
        while counts["sent"] < count and not stop.is_set():
            try:
                sock.send(b"%d" % counts["sent"])   # BROKEN: same socket as receiver()
                counts["sent"] += 1
            except zmq.Again:
                pass

    def receiver():
        last = time.monotonic()
        while counts["received"] < count:
            try:
                sock.recv()                         # BROKEN: same socket as sender()
                counts["received"] += 1
                last = time.monotonic()
            except zmq.Again:
                if time.monotonic() - last > GIVE_UP_S:
                    break
        stop.set()

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
