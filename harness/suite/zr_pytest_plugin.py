"""zr_pytest_plugin: loaded into pytest by `zmq-repro check --suite` (-p).

Marks each test's start and end in the file named by ZR_TEST_MARKS, with how
far this process's ThreadSanitizer log had grown at that moment, so that the
harness lays each report to the test that was running; and each test's
outcome. One line per event: START|END PID LOG-SIZE NODEID, RESULT PID
OUTCOME NODEID. It changes nothing of the run.
"""
import glob
import os
import re

_MARKS = os.environ.get("ZR_TEST_MARKS")


def _log_base():
    """TSan's log_path (TSAN_OPTIONS, maybe quoted), or None."""
    m = re.search(r"log_path=(?:\"([^\"]*)\"|'([^']*)'|([^: ]*))", os.environ.get("TSAN_OPTIONS", ""))
    return next((g for g in m.groups() if g), None) if m else None


def _log_size():
    base = _log_base()
    if not base:
        return 0
    # log_exe_name=1: BASE.<program>.<pid>
    files = glob.glob("%s.*.%d" % (base, os.getpid()))
    return os.path.getsize(files[0]) if files else 0


def _mark(*words):
    if not _MARKS:
        return
    line = " ".join(str(w).replace("\n", " ") for w in words) + "\n"
    with open(_MARKS, "a") as f:
        f.write(line)


def pytest_runtest_logstart(nodeid, location):
    _mark("START", os.getpid(), _log_size(), nodeid)


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _mark("RESULT", os.getpid(), report.outcome, report.nodeid)


def pytest_runtest_logfinish(nodeid, location):
    _mark("END", os.getpid(), _log_size(), nodeid)
