# The "fix" published in the seed article (seeds/001, "方案二: 使用线程安全包装",
# a retelling of pyzmq #2094): wrap the shared DEALER in a ThreadSafeSocket
# whose send() and recv() each hold one threading.Lock around the socket call.
# The class below is copied verbatim from the article (only the indentation,
# lost in the article's HTML, is restored).
#
# Used the way #2094 used its socket: one thread sends requests, another
# receives the replies, both through the wrapper, with blocking calls.
#
# What it really does: the lock is held across a BLOCKING recv. As soon as the
# receiver has caught up with the replies in flight it sits in zmq_recv with
# the lock held, waiting for a reply to a request that the sender can no
# longer send, because the sender is waiting for that same lock. A deadlock:
# the program never finishes. The lock does remove the data race (no TSan
# report), but the published fix trades the crash for a hang, so this case is
# a BROKEN one: it must hang in both modes. (It only completes if the sender
# happens to send every request before the receiver first takes the lock:
# threading.Lock is not fair, so about 1 run in 10 does, without TSan.)
# The correct lock wrapper is fixed_lock_nonblocking.py.
#
# @family shared-socket
# @variant broken
# @server echo
# @upstream pyzmq#2094 pyzmq#2043 libzmq#4649
# @expect tsan HANG:zmq_msg_recv
# @expect stress HANG:zmq_msg_recv
# @args tsan 200000
# @args stress 200000
# @timeout tsan 5
# @timeout stress 5
import sys
import threading

import zmq


# ---- verbatim from the seed article (方案二) ----
class ThreadSafeSocket:
    def __init__(self, socket):
        self.socket = socket
        self.lock = threading.Lock()

    def send(self, *args, **kwargs):
        with self.lock:
            return self.socket.send(*args, **kwargs)

    def recv(self, *args, **kwargs):
        with self.lock:
            return self.socket.recv(*args, **kwargs)
# ---- end of the verbatim copy ----


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
    sock = ThreadSafeSocket(raw)

    counts = {"sent": 0, "received": 0}

    def sender():
        for i in range(count):
            sock.send(b"%d" % i)
            counts["sent"] += 1

    def receiver():
        for _ in range(count):
            sock.recv()               # holds the lock while blocked
            counts["received"] += 1

    threads = [threading.Thread(target=sender), threading.Thread(target=receiver)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    raw.close()
    ctx.term()
    print("DONE sent=%d received=%d" % (counts["sent"], counts["received"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
