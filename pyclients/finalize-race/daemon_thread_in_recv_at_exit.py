# A daemon thread still inside a blocking pyzmq recv when the interpreter
# exits: the plain-pyzmq form of the finalize race users write (a background
# receiver thread, daemon=True so that it "does not keep the program alive").
#
# The daemon thread owns its DEALER (created in the thread) and runs
# request/reply round trips with the echo server as fast as it can, so it
# spends most of its time blocked in sock.recv() with the GIL released, and
# replies keep arriving. Main waits for a number of round trips and returns
# without stopping the thread or closing anything: the interpreter finalizes
# while the thread keeps leaving zmq_msg_recv and asking for the GIL back.
#
# Finding (Python 3.11.2, pyzmq 24.0.1, libzmq 4.3.4): a clean exit, in 10
# of 10 runs, and 5 of 5 under TSan with no report. CPython
# 3.11 ends a thread that asks for the GIL after finalization began
# (PyThread_exit_thread in take_gil), pyzmq's atexit hook keeps Context.__del__
# from calling term() on a context with a socket still open, and the process
# exits without waiting for libzmq's threads. The case is kept as a fixed
# case: a clean exit is the finding here, and a regression (a hang in
# zmq_ctx_term at exit, a Fatal Python error, a crash) would show as its
# failure. Python 3.14 hangs such a thread instead of ending it (gh-87135),
# which this case would show as a failure to exit too.
#
# Finding (Python 3.13.5, pyzmq 26.4.0, libzmq 4.3.4, tsan mode): TSan
# reports a thread leak in 5 of 5 runs, the daemon thread "finished" and
# created by the main thread. CPython 3.13 starts every thread joinable
# (3.11 detaches them) and does not join daemon threads at exit: the report
# is the interpreter's own doing, not libzmq's and not a race, and the exit
# is clean. @python-shows holds tsan runs on 3.13 to exactly that report, so
# that any other report there, or its disappearance, still shows. (3.14
# leaves the thread hanging instead, and exits without the report.)
#
# @family finalize-race
# @variant fixed
# @server echo
# @upstream zeroc-ice#3824 zeroc-ice#3840
# @expect stress CLEAN
# @expect tsan CLEAN
# @python-shows tsan 3.13 TSAN:thread-leak
# @args stress 2000
# @expect owner CLEAN
# @args owner 2000
# @args tsan 500
import sys
import threading

import zmq


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("SETUP-ERROR: usage: %s ENDPOINT ROUND_TRIPS\n" % sys.argv[0])
        return 3
    endpoint = sys.argv[1]
    try:
        wanted = int(sys.argv[2])
    except ValueError:
        sys.stderr.write("SETUP-ERROR: ROUND_TRIPS must be an integer: %r\n" % sys.argv[2])
        return 3

    ctx = zmq.Context()
    # Connect once here, only to report a bad endpoint as a setup error.
    probe = ctx.socket(zmq.DEALER)
    probe.linger = 0
    try:
        probe.connect(endpoint)
    except zmq.ZMQError as e:
        sys.stderr.write("SETUP-ERROR: connect %s: %s\n" % (endpoint, e))
        return 3
    finally:
        probe.close()

    done = threading.Event()
    counts = {"round_trips": 0}

    def receiver():
        sock = ctx.socket(zmq.DEALER)   # owned by this thread only
        sock.connect(endpoint)
        i = 0
        while True:
            sock.send(b"request %d" % i)
            sock.recv()                 # blocked here, GIL released, at exit
            i += 1
            counts["round_trips"] = i
            if i == wanted:
                done.set()

    threading.Thread(target=receiver, daemon=True).start()
    if not done.wait(30):
        sys.stderr.write("no %d round trips in 30 s\n" % wanted)
        return 1
    # Not sent=/received=: the request left in flight at exit is the point.
    print("DONE round_trips_before_exit=%d" % counts["round_trips"], flush=True)
    return 0                            # exit with the thread inside recv()


if __name__ == "__main__":
    sys.exit(main())
