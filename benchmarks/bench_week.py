"""A week: `callsim run` and `callsim staff --method simulation` on 336 half-hours.

    python benchmarks/bench_week.py [--workers N] [--executor serial|processes|dask]

The week: three queues (sales, service, billing), each with its own single-skill team,
open around the clock for 7 days of 48 half-hours (336 intervals); a daily profile
(night trough, morning and afternoon peaks) scaled by weekday, ~167,000 calls a
replication (issue 14's week), AHT 240-420 s, patience 180-300 s, 20 replications.
It prints the wall time of one `run` (20 replications) and of the staffing search by
simulation (`plan(sc, "simulation")`: trials of 20 replications each), with the trials
and whether the search converged, and its verification. Issue 14's bar: the search
within 5 minutes here.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import simulator
from simulator.run.executors import executor, using

DAYS, HALF_HOURS = 7, 48
WEEKDAY = (1.15, 1.05, 1.0, 1.0, 0.95, 0.7, 0.5)  # Monday .. Sunday
QUEUES = {  # name: (share of calls, AHT s, patience s)
    "sales": (0.3, 240.0, 180.0),
    "service": (0.5, 360.0, 300.0),
    "billing": (0.2, 420.0, 240.0),
}
CALLS = 167_000  # a replication (the week)


def profile() -> np.ndarray:
    """Relative volume of each half-hour of a day: a night trough, two peaks."""
    t = np.arange(HALF_HOURS) / 2 + 0.25  # hour of the day
    day = np.exp(-(((t - 10.5) / 2.2) ** 2)) + 0.8 * np.exp(-(((t - 15) / 2.5) ** 2))
    return day + 0.03


def week() -> dict:
    shape = np.concatenate([profile() * w for w in WEEKDAY])
    shape = shape / shape.sum()
    queues, agents = {}, {}
    for name, (share, aht, patience) in QUEUES.items():
        volumes = np.round(CALLS * share * shape, 1)
        load = volumes * aht / 1800
        queues[name] = {
            "volumes": volumes.tolist(),
            "handle_time": {"distribution": "exponential", "mean": aht},
            "patience": {"distribution": "exponential", "mean": patience},
        }
        staffing = [max(1, math.ceil(a * 1.1 + 1)) for a in load]
        agents[f"{name}_team"] = {"skills": [name], "staffing": staffing}
    return {
        "name": "A week, three queues",
        "interval_minutes": 30,
        "open": "00:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "targets": {"abandon_rate": 0.05},
        "queues": queues,
        "agents": agents,
        "simulation": {"replications": 20, "seed": 7},
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--executor", default="processes", choices=("serial", "processes", "dask"))
    a = p.parse_args()
    sc = simulator.parse_scenario(week())
    print(
        f"{sc.n_intervals} intervals, {len(sc.queues)} queues, executor {a.executor}, "
        f"workers {a.workers}"
    )
    with executor(a.executor, a.workers) as ex, using(ex):
        t = time.perf_counter()
        res = simulator.simulate(sc, keep_records=False)
        run_s = time.perf_counter() - t
        calls = float(np.mean(res.day_samples["offered"]))
        print(f"run, {res.replications} replications: {run_s:.1f} s ({calls:,.0f} calls each)")
        t = time.perf_counter()
        plan = simulator.plan(sc, "simulation")
        staff_s = time.perf_counter() - t
    search = plan.search
    assert search is not None
    check = search.verification
    print(
        f"staff --method simulation: {staff_s:.1f} s, {search.simulations} plans on "
        f"{search.days} search days (day-sets up to {search.most_days}), converged "
        f"{search.converged}; verified on {search.result.replications} independent days: "
        f"{int(check.below.sum())} cells below a target, {int(check.flagged.sum())} flagged, "
        f"SL sd over intervals {check.spread:.3f}"
    )


if __name__ == "__main__":
    main()
