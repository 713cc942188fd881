# The inproc-bridge fix for the pyzmq #2094 pattern (the seed's 方案三 done
# with one socket per thread): only the owner thread touches the tcp DEALER.
# Each worker thread owns one inproc PAIR socket, connected to a PAIR the
# owner bound for it; the worker sends its requests and receives its replies
# on its own PAIR (at most WINDOW in flight). The owner polls the DEALER and
# its PAIRs, forwards a worker's request to the DEALER behind a frame naming
# the worker, and routes each reply back to that worker's PAIR. Every socket
# is created, used and closed by one thread; the main thread terms the
# context after joining them all.
#
# Proves: no TSan report inside libzmq, no hang, every request answered
# (DONE sent=N received=N over all workers, replies checked in order).
#
# @family shared-socket
# @variant fixed
# @twin shared-socket/broken_pyzmq_two_threads
# @server echo
# @upstream pyzmq#2094 pyzmq#2043 libzmq#4649
# @expect tsan CLEAN
# @expect stress CLEAN
# @args tsan 3 3000
# @args stress 3 15000
# @expect owner CLEAN
# @args owner 3 15000
import sys
import threading

import zmq

WINDOW = 100          # requests in flight per worker; WORKERS*WINDOW < HWM 1000
BYE = b"bye"


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT WORKERS COUNT_PER_WORKER\n" % sys.argv[0])
        return 3
    endpoint = sys.argv[1]
    try:
        workers, count = int(sys.argv[2]), int(sys.argv[3])
    except ValueError:
        sys.stderr.write("SETUP-ERROR: WORKERS and COUNT must be integers\n")
        return 3
    if not 1 <= workers <= 9:
        sys.stderr.write("SETUP-ERROR: WORKERS must be 1..9 (WORKERS*%d < HWM)\n" % WINDOW)
        return 3

    ctx = zmq.Context()
    ready = threading.Event()
    setup = {"error": None}
    sent = [0] * workers
    received = [0] * workers
    mismatch = []

    def owner():
        dealer = ctx.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        pairs = []
        try:
            try:
                dealer.connect(endpoint)
            except zmq.ZMQError as e:
                setup["error"] = "connect %s: %s" % (endpoint, e)
                return
            for k in range(workers):
                p = ctx.socket(zmq.PAIR)
                p.setsockopt(zmq.LINGER, 0)
                p.bind("inproc://bridge-%d" % k)
                pairs.append(p)
            ready.set()
            poller = zmq.Poller()
            poller.register(dealer, zmq.POLLIN)
            index = {}
            for k, p in enumerate(pairs):
                poller.register(p, zmq.POLLIN)
                index[p] = k
            active = workers
            while active:
                for s, _ in poller.poll():
                    # Drain what is ready. The sends cannot block for long:
                    # at most WORKERS*WINDOW messages are in flight, fewer
                    # than any high-water mark on the way.
                    while True:
                        try:
                            msg = s.recv_multipart(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        if s is dealer:
                            tag, payload = msg
                            pairs[int(tag)].send(payload)
                        elif msg[0] == BYE:  # that worker got all its replies
                            poller.unregister(s)
                            active -= 1
                            break
                        else:
                            dealer.send_multipart([b"%d" % index[s], msg[0]])
        finally:
            for p in pairs:
                p.close()
            dealer.close()                  # closed by its owner
            ready.set()

    def worker(k):
        pair = ctx.socket(zmq.PAIR)
        pair.connect("inproc://bridge-%d" % k)
        nsent = nrecv = 0
        while nrecv < count:
            if nsent < count and nsent - nrecv < WINDOW:
                pair.send(b"%d.%d" % (k, nsent))
                nsent += 1
            else:
                reply = pair.recv()
                if reply != b"%d.%d" % (k, nrecv) and not mismatch:
                    mismatch.append((k, nrecv, reply))
                nrecv += 1
        pair.send(BYE)
        pair.close()
        sent[k], received[k] = nsent, nrecv

    owner_thread = threading.Thread(target=owner)
    owner_thread.start()
    ready.wait()
    if setup["error"]:
        owner_thread.join()
        ctx.term()
        sys.stderr.write("SETUP-ERROR: %s\n" % setup["error"])
        return 3
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads + [owner_thread]:
        t.join()

    ctx.term()
    if mismatch:
        sys.stderr.write("worker %d reply %d out of order: got %r\n" % mismatch[0])
    print("DONE sent=%d received=%d" % (sum(sent), sum(received)), flush=True)
    return 1 if mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
