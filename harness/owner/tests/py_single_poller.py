"""CLEAN: one thread owns a pyzmq DEALER and drives it with a Poller loop
(a pipelined window of requests, NOBLOCK sends and receives); an echo ROUTER
thread owns its own socket. The checker must say nothing.

usage: python3 py_single_poller.py [MESSAGES]   (default 20000)
"""
import sys
import threading

import zmq

MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
WINDOW = 50
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


def main():
    ctx = zmq.Context()
    bound, stop = threading.Event(), threading.Event()
    server = threading.Thread(target=echo, args=(ctx, bound, stop))
    server.start()
    bound.wait()
    dealer = ctx.socket(zmq.DEALER)
    dealer.linger = 0
    dealer.connect(ENDPOINT)
    poller = zmq.Poller()
    poller.register(dealer, zmq.POLLIN)
    sent = received = 0
    while received < MESSAGES:
        while sent < MESSAGES and sent - received < WINDOW:
            dealer.send(b"ping", zmq.NOBLOCK)
            sent += 1
        if poller.poll(1000):
            while True:
                try:
                    dealer.recv(zmq.NOBLOCK)
                    received += 1
                except zmq.Again:
                    break
    print("DONE sent=%d received=%d" % (sent, received), flush=True)
    dealer.close()
    stop.set()
    server.join()
    ctx.term()


main()
