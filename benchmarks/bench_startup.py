"""Start-up time of the command line: `callsim --help`, `--version` and `validate`.

    python benchmarks/bench_startup.py [rounds]

Each command runs in a fresh interpreter, alternating with a bare `python -c pass`
(the baseline: interpreter and site start-up), `rounds` times; the table gives the
median wall time, the time above the baseline (callsim's own), and the median CPU time
(user + system) of the process, which a busy machine disturbs less than the wall time.
The 1-minute load average is printed before and after. The target (issue 14): well
under 0.3 s for `--help` and `validate`. The libraries a command imports are checked
in tests/test_startup.py.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLSIM = [str(Path(sys.executable).with_name("callsim"))]  # the installed entry point
COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "callsim --help": [*CALLSIM, "--help"],
    "callsim --version": [*CALLSIM, "--version"],
    "callsim validate peak_day": [*CALLSIM, "validate", "scenarios/peak_day.yaml"],
    "import simulator.cli": [sys.executable, "-c", "import simulator.cli"],
    "import simulator (the API, lazy)": [sys.executable, "-c", "import simulator"],
}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `cmd`."""
    t, c = time.perf_counter(), _children_cpu()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t, _children_cpu() - c


def main(rounds: int = 9) -> None:
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    load = os.getloadavg()[0]
    for _ in range(rounds):  # alternate, so that a busy moment hits every command
        for name, cmd in COMMANDS.items():
            w, c = timed(cmd)
            walls[name].append(w)
            cpus[name].append(c)
    base = statistics.median(walls["python -c pass (baseline)"])
    print(f"median of {rounds} rounds, fresh interpreter each; load average {load:.2f} before,")
    print(f"{os.getloadavg()[0]:.2f} after\n")
    print(f"{'command':34s} {'wall s':>8s} {'above baseline s':>17s} {'CPU s':>7s}")
    for name, ts in walls.items():
        m = statistics.median(ts)
        print(f"{name:34s} {m:8.3f} {m - base:17.3f} {statistics.median(cpus[name]):7.3f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
