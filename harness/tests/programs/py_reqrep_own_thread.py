# pyzmq: a REP server in a threading.Thread and a REQ client in the main
# thread, over inproc, each socket created and used in its own thread (the
# advice minrk gives in pyzmq's tracker: share the Context, never a
# Socket). Fifty round trips; prints nothing; exits 0. Correct.
#
# @server none
# @expect tsan CLEAN
# @expect stress CLEAN
# @expect perturb CLEAN
# @expect owner CLEAN
import threading

import zmq

ROUNDS = 50


def serve(ctx, ready):
    rep = ctx.socket(zmq.REP)
    rep.bind("inproc://greeter")
    ready.set()
    for _ in range(ROUNDS):
        rep.recv()
        rep.send(b"world")
    rep.close()


def main():
    ctx = zmq.Context()
    ready = threading.Event()
    server = threading.Thread(target=serve, args=(ctx, ready))
    server.start()
    ready.wait()
    req = ctx.socket(zmq.REQ)
    req.connect("inproc://greeter")
    for _ in range(ROUNDS):
        req.send(b"hello")
        req.recv()
    req.close()
    server.join()
    ctx.term()


main()
