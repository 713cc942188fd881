# The twin of broken_native_thread_at_exit.py with the GIL handling of
# zeroc-ice PR #3838 ("Fix segmentation fault in Communicator __aexit__",
# the fix of Ice #3824 and #3840).
#
# Same client, same flow: a native thread owning a DEALER completes asyncio
# futures with loop.call_soon_threadsafe; the coroutine awaits only the first
# replies and returns while the rest are still arriving, stopping the client
# on its way out. With gil="pr3838", nativeloop's native thread takes the GIL
# with PyGILState_Ensure, releases it only if PyGILState_Check() says it holds
# it, and skips its DECREFs once the interpreter is finalizing; and stop()
# releases the GIL (Py_BEGIN_ALLOW_THREADS) while it joins the native thread,
# so that the thread can finish the delivery it is in, see the stop request,
# close its socket and terminate its context before the owner goes on.
#
# Proves: no deadlock, no crash, no Fatal Python error, no TSan report; the
# interpreter exits cleanly after the native thread has ended. Measured:
# clean in 20 of 20 runs (0.1 s) and 10 of 10 under TSan (0.3 s), with 18 to
# 405 of the 2000 replies delivered when stop() was called: replies were
# still arriving.
#
# @family finalize-race
# @variant fixed
# @twin finalize-race/broken_native_thread_at_exit
# @server echo
# @pymodule nativeloop
# @upstream zeroc-ice#3838 zeroc-ice#3840 zeroc-ice#3824
# @expect stress CLEAN
# @expect tsan CLEAN
# @args stress 2000
# @expect owner CLEAN
# @args owner 2000
# @args tsan 2000
import asyncio
import sys

import nativeloop

AWAITED = 10


async def main(endpoint, count):
    loop = asyncio.get_running_loop()
    client = nativeloop.Client(endpoint, loop, "pr3838")
    try:
        futures = [client.request(b"request %d" % i) for i in range(count)]
        for fut in futures[:AWAITED]:
            await fut
        # Return while the other replies are still arriving.
        delivered_at_stop = client.delivered
    finally:
        client.stop()   # FIXED: joins the native thread with the GIL released
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
