# pyzmq: a DEALER client of someone else's ROUTER (the harness's echo
# server, the first argument), the pyzmq #2094 client done right: one
# thread owns the socket, a zmq.Poller with a 100 ms timeout, progress
# printed with print(). Exits 0 without any DONE line. Correct.
#
# @server echo
# @args {endpoint} 200
# @upstream pyzmq#2094
# @expect tsan CLEAN
# @expect stress CLEAN
# @expect perturb CLEAN
# @expect owner CLEAN
import sys

import zmq


def main():
    endpoint, count = sys.argv[1], int(sys.argv[2])
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.linger = 200
    dealer.connect(endpoint)
    poller = zmq.Poller()
    poller.register(dealer, zmq.POLLIN)
    for i in range(count):
        dealer.send(b"request %d" % i)
    replies = 0
    while replies < count:
        if dict(poller.poll(100)).get(dealer):
            dealer.recv()
            replies += 1
            if replies % 100 == 0:
                print("received", replies, "replies")
    dealer.close()
    ctx.term()


main()
