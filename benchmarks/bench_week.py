"""A planner's week: `callsim run` of a horizon of 7 days, its time and peak memory.

    python benchmarks/bench_week.py [--workers N] [--executor serial|processes|dask]
                                    [--rounds 3] [--staff]

Two weeks of 30-minute intervals, three queues (sales, service, billing), four agent
groups (a team per queue and a cross-trained group serving all three), a Monday peak
(Monday 1.3 x an average weekday), ~167,000 calls a replication (issue 14's week),
AHT 240-420 s, patience 180-300 s, 20 replications:

- `closed`: Monday to Friday 08:00-20:00, Saturday 09:00-17:00, Sunday 10:00-16:00,
  closed nights (each day a run of its own: 148 intervals);
- `24/7`: open around the clock (one continuous run of 336 intervals).

Each is timed against a baseline in the same process, alternating, median of
`--rounds`: the same calls and staffing as one dateless list without a horizon (what
the file was before the horizon: the same engine work, no days), so the ratio is what
the days cost. Peak resident memory (`ru_maxrss`) is measured for each week in a fresh
interpreter. `--staff` also times `plan(sc, "simulation")` (the staffing search: up to about 5
minutes a week on an idle core, see `simulator.planner.search`'s budgets) and re-checks its
plan and Erlang A's on `FRESH` days of a third seed (`--no-run`: the search only).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

import simulator
from simulator.planner.search import CALLS_PER_SEARCH
from simulator.planner.verification import Verification, verify
from simulator.run.executors import executor, using

WEEKDAY = (1.3, 1.05, 1.0, 0.97, 0.92, 0.55, 0.35)  # Monday .. Sunday
HOURS = ((8, 20),) * 5 + ((9, 17), (10, 16))  # closed nights: opening hours per day
QUEUES = {  # name: (share of calls, AHT s, patience s)
    "sales": (0.3, 240.0, 180.0),
    "service": (0.5, 360.0, 300.0),
    "billing": (0.2, 420.0, 240.0),
}
CALLS = 167_000  # a replication (the week)
FRESH, FRESH_SEED = 100, 20_261_201  # days of a third seed to re-check the plans on


def profile(first: float, last: float) -> np.ndarray:
    """Relative volume of each half-hour from hour `first` to `last`: two peaks."""
    t = np.arange(first, last, 0.5) + 0.25
    return np.exp(-(((t - 10.5) / 2.2) ** 2)) + 0.8 * np.exp(-(((t - 15) / 2.5) ** 2)) + 0.03


def week(kind: str, horizon: bool = True) -> dict:
    """The week's scenario data; `horizon=False`: the same lists as one dateless day."""
    hours = ((0, 24),) * 7 if kind == "24/7" else HOURS
    shape = np.concatenate([profile(a, b) * w for (a, b), w in zip(hours, WEEKDAY)])
    shape = shape / shape.sum()
    queues, agents, pooled = {}, {}, np.zeros(len(shape))
    for name, (share, aht, patience) in QUEUES.items():
        volumes = np.round(CALLS * share * shape, 1)
        load = volumes * aht / 1800
        queues[name] = {
            "volumes": volumes.tolist(),
            "handle_time": {"distribution": "exponential", "mean": aht},
            "patience": {"distribution": "exponential", "mean": patience},
        }
        # staffed for an average weekday: Monday's peak runs short
        planned = load / np.repeat(WEEKDAY, [2 * (b - a) for a, b in hours])
        planned *= np.repeat([1, 1, 1, 1, 1, *WEEKDAY[5:]], [2 * (b - a) for a, b in hours])
        agents[f"{name}_team"] = {
            "skills": [name],
            "staffing": [max(1, math.ceil(a)) for a in planned],
        }
        pooled += 0.2 * planned
    agents["universal"] = {
        "skills": list(QUEUES),
        "staffing": [max(1, math.ceil(a + 1)) for a in pooled],
    }
    data = {
        "name": f"A week, {kind}",
        "interval_minutes": 30,
        "open": "00:00" if kind == "24/7" else "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "targets": {"abandon_rate": 0.05},
        "queues": queues,
        "agents": agents,
        "simulation": {"replications": 20, "seed": 7},
    }
    if horizon:
        data["horizon"] = (
            {"start": "2026-12-07", "days": 7, "always_open": True}
            if kind == "24/7"
            else {
                "start": "2026-12-07",
                "days": 7,
                "close": "20:00",
                "hours": {"sat": {"open": "09:00", "close": "17:00"},
                          "sun": {"open": "10:00", "close": "16:00"}},
            }
        )  # fmt: skip
    return data


def timed(sc) -> tuple[float, float, simulator.SimulationResult]:
    """Wall and CPU seconds (this process's: all of it with the serial executor) of a run."""
    t, cpu = time.perf_counter(), time.process_time()
    res = simulator.simulate(sc, keep_records=False)
    return time.perf_counter() - t, time.process_time() - cpu, res


