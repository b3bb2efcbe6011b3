"""Memory of a big day: peak resident memory of `simulate` on a 1M-call day.

    python benchmarks/bench_memory.py [--engine auto|simpy|fast] [--calls N]

Each configuration runs in a fresh interpreter (so one peak does not hide another) and
reports its peak resident set (`ru_maxrss`), the resident set after the imports (the
baseline), and the difference per call of the day. The day: one queue, 48 half-hours,
~N calls (default 1,000,000), AHT 180 s, patience 300 s, agents at ~95% occupancy.

Without records (what `callsim run` does without `--out`) each day's KPIs are filed as
it finishes and its records dropped, so the peak should not grow with replications:
2 and 10 replications side by side show it. With records kept (`--out`, `res.calls`)
every day's records stay: the last rows show what that costs.
Issue 14's bar: 10 replications without `--out` under 1.5 GB (aim: well under 1 GB).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time

INTERVALS, AHT, PATIENCE = 48, 180.0, 300.0

CHILD = """
import json, resource, sys, time
import numpy as np
import simulator
from simulator.run.runner import simulate
args = json.loads(sys.argv[1])
sc = simulator.parse_scenario(args["scenario"])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t = time.perf_counter()
res = simulate(sc, replications=args["replications"], keep_records=args["keep"],
               engine=args["engine"])
seconds = time.perf_counter() - t
calls = float(np.mean(res.day_samples["offered"]))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"base": base, "peak": peak, "calls": calls, "seconds": seconds}))
"""


def big_day(calls: int) -> dict:
    per_interval = calls / INTERVALS
    load = per_interval * AHT / 1800
    agents = math.ceil(load / 0.95)
    return {
        "name": "A 1M-call day",
        "interval_minutes": 30,
        "open": "00:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {
            "all": {
                "volumes": [per_interval] * INTERVALS,
                "handle_time": {"distribution": "exponential", "mean": AHT},
                "patience": {"distribution": "exponential", "mean": PATIENCE},
            }
        },
        "agents": {"team": {"skills": ["all"], "staffing": [agents] * INTERVALS}},
        "simulation": {"replications": 2, "seed": 1},
    }


def measure(sc: dict, replications: int, keep: bool, engine: str) -> dict:
    arg = json.dumps({"scenario": sc, "replications": replications, "keep": keep, "engine": engine})
    done = subprocess.run(
        [sys.executable, "-c", CHILD, arg], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--engine", default="auto", choices=("auto", "simpy", "fast"))
    p.add_argument("--calls", type=int, default=1_000_000)
    a = p.parse_args()
    sc = big_day(a.calls)
    print(f"{a.calls:,} calls a day, engine {a.engine}; peak resident memory, fresh process")
    print(
        f"{'replications':>12s} {'records':>8s} {'peak MB':>8s} {'above imports MB':>17s}"
        f" {'B/call':>7s} {'s':>6s}"
    )
    for replications, keep in ((2, False), (10, False), (2, True), (4, True)):
        t = time.perf_counter()
        m = measure(sc, replications, keep, a.engine)
        extra = m["peak"] - m["base"]
        print(
            f"{replications:12d} {'kept' if keep else 'no':>8s} {m['peak'] / 1e6:8.0f}"
            f" {extra / 1e6:17.0f} {extra / m['calls']:7.0f} {time.perf_counter() - t:6.1f}"
        )


if __name__ == "__main__":
    main()
