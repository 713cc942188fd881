# The message bus of pyzmq #2070: a zmq.devices.ThreadDevice forwarding
# XSUB -> XPUB on the shared context (Context.instance(), the device's own
# context_factory), a synchronous Python publisher, and an asyncio subscriber
# (zmq.asyncio SUB + zmq.asyncio.Poller, on a shadow of the same context)
# whose coroutine runs in an event loop in a background daemon thread. The bus
# is shut down the way the report does it: context.term() from the main thread.
#
# term() waits until every socket of the context is closed. The device thread
# gets ETERM and closes its two sockets; the subscriber's socket is never
# closed: the subscriber is waiting in `await poller.poll()`, not in a blocking
# zmq call, so the ETERM surfaces only inside the loop's reader callback
# (Socket._handle_events -> get(EVENTS)), where asyncio logs it as
# "Exception in callback ... ContextTerminated". The coroutine's own
# `except ContextTerminated: ...; close()` never runs, and term() never
# returns. The reader stays ready, so in some runs (4 of 10 measured) the loop
# raises that same ContextTerminated again and again in a hot loop (up to
# 13,000 tracebacks, 20 MB of stderr, in 2 s); the loop's exception handler
# here prints the first report in full (asyncio's default handler) and only
# counts the repeats.
#
# Proves: HANG, the main thread blocked in zmq_ctx_term called from pyzmq's
# Context.term (both modes). The bus uses inproc endpoints of its own; the
# ENDPOINT argument is not used (@server none). The fixed twins:
# fixed_clean_stop.py, fixed_linger_zero.py, fixed_destroy_linger.py.
#
# The watchdogs come from what the fixed twin, fixed_clean_stop.py, needs:
# its worst run took 0.23 s (tsan), 0.10 s (stress, owner) in 50 unloaded
# runs of each mode (zmq-repro bench -n 50 -L fixed -L hang-at-shutdown).
# The hang itself is found earlier, by the no-progress watch (@stall, 0.5 s
# after every thread sleeps), except in the runs where the loop spins on
# ContextTerminated: the process never sleeps, and the watchdog decides. A
# slower machine scales both with ZR_TIMEOUT_MULTIPLIER.
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
        self.loop_errors = 0
        self.loop.set_exception_handler(self._report_first_error)
        self.thread = threading.Thread(target=self.loop.run_forever,
                                       name="async-subscribers-loop", daemon=True)
        self.thread.start()
        self.received = 0
        self.got_enough = threading.Event()
        asyncio.run_coroutine_threadsafe(self._inner_init(ctx), self.loop).result(5)
        self.future = asyncio.run_coroutine_threadsafe(self._spin(), self.loop)

    def _report_first_error(self, loop, context):
        self.loop_errors += 1
        if self.loop_errors == 1:
            loop.default_exception_handler(context)

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

    ctx.term()        # BROKEN: the subscriber's socket is still open: hangs
    device.join()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
