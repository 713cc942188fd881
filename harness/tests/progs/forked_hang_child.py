# A test program, not a case: a multiprocessing child (the fork start
# method) makes a context and a DEALER connected to ENDPOINT (where nobody
# listens), sends one message with the default LINGER (-1) and terminates the
# context, which waits forever for that message to leave (libzmq #2586); the
# parent waits for it in join(). The hang is the child's.
#
# usage: forked_hang_child.py ENDPOINT
import multiprocessing
import sys

import zmq


def child(endpoint):
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.connect(endpoint)
    sock.send(b"lost")
    sock.close()
    ctx.term()  # never returns: the message cannot leave


def main():
    p = multiprocessing.get_context("fork").Process(target=child, args=(sys.argv[1],))
    p.start()
    p.join()
    print("DONE")


if __name__ == "__main__":
    main()
