# The pyzmq #2070 bus of broken_threaddevice_bus.py, shut down in the right
# order: the subscriber's task is cancelled and awaited, and its socket is
# unregistered from the Poller and closed, all inside the loop thread that
# owns it (run_coroutine_threadsafe(...).result() waits for that); then the
# loop is stopped, its thread joined, and the loop closed from the main thread
# once it no longer runs; only then does the main thread call context.term().
# By then the device thread and the subscriber own no open socket, so term()
# returns at once and no loop callback ever meets ContextTerminated.
#
# Unlike the stop sequence the seed publishes (seed_stop_sequence.py), which
# cancels without closing the socket and schedules loop.close() on the running
# loop, this prints nothing on stderr.
#
# Proves: CLEAN in both modes (no traceback, no warning). The bus uses inproc
# endpoints of its own; the ENDPOINT argument is not used (@server none).
#
# @family hang-at-shutdown
# @variant fixed
# @twin hang-at-shutdown/broken_threaddevice_bus
# @server none
# @upstream pyzmq#2070
# @expect tsan CLEAN
# @expect stress CLEAN
# @timeout tsan 3
# @timeout stress 2
# @expect owner CLEAN
# @timeout owner 2
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
        self.thread = threading.Thread(target=self.loop.run_forever,
                                       name="async-subscribers-loop", daemon=True)
        self.thread.start()
        self.received = 0
        self.got_enough = threading.Event()
        asyncio.run_coroutine_threadsafe(self._inner_init(ctx), self.loop).result(5)

    async def _inner_init(self, ctx):
        self.actx = zmq.asyncio.Context.shadow(ctx.underlying)
        self.sub = self.actx.socket(zmq.SUB)
        self.sub.connect(BUS_OUT)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.poller = zmq.asyncio.Poller()
        self.poller.register(self.sub, zmq.POLLIN)
        self.task = asyncio.get_running_loop().create_task(self._spin())

    async def _spin(self):
        while True:
            socks = dict(await self.poller.poll())
            if self.sub in socks:
                await self.sub.recv_multipart()
                self.received += 1
                if self.received >= WANTED:
                    self.got_enough.set()

    async def _close(self):
        """In the loop thread: end the task, then close its socket here."""
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
        self.poller.unregister(self.sub)
        self.sub.close()

    def stop(self):
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()              # here: the loop no longer runs


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

    subscriber.stop()  # FIXED: the socket is closed in its loop thread first
    ctx.term()         # the device thread gets ETERM and closes its sockets
    device.join()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
