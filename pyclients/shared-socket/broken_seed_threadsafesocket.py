# The "fix" published in the seed article (seeds/001, "方案二: 使用线程安全包装",
# a retelling of pyzmq #2094): wrap the shared DEALER in a ThreadSafeSocket
# whose send() and recv() each hold one threading.Lock around the socket call.
# The class below is copied verbatim from the article (only the indentation,
# lost in the article's HTML, is restored).
#
# Used the way #2094 used its socket: one thread receives the replies, another
# sends the requests, both through the wrapper, with blocking calls. The reply
# listener is started first and the first request goes out once it is
# listening (inside recv(), so holding the lock): a client whose listener
# thread is up before it sends.
#
# What it proves: the lock is held across a BLOCKING recv. The listener waits
# in zmq_msg_recv, holding the lock, for a reply to a request the sender can
# never send, because the sender waits for that same lock. That deadlock comes
# whenever the listener is in recv() with no reply outstanding, which is where
# such a client starts. The lock does remove the data race (no TSan report),
# but the published fix trades the crash for a hang, so this case is a BROKEN
# one: it must hang in every mode, with main in join, the sender in the lock
# (ThreadSafeSocket.send) and the listener in zmq_msg_recv. In owner mode the
# lock serialises the calls, so the checker sees no overlap and the run hangs
# exactly as in stress.
#
# Measured (220 runs per mode, 2 cores, load average 4 to 7): hung in 220 of
# 220 runs in each of tsan, stress and owner. None finished. Every run had
# those stacks and no request sent. Counted from the interpreter's start, the
# hang set in after a median of 0.23 s in tsan (99% within 0.65 s, worst 1.29
# s when the start was starved of CPU), 0.08 s in stress (worst 0.37 s) and
# 0.10 s in owner (worst 0.66 s). With a 1 s watchdog the verdict comes at
# about 1.05 s (eu-stack takes 0.03 s, at worst 0.3 s). A run cut before the
# deadlock shows no zmq_msg_recv, so it is a miss and is never counted as a
# reproduction. No run can end without the deadlock: no reply comes without a
# request.
#
# The previous version started the sender first. It hung in only 34 of 40 tsan
# runs, and in 96/100 tsan and 99/100 stress when measured again. The runs
# that finished were not ones where every request went out before the listener
# first took the lock. In every run the listener first took it after 0 to 3200
# requests, and a run hung only once the listener's recv() calls had drained
# every outstanding reply. The number of replies outstanding moved like a
# random walk, up to 38000. In 1% to 15% of runs it never reached 0 before the
# 200000th request, and the run finished after 1.2 s (stress) to 3.2 s (tsan).
# The correct lock wrapper is fixed_lock_nonblocking.py.
#
# @family shared-socket
# @variant broken
# @server echo
# @upstream pyzmq#2094 pyzmq#2043 libzmq#4649
# @expect tsan HANG:zmq_msg_recv
# @expect stress HANG:zmq_msg_recv
# @expect owner HANG:zmq_msg_recv
# @args tsan 200000
# @args stress 200000
# @args owner 200000
# @timeout tsan 1
# @timeout stress 1
# @timeout owner 1
import sys
import threading
import time

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

    sending = threading.Thread(target=sender)
    receiving = threading.Thread(target=receiver)
    # The reply listener is started first and the first request goes out once
    # it is listening, i.e. inside sock.recv() with the wrapper's lock held:
    # the order of a client whose listener thread is up before it sends. The
    # loop only hands the GIL to the listener (sleep(0) waits no set time);
    # in the measured runs it never turned once: receiving.start() returns
    # after the listener is already blocked in zmq_msg_recv.
    receiving.start()
    while not sock.lock.locked():
        time.sleep(0)
    sending.start()
    for t in (sending, receiving):
        t.join()

    raw.close()
    ctx.term()
    print("DONE sent=%d received=%d" % (counts["sent"], counts["received"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
