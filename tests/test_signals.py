"""Clean stops (issue 10, item 3): a signal to `callsim run --workers 2` leaves no
process behind and no partial output.

`callsim` runs in a session of its own; everything it starts (the forkserver, the
resource tracker, the worker processes) inherits that session id, also after its parent
is gone, so /proc tells whether any of them survived. SIGTERM and SIGINT unwind the
command (workers killed, output not written); SIGKILL cannot be caught, so the workers
watch their parent and exit when it dies. Linux only (/proc).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

ROOT = Path(__file__).resolve().parents[1]
CALLSIM = str(Path(sys.executable).with_name("callsim"))
GONE_WITHIN = 5.0  # seconds after the signal


def session(sid: int) -> list[int]:
    """Live (not zombie) processes of session `sid`."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        state, _ppid, _pgrp, sess = stat.rsplit(")", 1)[1].split()[:4]
        if int(sess) == sid and state != "Z":
            members.append(int(entry))
    return members


def wait_for(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def start_run(out: Path) -> subprocess.Popen:
    """`callsim run --workers 2 --out` on a day long enough to be stopped mid-way;
    returns once the forkserver and both workers are up (and a day is under way)."""
    proc = subprocess.Popen(
        [CALLSIM, "run", "scenarios/peak_day.yaml", "-r", "400", "--workers", "2", "-q"]
        + ["--out", str(out)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # callsim, forkserver, two workers (and the resource tracker)
    assert wait_for(lambda: len(session(proc.pid)) >= 4, 60), "workers never started"
    time.sleep(0.5)
    return proc


@pytest.mark.parametrize(
    ("sig", "code"),
    [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, None), (signal.SIGKILL, -9)],
    ids=["SIGTERM", "SIGINT", "SIGKILL"],
)
def test_a_signal_leaves_no_process_and_no_output(tmp_path, sig, code):
    out = tmp_path / "out"
    proc = start_run(out)
    assert proc.poll() is None, "the run ended before the signal"
    proc.send_signal(sig)
    rc = proc.wait(timeout=30)
    gone = wait_for(lambda: not session(proc.pid), GONE_WITHIN)
    assert gone, f"still alive {GONE_WITHIN} s after {sig.name}: {session(proc.pid)}"
    if code is None:
        assert rc not in (0, 2)  # stopped, not finished, not a bad input
    else:
        assert rc == code
    assert not out.exists() or not any(out.iterdir())
    if sig != signal.SIGKILL:
        assert b"Traceback" not in proc.stderr.read()