def peak_memory(kind: str) -> float:
    """Peak resident bytes of one run of the week in a fresh interpreter."""
    code = (
        "import json, resource, sys; sys.path.insert(0, 'benchmarks'); import bench_week, "
        "simulator; from simulator.run.executors import Serial, using\n"
        f"sc = simulator.parse_scenario(bench_week.week({kind!r}))\n"
        "with using(Serial()): simulator.simulate(sc, keep_records=False)\n"
        "print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def fresh(sc, required: np.ndarray) -> Verification:
    """`required` on FRESH days of FRESH_SEED: neither the search's nor its verification's."""
    other = sc.model_copy(
        update={"simulation": sc.simulation.model_copy(update={"seed": FRESH_SEED})}
    )
    return verify(other, required, FRESH)


def staff(sc) -> None:
    """Time `plan(sc, "simulation")`, CPU load before and after, and what it found: converged,
    rounds, days, simulated calls against the budget; cells below a target and flagged on
    its verification and on FRESH days of FRESH_SEED; agent-hours against Erlang A's plan
    (and that plan's cells on the same fresh days)."""
    load = os.getloadavg()[0]
    t = time.perf_counter()
    sim = simulator.plan(sc, "simulation")
    took, after = time.perf_counter() - t, os.getloadavg()[0]
    s, erlang = sim.search, simulator.plan(sc, "erlang-a")
    assert s is not None and s.sets is not None
    check, cells = s.verification, sim.required.size
    hours = {p.method: p.required.sum() * sc.interval_minutes / 60 for p in (sim, erlang)}
    left = f" (unfinished: {', '.join(s.unfinished)})" if s.unfinished else ""
    print(
        f"        staff --method simulation: {took:.1f} s (load {load:.1f} -> {after:.1f}), "
        f"{len(s.sets.parts) or 1} run(s) searched, converged {s.converged}{left}, "
        f"{s.isa_rounds} ISA + {s.rounds} refinement rounds, {s.days:,} days of day-sets up "
        f"to {s.most_days}, {s.sets.calls / 1e6:.0f}M simulated calls (budget "
        f"{CALLS_PER_SEARCH / 1e6:.0f}M)"
    )
    print(
        f"        verification ({s.result.replications} days): {int(check.below.sum())} of "
        f"{cells} cells below a target, {int(check.flagged.sum())} flagged; SL sd over "
        f"intervals {check.spread:.3f}; 2-point miss flagged at 80% in "
        f"{np.mean(check.power() <= 0.02):.0%} of cells"
    )
    for name, p in (("simulation", sim), ("erlang-a", erlang)):
        v = fresh(sc, p.required)
        print(
            f"        {name:<10} agent-hours {hours[name]:9,.1f}; {FRESH} fresh days (seed "
            f"{FRESH_SEED}): {int(v.below.sum())} cells below, {int(v.flagged.sum())} flagged, "
            f"SL sd {v.spread:.3f}"
        )
    print(
        f"        simulation / erlang-a agent-hours: {hours['simulation'] / hours['erlang-a']:.3f}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--executor", default="processes", choices=("serial", "processes", "dask"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--staff", action="store_true", help="also time the staffing search")
    p.add_argument("--weeks", default="closed,24/7", help="which weeks: closed, 24/7 or both")
    p.add_argument("--no-run", action="store_true", help="skip the run timings (with --staff)")
    a = p.parse_args()
    print(f"executor {a.executor}, workers {a.workers}, median of {a.rounds} rounds")
    with executor(a.executor, a.workers) as ex, using(ex):
        for kind in a.weeks.split(","):
            sc = simulator.parse_scenario(week(kind))
            if a.no_run:
                print(f"{kind:>6}: {sc.n_intervals} intervals")
                staff(sc)
                continue
            flat = simulator.parse_scenario(week(kind, horizon=False))
            times: dict[str, list[float]] = {"horizon": [], "flat": [], "cpu": []}
            for _ in range(a.rounds):  # alternating, so load from other work hits both
                seconds, cpu, res = timed(sc)
                times["horizon"].append(seconds)
                times["cpu"].append(cpu)
                times["flat"].append(timed(flat)[0])
            run_s, flat_s, cpu_s = (statistics.median(times[k]) for k in ("horizon", "flat", "cpu"))
            calls = float(np.mean(res.day_samples["offered"]))
            sl = res.daily_samples["service_level"].mean(axis=0)
            print(
                f"{kind:>6}: {sc.n_intervals} intervals, {len(res.reported_days)} days, "
                f"{calls:,.0f} calls a replication; run of {res.replications} "
                f"replications {run_s:.1f} s (CPU of this process {cpu_s:.1f} s; "
                f"{calls * res.replications / run_s:,.0f} calls/s), as one dateless list "
                f"{flat_s:.1f} s: ratio {run_s / flat_s:.2f}; "
                f"SL Monday {sl[0]:.1%}, Wednesday {sl[2]:.1%}"
            )
            peak = peak_memory(kind) / 2**20
            print(f"        peak memory of the run (fresh process): {peak:,.0f} MB")
            if a.staff:
                staff(sc)
    print(
        json.dumps({"maxrss_parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    )


if __name__ == "__main__":
    main()
