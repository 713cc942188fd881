# A worker process forked with os.fork() before any Context exists; each
# process makes its own Context (pyzmq's docs: a Context must not cross a
# fork). The worker binds a REP on a loopback port and writes the port to a
# pipe; the parent asks ten questions and waits for it. The shape of the
# multiprocessing set-ups in libzmq #4649. Correct; prints nothing.
#
# @server none
# @upstream libzmq#4649
# @expect tsan CLEAN
# @expect stress CLEAN
# @expect perturb CLEAN
# @expect owner CLEAN
import os

import zmq

QUESTIONS = 10
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(read_end)
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    os.write(write_end, b"%d" % port)
    os.close(write_end)
    for _ in range(QUESTIONS):
        rep.recv()
        rep.send(b"answer")
    rep.close()
    ctx.term()
    os._exit(0)
os.close(write_end)
port = int(os.read(read_end, 32))
os.close(read_end)
ctx = zmq.Context()
req = ctx.socket(zmq.REQ)
req.connect("tcp://127.0.0.1:%d" % port)
for _ in range(QUESTIONS):
    req.send(b"question")
    req.recv()
req.close()
ctx.term()
_, status = os.waitpid(pid, 0)
raise SystemExit(0 if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else 1)
