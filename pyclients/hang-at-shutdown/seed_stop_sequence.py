# The stop sequence that the seed (a retelling of pyzmq #2070) publishes as
# "the fix", applied verbatim to the bus of broken_threaddevice_bus.py:
#     for future in self.futures: future.cancel()
#     wait(self.futures)
#     self.loop.call_soon_threadsafe(self.loop.stop)
#     self.loop.call_soon_threadsafe(self.loop.close)
# followed by the bus shutdown: context.term(), then join the device thread.
#
# It is NOT a fix. Cancelling the run_coroutine_threadsafe future cancels the
# subscriber's task with CancelledError, which its `except ContextTerminated`
# does not catch, so the task ends without closing its SUB socket, and
# nothing else closes it: term() still waits forever. wait() returns as soon
# as the concurrent future is marked cancelled, before the loop thread has
# even run the cancellation, so term() also races with the loop: the loop's
# reader callback can still meet ContextTerminated ("Exception in callback
# Socket._init_io_state.<locals>.<lambda>() ... ContextTerminated"). And
# loop.close() scheduled on the running loop fails whenever it runs in the
# same iteration as loop.stop() ("Exception in callback
# _UnixSelectorEventLoop.close() ... RuntimeError: Cannot close a running
# event loop"). Both tracebacks are printed on stderr before the hang.
#
# Proves: HANG, the main thread blocked in zmq_ctx_term from pyzmq's
# Context.term (both modes), i.e. the published stop sequence does not even
# complete. The sequence that does complete cleanly is fixed_clean_stop.py.
# The bus uses inproc endpoints of its own; ENDPOINT is not used.
#
# The watchdogs come from what the fixed twin, fixed_clean_stop.py, needs:
# its worst run took 0.23 s (tsan), 0.10 s (stress, owner) in 50 unloaded
# runs of each mode (zmq-repro bench -n 50 -L fixed -L hang-at-shutdown).
# The hang itself is found earlier, by the no-progress watch (@stall, 0.5 s
# after every thread sleeps); the watchdog catches it when a thread keeps
# spinning. A slower machine scales both with ZR_TIMEOUT_MULTIPLIER.
#
# @family hang-at-shutdown
# @variant broken
# @server none
# @upstream pyzmq#2070
# @expect tsan HANG:zmq_ctx_term
# @expect stress HANG:zmq_ctx_term
# @expect owner HANG:zmq_ctx_term
# @timeout tsan 1.2
# @timeout stress 1
# @timeout owner 1
import asyncio
import concurrent.futures
import os
import sys
import threading
import time

import zmq
import zmq.asyncio
from zmq.devices import ThreadDevice

BUS_IN = "inproc://bus-xsub"
BUS_OUT = "inproc://bus-xpub"
WANTED = 10            # messages the subscriber must see before shutdown


class SubscriberLoop:
    """An asyncio loop in a daemon thread with one SUB on a shadow context."""

    def __init__(self, ctx):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever,
                                       name="async-subscribers-loop", daemon=True)
        self.thread.start()
        self.received = 0
        self.got_enough = threading.Event()
        asyncio.run_coroutine_threadsafe(self._inner_init(ctx), self.loop).result(5)
        self.futures = [asyncio.run_coroutine_threadsafe(self._spin(), self.loop)]

    async def _inner_init(self, ctx):
        self.actx = zmq.asyncio.Context.shadow(ctx.underlying)
        self.sub = self.actx.socket(zmq.SUB)
        self.sub.connect(BUS_OUT)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.poller = zmq.asyncio.Poller()
        self.poller.register(self.sub, zmq.POLLIN)

    async def _spin(self):
        while True:
            try:
                socks = dict(await self.poller.poll())
                if self.sub in socks:
                    await self.sub.recv_multipart()
                    self.received += 1
                    if self.received >= WANTED:
                        self.got_enough.set()
            except zmq.error.ContextTerminated:
                break                      # the graceful exit it expects
        self.sub.close()                   # never reached

    def stop(self):
        """The stop sequence the seed publishes as the fix, verbatim."""
        for future in self.futures:
            future.cancel()
        concurrent.futures.wait(self.futures)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.loop.call_soon_threadsafe(self.loop.close)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT\n" % sys.argv[0])
        return 3

    ctx = zmq.Context.instance()
    device = ThreadDevice(zmq.FORWARDER, zmq.XSUB, zmq.XPUB)
    device.bind_in(BUS_IN)
    device.bind_out(BUS_OUT)
    device.setsockopt_in(zmq.LINGER, 0)
    device.setsockopt_out(zmq.LINGER, 0)
    device.daemon = True
    device.start()

    subscriber = SubscriberLoop(ctx)

    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.LINGER, 0)
    pub.connect(BUS_IN)
    sent = 0
    deadline = time.monotonic() + 5
    while not subscriber.got_enough.is_set():   # slow joiner: publish until seen
        if time.monotonic() > deadline:
            sys.stderr.write("SETUP-ERROR: the subscriber saw %d of %d messages\n"
                             % (subscriber.received, WANTED))
            sys.stderr.flush()
            os._exit(3)                     # no term(): it would hang here
        pub.send_multipart([b"topic", b"%d" % sent])
        sent += 1
        time.sleep(0.002)
    pub.close()

    subscriber.stop()  # the published "fix": cancel, wait, stop, close loop
    ctx.term()         # still hangs: the SUB socket was never closed
    device.join()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
