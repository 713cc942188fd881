# The adversarial form of the pyzmq #2094 pattern: one pyzmq DEALER used at
# once by several threads that send and receive with NOBLOCK, while one more
# thread disconnects and reconnects the same socket in a tight loop. Each
# call releases the GIL inside libzmq, so the threads run inside one
# zmq::socket_base_t at the same time, now also while its pipes are being
# torn down and re-attached: the state the libzmq assertions of #2094,
# libzmq #4649 (object.cpp), #3582 and #3200 come from.
#
# Proves: without a sanitizer, a libzmq assertion (msg.cpp check (),
# pipe.cpp, object.cpp, ...), an errno abort, or a crash (SIGSEGV/SIGFPE)
# within seconds (or a hang in the corrupted socket); under TSan a data race
# inside libzmq at once. It never times out on its own. Replies are lost legitimately here (a reconnect
# drops what was queued on the old connection), so the DONE line counts
# requests and replies under other names: a shortfall is not a symptom.
#
# @family shared-socket
# @variant broken
# @server echo
# @upstream pyzmq#2094 pyzmq#2043 libzmq#4649
# @expect tsan TSAN:data-race:@libzmq
# @expect stress ASSERT SIGNAL FATAL_PYTHON HANG
# @args tsan 4 20000
# @args stress 4 200000
# @expect owner SHARED_SOCKET
# @args owner 4 200000
import sys
import threading
import time

import zmq


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT THREADS ROUNDS\n" % sys.argv[0])
        return 3
    endpoint = sys.argv[1]
    try:
        nthreads, rounds = int(sys.argv[2]), int(sys.argv[3])
    except ValueError:
        sys.stderr.write("SETUP-ERROR: THREADS and ROUNDS must be integers\n")
        return 3

    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    try:
        sock.connect(endpoint)
    except zmq.ZMQError as e:
        sys.stderr.write("SETUP-ERROR: connect %s: %s\n" % (endpoint, e))
        sock.close()
        ctx.term()
        return 3

    requests = [0] * nthreads
    replies = [0] * nthreads
    stop = threading.Event()
    churns = [0]

    def user(k):
        for i in range(rounds):
            try:
                sock.send(b"%d.%d" % (k, i), zmq.NOBLOCK)   # BROKEN: shared
                requests[k] += 1
            except zmq.Again:
                pass
            try:
                sock.recv(zmq.NOBLOCK)                      # BROKEN: shared
                replies[k] += 1
            except zmq.Again:
                pass

    def churner():
        while not stop.is_set():
            sock.disconnect(endpoint)                       # BROKEN: shared
            sock.connect(endpoint)
            churns[0] += 1
            time.sleep(0.0002)

    users = [threading.Thread(target=user, args=(k,)) for k in range(nthreads)]
    churn = threading.Thread(target=churner)
    churn.start()
    for t in users:
        t.start()
    for t in users:
        t.join()
    stop.set()
    churn.join()

    sock.close()
    ctx.term()
    print("DONE requests=%d replies=%d reconnects=%d" % (sum(requests), sum(replies), churns[0]),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
