"""BROKEN on purpose: one pyzmq DEALER used by a send thread and a receive
thread at once (pyzmq #2094), against an echo ROUTER thread with its own
socket in the same script. Blocking calls: pyzmq releases the GIL inside
each, so the two threads are inside libzmq at the same time. The checker
(preloaded into the interpreter) must report SHARED_SOCKET DEALER with
zmq_msg_send and zmq_msg_recv.

usage: python3 py_shared_dealer.py [MESSAGES]   (default 100000)
"""
import sys
import threading

import zmq

MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
ENDPOINT = "inproc://owner-py-echo"


def echo(ctx, bound, stop):
    router = ctx.socket(zmq.ROUTER)
    router.linger = 0
    router.bind(ENDPOINT)
    bound.set()
    poller = zmq.Poller()
    poller.register(router, zmq.POLLIN)
    while not stop.is_set():
        if poller.poll(20):
            while True:
                try:
                    router.send_multipart(router.recv_multipart(zmq.NOBLOCK))
                except zmq.Again:
                    break
    router.close()


def sender(dealer):
    for _ in range(MESSAGES):
        dealer.send(b"ping")


def receiver(dealer, counts):
    for _ in range(MESSAGES):
        dealer.recv()
        counts[0] += 1


def main():
    ctx = zmq.Context()
    bound, stop = threading.Event(), threading.Event()
    server = threading.Thread(target=echo, args=(ctx, bound, stop))
    server.start()
    bound.wait()
    dealer = ctx.socket(zmq.DEALER)  # BROKEN: shared by sender() and receiver()
    dealer.linger = 0
    dealer.connect(ENDPOINT)
    counts = [0]
    threads = [threading.Thread(target=receiver, args=(dealer, counts)),
               threading.Thread(target=sender, args=(dealer,))]
    print("GO", flush=True)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("DONE sent=%d received=%d" % (MESSAGES, counts[0]), flush=True)
    dealer.close()
    stop.set()
    server.join()
    ctx.term()


main()
