# The lock wrapper done right. One DEALER is still shared by a sender thread
# and a receiver thread (the pyzmq #2094 shape), but every call into the
# socket is made with ZMQ_DONTWAIT while holding one threading.Lock, and a
# thread that must wait (zmq.Again) waits OUTSIDE the lock (a short sleep with
# back-off), so the other thread can always get in. The lock gives mutual
# exclusion and the full memory barrier zmq(7) asks for when a socket moves
# between threads; no call can block with the lock held, so no deadlock.
# Contrast broken_seed_threadsafesocket.py (lock held across a blocking recv:
# deadlock) and broken_pyzmq_two_threads.py (no lock: data race).
#
# Proves: no TSan report inside libzmq, no hang, every request answered
# (DONE sent=N received=N, replies checked in order).
#
# @family shared-socket
# @variant fixed
# @twin shared-socket/broken_pyzmq_two_threads
# @server echo
# @upstream pyzmq#2094 pyzmq#2043 libzmq#4649
# @expect tsan CLEAN
# @expect stress CLEAN
# @args tsan 20000
# @args stress 100000
# @expect owner CLEAN
# @args owner 30000
import sys
import threading
import time

import zmq


class LockedSocket:
    """A socket shared by threads: each call non-blocking under one lock,
    every wait outside the lock."""

    MIN_WAIT = 0.00005
    MAX_WAIT = 0.002

    def __init__(self, socket):
        self._socket = socket
        self._lock = threading.Lock()

    def _call(self, fn, *args):
        wait = self.MIN_WAIT
        while True:
            with self._lock:
                try:
                    return fn(*args, flags=zmq.NOBLOCK)
                except zmq.Again:
                    pass
            time.sleep(wait)                  # outside the lock
            wait = min(wait * 2, self.MAX_WAIT)

    def send(self, data):
        return self._call(self._socket.send, data)

    def recv(self):
        return self._call(self._socket.recv)


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
    raw = ctx.socket(zmq.DEALER)
    raw.setsockopt(zmq.LINGER, 0)
    # The same queue sizes as broken_pyzmq_two_threads.py.
    raw.setsockopt(zmq.SNDHWM, 100)
    raw.setsockopt(zmq.RCVHWM, 100)
    try:
        raw.connect(endpoint)
    except zmq.ZMQError as e:
        sys.stderr.write("SETUP-ERROR: connect %s: %s\n" % (endpoint, e))
        raw.close()
        ctx.term()
        return 3
    sock = LockedSocket(raw)

    counts = {"sent": 0, "received": 0, "mismatch": None}

    def sender():
        for i in range(count):
            sock.send(b"%d" % i)
            counts["sent"] += 1

    def receiver():
        for i in range(count):
            reply = sock.recv()
            if reply != b"%d" % i and counts["mismatch"] is None:
                counts["mismatch"] = (i, reply)
            counts["received"] += 1

    threads = [threading.Thread(target=sender), threading.Thread(target=receiver)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Both users are joined: the main thread may own the socket now.
    raw.close()
    ctx.term()
    if counts["mismatch"] is not None:
        sys.stderr.write("reply %d out of order: got %r\n" % counts["mismatch"])
    print("DONE sent=%d received=%d" % (counts["sent"], counts["received"]), flush=True)
    return 1 if counts["mismatch"] is not None else 0


if __name__ == "__main__":
    sys.exit(main())
