"""Start-up time of the command line: `callsim --help`, `--version`, `run --help` and
`validate` (a day; a week rostered, whose forecast is a CSV file; a forecast given as
`--forecast FILE`; journeys, which load numpy).

    python benchmarks/bench_startup.py [rounds] [--instructions] [--against DIR]

Each command runs in a fresh interpreter, alternating with a bare `python -c pass`
(the baseline: interpreter and site start-up), `rounds` times after one warm-up round;
the table gives the median wall time, the time above the baseline (callsim's own), and
the median CPU time (user + system) of the process, which a busy machine disturbs less
than the wall time. The 1-minute load average is printed before and after. The target
(issue 14): well under 0.3 s for `--help` and `validate` of every shipped scenario. The
libraries a command imports are checked in tests/test_startup.py.

The commands run as an installed callsim does, with its bytecode cached: the
environment's PYTHONDONTWRITEBYTECODE (set on some CI and build machines) is dropped
for them, and the warm-up round writes the cache. With it set and no cache, every
start compiles callsim's modules again (about a fifth more instructions for `validate`).

`--instructions` also counts the instructions each command executes, once, under
valgrind (cachegrind, no cache simulation; PYTHONHASHSEED=0): a figure that does not
depend on the load, for comparing two versions on a busy machine.

`--against DIR` runs every command also from another checkout of callsim (e.g.
`git archive 942b221 | tar -x -C /tmp/old`), with DIR first on PYTHONPATH and DIR as
the working folder, alternating with this one within each round: the two versions
measured in the same minutes, on the same load.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
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
    "callsim validate week_rostered": [*CALLSIM, "validate", "scenarios/week_rostered.yaml"],
    "callsim validate week --forecast": [
        *CALLSIM,
        "validate",
        "scenarios/week.yaml",
        "--forecast",
        "scenarios/week_forecast.csv",
    ],
    "callsim validate bank_journeys": [*CALLSIM, "validate", "scenarios/bank_journeys.yaml"],
    "callsim run --help": [*CALLSIM, "run", "--help"],
    "import simulator.cli": [sys.executable, "-c", "import simulator.cli"],
    "import simulator (the API, lazy)": [sys.executable, "-c", "import simulator"],
}


def version_env(against: Path | None) -> dict[str, str]:
    """The environment of the commands: this checkout's, or `against`'s first."""
    if against is None:
        return ENV
    return {**ENV, "PYTHONPATH": os.pathsep.join([str(against), ENV.get("PYTHONPATH", "")])}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], against: Path | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `cmd` (from checkout `against`, if given)."""
    t, c = time.perf_counter(), _children_cpu()
    env = version_env(against)
    subprocess.run(cmd, cwd=against or ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - t, _children_cpu() - c


def instructions(cmd: list[str], against: Path | None = None) -> float:
    """Millions of instructions one run of `cmd` executes (valgrind's I refs)."""
    grind = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    env = {**version_env(against), "PYTHONHASHSEED": "0"}
    cwd = against or ROOT
    done = subprocess.run([*grind, *cmd], cwd=cwd, env=env, check=True, capture_output=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr.decode())
    assert found, done.stderr.decode()[-500:]
    return int(found.group(1).replace(",", "")) / 1e6


def main(rounds: int = 9, count: bool = False, against: Path | None = None) -> None:
    versions: list[Path | None] = [None] if against is None else [None, against]
    runs = [(name, v) for name in COMMANDS for v in versions]
    walls: dict[tuple, list[float]] = {run: [] for run in runs}
    cpus: dict[tuple, list[float]] = {run: [] for run in runs}
    for name, v in runs:  # warm-up: the bytecode cache written, files in memory
        timed(COMMANDS[name], v)
    load = os.getloadavg()[0]
    for _ in range(rounds):  # alternate, so that a busy moment hits every command
        for name, v in runs:
            w, c = timed(COMMANDS[name], v)
            walls[name, v].append(w)
            cpus[name, v].append(c)
    print(f"median of {rounds} rounds, fresh interpreter each; load average {load:.2f} before,")
    print(f"{os.getloadavg()[0]:.2f} after" + (f"; old: {against}" if against else "") + "\n")
    print(f"{'command':42s} {'wall s':>8s} {'above baseline s':>17s} {'CPU s':>7s}")
    for v in versions:
        base = statistics.median(walls["python -c pass (baseline)", v])
        for name in COMMANDS:
            m = statistics.median(walls[name, v])
            label = name if v is None else f"{name} (old)"
            cpu = statistics.median(cpus[name, v])
            print(f"{label:42s} {m:8.3f} {m - base:17.3f} {cpu:7.3f}")
    if count and shutil.which("valgrind") is None:
        print("\nvalgrind not found: no instruction counts")
    elif count:
        heads = "".join(f"{'instructions (M)' if v is None else 'old (M)':>17s}" for v in versions)
        print(f"\n{'command':42s} {heads}")
        for name, cmd in COMMANDS.items():
            counts = "".join(f"{instructions(cmd, v):17,.0f}" for v in versions)
            print(f"{name:42s} {counts}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=9)
    parser.add_argument("--instructions", action="store_true", help="count them (valgrind)")
    parser.add_argument("--against", type=Path, help="another checkout, run alternately")
    args = parser.parse_args()
    main(args.rounds, args.instructions, args.against)
