# pyzmq #2094's root cause ("zmq socket is not thread safe, but as python
# ..."): one DEALER used by a sender thread and a receiver thread at once,
# trusting the GIL, which pyzmq releases inside every blocking call.
# ThreadSanitizer reports the race inside libzmq; the ownership checker
# two threads inside the one socket.
#
# @server echo
# @args {endpoint} 5000
# @upstream pyzmq#2094 libzmq#4649
# @expect tsan TSAN:data-race
# @expect owner SHARED_SOCKET
import sys
import threading

import zmq


def main():
    endpoint, count = sys.argv[1], int(sys.argv[2])
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect(endpoint)

    def send_all():
        for _ in range(count):
            dealer.send(b"order")

    def receive_all():
        for _ in range(count):
            dealer.recv()

    # The receiver waits inside recv (pyzmq released the GIL) while the sender sends.
    threads = [threading.Thread(target=receive_all), threading.Thread(target=send_all)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dealer.close()
    ctx.term()


main()
