"""A small pytest suite for `check --suite`: one test shares a DEALER between
two threads (a race TSan reports inside libzmq), one uses a socket from one
thread only. Each report must be laid to the test that made it."""
import threading
import time

import zmq


def _pair(ctx):
    router = ctx.socket(zmq.ROUTER)
    router.bind("inproc://suite")
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect("inproc://suite")
    return router, dealer


def test_one_owner():
    ctx = zmq.Context()
    router, dealer = _pair(ctx)
    for _ in range(200):
        dealer.send(b"ping")
        ident, msg = router.recv_multipart()
        router.send_multipart([ident, msg])
        assert dealer.recv() == b"ping"
    dealer.close(linger=0)
    router.close(linger=0)
    ctx.term()


def test_shared_dealer():
    ctx = zmq.Context()
    router, dealer = _pair(ctx)
    stop = threading.Event()

    def echo():
        while not stop.is_set():
            if router.poll(10):
                router.send_multipart(router.recv_multipart())

    def send():
        for _ in range(5000):
            try:  # the bug: this thread and the test's are both inside one socket
                dealer.send(b"ping", zmq.NOBLOCK)
            except zmq.Again:
                pass

    e = threading.Thread(target=echo)
    s = threading.Thread(target=send)
    e.start()
    s.start()
    deadline = time.monotonic() + 1.0  # bounded: a lost wake-up cannot hang the suite
    while time.monotonic() < deadline:
        if dealer.poll(10):
            dealer.recv(zmq.NOBLOCK)
    s.join()
    stop.set()
    e.join()
    dealer.close(linger=0)
    router.close(linger=0)
    ctx.term()


def test_slow_under_a_sanitizer():
    """Stands for a test whose own timed wait a slower run outlasts (pyzmq's
    test_log under TSan): it fails under TSan only, deterministically here."""
    import os
    assert "TSAN_OPTIONS" not in os.environ or "halt_on_error" not in os.environ["TSAN_OPTIONS"]
