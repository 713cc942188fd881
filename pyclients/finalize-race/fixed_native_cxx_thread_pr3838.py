# The twin of broken_native_cxx_thread_at_exit.py with the GIL handling of
# zeroc-ice PR #3838 ("Fix segmentation fault in Communicator __aexit__",
# the fix of Ice #3824).
#
# Same client, same flow: a native C++ thread owning a DEALER keeps handing
# echoed replies to a Python callback that releases the GIL inside; the
# main thread waits for the first replies and then returns. With
# gil="pr3838" the native thread takes the GIL with PyGILState_Ensure
# directly, releases it only if PyGILState_Check() says it holds it, and its
# handles skip their DECREF once Py_IsFinalizing() (3.13+); and the owner's
# stop() releases the GIL (Py_BEGIN_ALLOW_THREADS) while it joins the
# native thread, so that the thread can finish the delivery it is in, see
# the stop request, close its socket and terminate its context before the
# interpreter finalizes.
#
# Proves: no crash, no hang, no Fatal Python error, no TSan report, on
# every interpreter (3.11, 3.13, 3.14).
#
# @family finalize-race
# @variant fixed
# @twin finalize-race/broken_native_cxx_thread_at_exit
# @server echo
# @pymodule nativecxx
# @upstream zeroc-ice#3838 zeroc-ice#3824
# @expect stress CLEAN
# @expect owner CLEAN
# @expect tsan CLEAN
import asyncio
import sys
import time

import nativecxx

AWAITED = 50


class Sink:
    """Told the size of each reply. Its work is a call that releases the GIL
    inside (as the self-pipe write of call_soon_threadsafe does, only
    longer); the call is kept on the instance, where the interpreter's
    teardown of module globals does not reach it."""

    def __init__(self):
        self.received = 0
        self.pause = time.sleep

    def on_reply(self, size):
        self.received += size
        self.pause(0.001)


async def main(endpoint):
    client = nativecxx.Client(endpoint, "pr3838", Sink().on_reply)
    try:
        deadline = time.monotonic() + 10
        while client.delivered < AWAITED:
            if time.monotonic() > deadline:
                raise ConnectionError("no %d replies from %s in 10 s" % (AWAITED, endpoint))
            await asyncio.sleep(0.001)
        return client.delivered
    finally:
        client.stop()   # FIXED: joins the native thread with the GIL released


def run():
    if len(sys.argv) != 2:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT\n" % sys.argv[0])
        return 3
    try:
        delivered = asyncio.run(main(sys.argv[1]))
    except ConnectionError as e:
        sys.stderr.write("SETUP-ERROR: %s\n" % e)
        return 3
    print("DONE delivered_at_stop=%d" % delivered, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run())
