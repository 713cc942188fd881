# The simplest fix for the pyzmq #2094 pattern: no sharing at all. Each
# thread creates its own DEALER (from the one shared, thread-safe Context),
# connects it to the server, does its own request/reply traffic (at most
# WINDOW requests in flight) with blocking calls, and closes it. The main
# thread terms the context after joining them all. ("Each thread its own
# socket; the context may be shared" -- zmq(7), and the seed's advice.)
#
# Proves: no TSan report inside libzmq, no hang, every request answered
# (DONE sent=N received=N over all threads, replies checked in order).
#
# @family shared-socket
# @variant fixed
# @twin shared-socket/broken_pyzmq_two_threads
# @server echo
# @upstream pyzmq#2094 pyzmq#2043 libzmq#4649
# @expect tsan CLEAN
# @expect stress CLEAN
# @args tsan 3 10000
# @args stress 3 50000
# @expect owner CLEAN
# @args owner 3 15000
import sys
import threading

import zmq

WINDOW = 100          # requests in flight per thread, below the HWM of 1000


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT THREADS COUNT_PER_THREAD\n" % sys.argv[0])
        return 3
    endpoint = sys.argv[1]
    try:
        nthreads, count = int(sys.argv[2]), int(sys.argv[3])
    except ValueError:
        sys.stderr.write("SETUP-ERROR: THREADS and COUNT must be integers\n")
        return 3

    ctx = zmq.Context()
    # Check the endpoint once, in the main thread, before any worker starts.
    probe = ctx.socket(zmq.DEALER)
    try:
        probe.connect(endpoint)
    except zmq.ZMQError as e:
        probe.close(linger=0)
        ctx.term()
        sys.stderr.write("SETUP-ERROR: connect %s: %s\n" % (endpoint, e))
        return 3
    probe.close(linger=0)

    sent = [0] * nthreads
    received = [0] * nthreads
    mismatch = []

    def worker(k):
        sock = ctx.socket(zmq.DEALER)          # this thread's own socket
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(endpoint)
        nsent = nrecv = 0
        while nrecv < count:
            if nsent < count and nsent - nrecv < WINDOW:
                sock.send(b"%d.%d" % (k, nsent))
                nsent += 1
            else:
                reply = sock.recv()
                if reply != b"%d.%d" % (k, nrecv) and not mismatch:
                    mismatch.append((k, nrecv, reply))
                nrecv += 1
        sock.close()                            # closed by its owner
        sent[k], received[k] = nsent, nrecv

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    ctx.term()
    if mismatch:
        sys.stderr.write("thread %d reply %d out of order: got %r\n" % mismatch[0])
    print("DONE sent=%d received=%d" % (sum(sent), sum(received)), flush=True)
    return 1 if mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
