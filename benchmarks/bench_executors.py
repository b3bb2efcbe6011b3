"""Executors side by side: `--workers 1` against 2 local processes and a 2-worker Dask
LocalCluster, on the same replications (results checked identical).

    python benchmarks/bench_executors.py [rounds]

The work: `scenarios/bank_journeys.yaml` (three queues, journeys) with volumes x 3 and
20 replications, on the SimPy engine (a tenth to half a second a day here: with the
fast engine a day of it takes milliseconds, and shipping it costs more than it saves). Each round
times the three executors in turn (so a busy moment on the shared machine hits all of
them); the table gives the median wall time and the speed-up over `--workers 1`. The
pool and the cluster are started before the clock starts (their start-up is reported on
its own line): a staffing search starts them once for dozens of trials.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import simulator
from simulator.planner.edits import scale_volumes
from simulator.run.executors import DaskCluster, LocalProcesses, Serial

ROOT = Path(__file__).resolve().parents[1]
REPLICATIONS, SCALE = 20, 3.0


def timed(sc, ex) -> tuple[float, str]:
    t = time.perf_counter()
    res = simulator.simulate(sc, REPLICATIONS, executor=ex, keep_records=False, engine="simpy")
    return time.perf_counter() - t, json.dumps(simulator.to_dict(res))


def main(rounds: int = 3) -> None:
    load = os.getloadavg()[0]
    sc = scale_volumes(simulator.load_scenario(ROOT / "scenarios/bank_journeys.yaml"), SCALE)
    t = time.perf_counter()
    pool = LocalProcesses(2)
    pool_start = time.perf_counter() - t
    t = time.perf_counter()
    dask = DaskCluster(None, 2)
    dask_start = time.perf_counter() - t
    executors = {
        "--workers 1 (serial)": Serial(),
        "2 local processes": pool,
        "Dask, 2 workers": dask,
    }
    times: dict[str, list[float]] = {name: [] for name in executors}
    outputs = set()
    try:
        timed(sc, pool)  # warm: workers import the engine once
        timed(sc, dask)
        for _ in range(rounds):
            for name, ex in executors.items():
                seconds, out = timed(sc, ex)
                times[name].append(seconds)
                outputs.add(out)
    finally:
        pool.close()
        dask.close()
    assert len(outputs) == 1, "executors disagree"
    base = statistics.median(times["--workers 1 (serial)"])
    print(
        f"{REPLICATIONS} days of bank_journeys x {SCALE:g}, median of {rounds} rounds; "
        "identical JSON from all three"
    )
    print(f"{'executor':24s} {'s':>7s} {'speed-up':>9s}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:24s} {m:7.2f} {base / m:8.2f}x")
    print(f"start-up: pool {pool_start:.2f} s, Dask LocalCluster {dask_start:.2f} s")
    print(f"load average (1 min) before {load:.1f}, after {os.getloadavg()[0]:.1f}: the")
    print("speed-up of 2 workers needs 2 free cores, so it means little above a load of 1")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
