# A native thread completes asyncio futures while its owner shuts down: the
# GIL handling of zeroc-ice's Python binding before PR #3838 (Ice #3840:
# "Deadlock in Python Communicator destroyAsync"; #3824, the same race
# ending in a crash on Python 3.13).
#
# nativeloop.Client (pyclients/ext/nativeloop.c) runs a native thread that
# owns a DEALER; for each reply it takes the GIL (PyGILState_Ensure) and calls
# loop.call_soon_threadsafe(future.set_result, reply), which releases the GIL
# inside its self-pipe write. The coroutine issues many requests, awaits only
# the first replies and returns while the rest are still arriving; on its way
# out it stops the client, as Ice's Communicator.__aexit__ destroys the
# communicator. With gil="pre3838", stop() joins the native thread while
# holding the GIL, and the native thread, with a reply still to deliver,
# waits for that GIL: neither can go on.
#
# Proves: a deadlock at shutdown (HANG). In the watchdog's stacks the main
# thread is in pthread_join under Client_stop, and the native thread is
# blocked taking the GIL: take_gil (a static function, shown only where
# Python's debug symbols are installed) under PyEval_RestoreThread, reached
# from PyGILState_Ensure or from the socket write inside call_soon_threadsafe,
# under nativeloop's deliver, so the harness's hang signature is
# "PyEval_RestoreThread" or "PyGILState_Ensure -> PyEval_RestoreThread".
# On 3.14, whose take_gil hangs a thread that asks for the GIL during
# finalization (gh-87135), the native thread was once seen with take_gil as
# its only frame: HANG:take_gil counts too.
# Measured: 30 of 30 runs hung, the native thread inside the socket write of
# call_soon_threadsafe in 16 and in PyGILState_Ensure in 14. The deadlock
# sets in at stop(), about 0.1 s after start (the fixed twin exits in 0.1 s),
# hence the short watchdog. Under TSan it hangs the same way (2 of 2), with
# no TSan report: the tsan mode would add nothing but a slow timeout.
# On Python 3.11 a native thread that takes the GIL after finalization began
# is ended silently (pthread_exit), so the crash form of #3824 does not show
# here; the join with the GIL held does.
# Free-threaded 3.13t (python:3.13t, 3.13.15 with pyzmq 27.1.0) has no GIL
# for stop() to hold: the native thread's PyGILState_Ensure only attaches a
# thread state, it delivers what is left and sees the stop request, and the
# join returns: exit 0 in every run (20 of 20 in stress and in owner), so
# it is unaffected there. Such a run goes through all the replies and takes
# 0.4 to 2.8 s at a load of 7 on 2 cores: there the 1 s watchdog can fire
# first (TIMEOUT, the harness's limit, never a verdict): ZR_TIMEOUT_MULTIPLIER=3.
#
# @family finalize-race
# @variant broken
# @server echo
# @pymodule nativeloop
# @upstream zeroc-ice#3840 zeroc-ice#3824
# @expect stress HANG:PyEval_RestoreThread HANG:take_gil
# @args stress 2000
# @timeout stress 1
# @expect owner HANG:PyEval_RestoreThread HANG:take_gil
# @args owner 2000
# @timeout owner 1
# @python-unaffected 3.13t CLEAN
import asyncio
import sys

import nativeloop

AWAITED = 10


async def main(endpoint, count):
    loop = asyncio.get_running_loop()
    client = nativeloop.Client(endpoint, loop, "pre3838")
    try:
        futures = [client.request(b"request %d" % i) for i in range(count)]
        for fut in futures[:AWAITED]:
            await fut
        # Return while the other replies are still arriving.
        delivered_at_stop = client.delivered
    finally:
        client.stop()   # BROKEN: joins the native thread with the GIL held
    return client.issued, delivered_at_stop


def run():
    if len(sys.argv) != 3:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT COUNT\n" % sys.argv[0])
        return 3
    try:
        count = int(sys.argv[2])
    except ValueError:
        sys.stderr.write("SETUP-ERROR: COUNT must be an integer: %r\n" % sys.argv[2])
        return 3
    if count <= AWAITED:
        sys.stderr.write("SETUP-ERROR: COUNT must be above %d\n" % AWAITED)
        return 3
    try:
        issued, delivered = asyncio.run(main(sys.argv[1], count))
    except ConnectionError as e:
        sys.stderr.write("SETUP-ERROR: %s\n" % e)
        return 3
    # Not sent=/received=: the replies left undelivered are the point, not a loss.
    print("DONE issued=%d awaited=%d delivered_at_stop=%d" % (issued, AWAITED, delivered),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run())
