# A native C++ thread keeps re-entering Python while the main thread
# returns: zeroc-ice #3824 ("Fatal Python error: Segmentation fault" at
# exit on Python 3.13; the backtrace is Py_DECREF (object.h) under
# IcePy::PyObjectHandle::~PyObjectHandle, on a C++ thread).
#
# nativecxx.Client (pyclients/ext/nativecxx.cpp) runs a native C++ thread
# that owns a DEALER, keeps one request ahead of the echoed replies, and
# for each reply takes the GIL (PyGILState_Ensure) and calls back into
# Python through RAII handles that Py_XDECREF in their destructors, as IcePy
# did before PR #3838. The callback releases the GIL inside (a short
# time.sleep). The main thread (asyncio, like Ice's Communicator
# __aexit__) waits for the first replies and returns: the interpreter
# finalizes while the native thread, inside the callback, still has to
# take the GIL back.
#
# Proves: on Python 3.12 and 3.13 that thread is ended with pthread_exit
# when it takes the GIL after finalization began; the unwinding runs the
# handles' destructors, and the reply's Py_XDECREF frees it with no thread
# state (3.12+ keeps the current one per thread, and the GIL was released
# inside the call): faulthandler's "Fatal Python error: Segmentation
# fault", the native thread at "<no Python frame>", SIGSEGV. Measured on
# Debian trixie's 3.13.5: stress 20 of 20, owner 19 of 20; 18 of 20 in
# each at a load of 7 on 2 cores (3 of 5 once, in a bench among other
# loads: a run under load can end before the thread wakes). Python 3.11
# ends the thread the same way but its allocator is process-wide, and 3.14
# (gh-87135) blocks such a thread forever instead: both exit 0 (20 of 20
# in stress and owner), hence @python-unaffected. Free-threaded 3.13t
# (python:3.13t, 3.13.15 with pyzmq 27.1.0) exits 0 too: 20 of 20 in stress
# and in owner (and 5 of 5 in a bench of every Python case): it is
# unaffected there too. Run it with --python python:trixie; on the
# configured 3.11 it is judged as fixed.
# No tsan mode: the crash is CPython's, not a race that TSan would name.
#
# @family finalize-race
# @variant broken
# @server echo
# @pymodule nativecxx
# @upstream zeroc-ice#3824
# @expect stress SIGNAL:SIGSEGV
# @expect owner SIGNAL:SIGSEGV
# @python-unaffected <3.12 CLEAN
# @python-unaffected >=3.14 CLEAN
# @python-unaffected 3.13t CLEAN
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
    client = nativecxx.Client(endpoint, "pre3838", Sink().on_reply)
    deadline = time.monotonic() + 10
    while client.delivered < AWAITED:
        if time.monotonic() > deadline:
            raise ConnectionError("no %d replies from %s in 10 s" % (AWAITED, endpoint))
        await asyncio.sleep(0.001)
    # BROKEN: return while the native thread keeps re-entering Python; the
    # client's stop() would only ask it to stop (IcePy before #3838 waited
    # for nothing either).
    return client.delivered


def run():
    if len(sys.argv) != 2:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT\n" % sys.argv[0])
        return 3
    try:
        delivered = asyncio.run(main(sys.argv[1]))
    except ConnectionError as e:
        sys.stderr.write("SETUP-ERROR: %s\n" % e)
        return 3
    print("DONE delivered_at_return=%d" % delivered, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run())
