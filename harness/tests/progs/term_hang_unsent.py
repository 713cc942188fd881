# A test program, not a case: a DEALER connects to ENDPOINT (where nothing
# listens), sends one message, and ctx.term() waits for ever for the socket,
# never closed, with the default LINGER (-1) (libzmq #2586, pyzmq #991).
# With "linger0" the socket is closed with linger=0 first: term returns.
# Prints TERMINATING before ctx.term() and DONE after it.
#
# usage: python3 term_hang_unsent.py ENDPOINT open|linger0
import sys

import zmq


def connect(ctx, endpoint):
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect(endpoint)
    return dealer


def main():
    endpoint, mode = sys.argv[1], sys.argv[2]
    ctx = zmq.Context()
    dealer = connect(ctx, endpoint)
    dealer.send(b"hello")
    if mode == "linger0":
        dealer.close(linger=0)
    print("TERMINATING", flush=True)
    ctx.term()
    print("DONE", flush=True)


main()
