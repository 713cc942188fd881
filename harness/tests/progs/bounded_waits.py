# A test program, not a case: a correct pyzmq client that spends SECONDS in
# waits that all have a deadline, then prints DONE. The no-progress watch
# must never call it a hang. MODE: sleep (time.sleep(SECONDS)) or poller
# (Poller.poll(1000) on a DEALER nobody writes to, until SECONDS passed).
#
# usage: bounded_waits.py ENDPOINT MODE SECONDS
import sys
import time

import zmq


def main():
    endpoint, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ctx = zmq.Context()
    if mode == "sleep":
        time.sleep(seconds)
    elif mode == "poller":
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect(endpoint)
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            poller.poll(1000)
        sock.close()
    else:
        print("SETUP-ERROR: unknown mode " + mode, file=sys.stderr)
        sys.exit(3)
    ctx.term()
    print("DONE")


if __name__ == "__main__":
    main()
