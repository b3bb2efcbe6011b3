"""Start-up time of the command line: `callsim --help`, `--version` and `validate`.

    python benchmarks/bench_startup.py [rounds]

Each command runs in a fresh interpreter, alternating with a bare `python -c pass`
(the baseline: interpreter and site start-up), `rounds` times; the table gives the
median wall time, and the time above the baseline, which is callsim's own. The target
(issue 14): well under 0.3 s for `--help` and `validate`. The libraries a command
imports are checked in tests/test_startup.py.
"""

from __future__ import annotations

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


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t


def main(rounds: int = 9) -> None:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):  # alternate, so that a busy moment hits every command
        for name, cmd in COMMANDS.items():
            times[name].append(wall(cmd))
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"median of {rounds} rounds, fresh interpreter each\n")
    print(f"{'command':34s} {'wall s':>8s} {'above baseline s':>17s}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:34s} {m:8.3f} {m - base:17.3f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
