# The single-owner fix for the pyzmq #2094 pattern: exactly one thread (the
# owner) ever touches the DEALER; it runs a zmq.Poller loop. The other threads
# never see the socket: a producer thread hands requests to the owner through
# a queue.Queue (and wakes it through a pipe the Poller also watches), and the
# owner hands the replies to a consumer thread through a second queue.Queue.
# The owner creates, uses and closes the socket; the main thread terms the
# context after every thread is joined. This is "one owner thread per socket"
# from zmq(7) and the seed's 方案一.
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
import collections
import os
import queue
import sys
import threading

import zmq

STOP = object()


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
    requests = queue.Queue()
    replies = queue.Queue()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    setup = {"error": None}
    ready = threading.Event()
    counts = {"sent": 0, "received": 0, "mismatch": None}

    def owner():
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        try:
            sock.connect(endpoint)
        except zmq.ZMQError as e:
            setup["error"] = "connect %s: %s" % (endpoint, e)
            sock.close()
            ready.set()
            return
        ready.set()
        pending = collections.deque()       # taken from the queue, not yet sent
        no_more = False                     # the producer said STOP
        in_flight = 0
        poller = zmq.Poller()
        poller.register(wake_r, zmq.POLLIN)
        try:
            while not (no_more and not pending and in_flight == 0):
                poller.register(sock, zmq.POLLIN | (zmq.POLLOUT if pending else 0))
                events = dict(poller.poll())
                if wake_r in events:
                    try:
                        while os.read(wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
                    while True:
                        try:
                            item = requests.get_nowait()
                        except queue.Empty:
                            break
                        if item is STOP:
                            no_more = True
                        else:
                            pending.append(item)
                ev = events.get(sock, 0)
                if ev & zmq.POLLIN:
                    while True:
                        try:
                            reply = sock.recv(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        in_flight -= 1
                        replies.put(reply)
                if pending and ev & zmq.POLLOUT:
                    while pending:
                        try:
                            sock.send(pending[0], zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        pending.popleft()
                        in_flight += 1
                        counts["sent"] += 1
        finally:
            sock.close()                    # closed by its owner
            replies.put(STOP)

    def producer():
        for i in range(count):
            requests.put(b"%d" % i)
            try:
                os.write(wake_w, b"x")
            except BlockingIOError:         # pipe full: a wake-up is pending
                pass
        requests.put(STOP)
        try:
            os.write(wake_w, b"x")
        except BlockingIOError:
            pass

    def consumer():
        i = 0
        while True:
            reply = replies.get()
            if reply is STOP:
                return
            if reply != b"%d" % i and counts["mismatch"] is None:
                counts["mismatch"] = (i, reply)
            i += 1
            counts["received"] += 1

    owner_thread = threading.Thread(target=owner)
    owner_thread.start()
    ready.wait()
    if setup["error"]:
        owner_thread.join()
        os.close(wake_r)
        os.close(wake_w)
        ctx.term()
        sys.stderr.write("SETUP-ERROR: %s\n" % setup["error"])
        return 3
    others = [threading.Thread(target=producer), threading.Thread(target=consumer)]
    for t in others:
        t.start()
    for t in others + [owner_thread]:
        t.join()

    os.close(wake_r)
    os.close(wake_w)
    ctx.term()
    if counts["mismatch"] is not None:
        sys.stderr.write("reply %d out of order: got %r\n" % counts["mismatch"])
    print("DONE sent=%d received=%d" % (counts["sent"], counts["received"]), flush=True)
    return 1 if counts["mismatch"] is not None else 0


if __name__ == "__main__":
    sys.exit(main())
